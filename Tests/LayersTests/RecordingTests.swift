// RecordingTests: a forward pass whose input needs no gradient keeps fewer activations and gives the same gradients.

import Layers
import Tensors
import TestSupport
import XCTest

final class RecordingTests: XCTestCase {
    /// Trainable-parameter gradients after one forward and backward, with the forward run as a
    /// training step runs it (input needs no gradient) or recording everything.
    private func gradients(_ make: (inout RandomGenerator) -> any Module, trainable: (String) -> Bool,
                           input shape: [Int], scoped: Bool) -> [String: Tensor] {
        var rng = RandomGenerator(seed: 11)
        let model = make(&rng)
        for (key, parameter) in model.namedParameters() { parameter.requiresGrad = trainable(key) }
        let x = randomTensor(shape, seed: 12)
        let y = scoped ? Recording.withoutInputGradient { model.forward(x) } : model.forward(x)
        XCTAssertTrue(Recording.inputGradients, "the scope restores recording")
        _ = model.backward(randomTensor(y.shape, seed: 13), needsInputGradient: false)
        var result: [String: Tensor] = [:]
        for (key, parameter) in model.namedParameters() where parameter.requiresGrad {
            result[key] = parameter.gradient
        }
        return result
    }

    private func check(_ name: String, _ make: (inout RandomGenerator) -> any Module, input: [Int],
                       trainable: (String) -> Bool) {
        let scoped = gradients(make, trainable: trainable, input: input, scoped: true)
        let recorded = gradients(make, trainable: trainable, input: input, scoped: false)
        XCTAssertFalse(recorded.isEmpty, name)
        XCTAssertEqual(Set(scoped.keys), Set(recorded.keys), name)
        for (key, gradient) in recorded {
            XCTAssertEqual(scoped[key]?.data, gradient.data, "\(name): \(key)")
        }
    }

    func testFrozenPrefixesGiveTheSameGradients() {
        let tiny: (inout RandomGenerator) -> any Module = { TinyResNet.make(classes: 5, rng: &$0) }
        let input = [2, 3, 12, 12]
        check("classifier only", tiny, input: input) { $0.hasPrefix("fc.") }
        check("train_bn", tiny, input: input) { !$0.contains("conv") && !$0.hasPrefix("layer2.downsample.0") }
        check("last block and classifier", tiny, input: input) { $0.hasPrefix("layer2.") || $0.hasPrefix("fc.") }
        check("shortcut only", tiny, input: input) { $0.hasPrefix("layer2.downsample.") }
        check("everything", tiny, input: input) { _ in true }
    }

    /// A Fire block with a frozen squeeze and 1×1 expand: its ReLUs ran before anything trainable.
    func testPartlyFrozenFireGivesTheSameGradients() {
        let fire: (inout RandomGenerator) -> any Module = {
            Fire(inPlanes: 4, squeezePlanes: 3, expand1x1Planes: 4, expand3x3Planes: 4, rng: &$0)
        }
        check("expand3x3 only", fire, input: [2, 4, 5, 5]) { $0.hasPrefix("expand3x3.") }
    }
}
