// ForwardHooksTests: every leaf that runs reports its output once, in forward order.

import Layers
import Tensors
import XCTest

final class ForwardHooksTests: XCTestCase {
    func testLeavesReportTheirOutputsInOrder() {
        var rng = RandomGenerator(seed: 1)
        let model = TinyResNet.make(classes: 5, rng: &rng)
        let context = ExecutionContext()
        model.use(context)
        var seen: [(String, [Int])] = []
        let output = context.observing({ module, output in seen.append((module.typeName, output.shape)) }) {
            model.forward(Tensor(zeros: [2, 3, 16, 16]))
        }
        XCTAssertNil(context.observer)
        XCTAssertEqual(output.shape, [2, 5])
        XCTAssertEqual(seen.first?.0, "Conv2d")
        XCTAssertEqual(seen.first?.1, [2, 8, 16, 16])
        XCTAssertEqual(seen.last?.0, "Linear")
        // fastai's concat pool fires its `mp` child, then its `ap` child.
        let pools = seen.filter { $0.0.hasPrefix("Adaptive") }
        XCTAssertEqual(pools.map(\.0), ["AdaptiveMaxPool2d", "AdaptiveAvgPool2d"])
        XCTAssertEqual(pools.map(\.1), [[2, 16, 1, 1], [2, 16, 1, 1]])
        // conv1, bn1, relu, maxpool; BasicBlock: its 5 leaves and its second ReLU call; Bottleneck:
        // conv/bn ×3, three ReLU calls, downsample conv + bn; two pools, flatten, fc.
        XCTAssertEqual(seen.count, 4 + 6 + 11 + 2 + 1 + 1)
    }
}
