// LegacyDenseNetKeysTests: pre-0.3 DenseNet keys (`norm.1`, `conv.2`, …) are renamed as torchvision's loader does.

import Layers
import Tensors
import XCTest

final class LegacyDenseNetKeysTests: XCTestCase {
    func testRenamesOnlyDenseLayerKeys() {
        let cases: [(String, String)] = [
            ("features.denseblock1.denselayer1.norm.1.weight", "features.denseblock1.denselayer1.norm1.weight"),
            ("features.denseblock1.denselayer1.norm.1.running_var", "features.denseblock1.denselayer1.norm1.running_var"),
            ("features.denseblock4.denselayer16.conv.2.weight", "features.denseblock4.denselayer16.conv2.weight"),
            ("features.denseblock2.denselayer3.relu.2.bias", "features.denseblock2.denselayer3.relu2.bias"),
            ("features.denseblock2.denselayer3.norm.2.num_batches_tracked",
             "features.denseblock2.denselayer3.norm2.num_batches_tracked"),
            // The regex's `.*denselayer\d+` only asks the component to end that way.
            ("module.mydenselayer12.conv.1.weight", "module.mydenselayer12.conv1.weight"),
            // Left alone: not a dense layer, no layer number, a third sub-module, an unknown field.
            ("features.norm0.weight", "features.norm0.weight"),
            ("features.transition1.norm.weight", "features.transition1.norm.weight"),
            ("features.denseblock1.denselayer.norm.1.weight", "features.denseblock1.denselayer.norm.1.weight"),
            ("features.denseblock1.denselayer1.norm.3.weight", "features.denseblock1.denselayer1.norm.3.weight"),
            ("features.denseblock1.denselayer1.norm.1.scale", "features.denseblock1.denselayer1.norm.1.scale"),
            ("features.denseblock1.denselayer2.norm1.weight", "features.denseblock1.denselayer2.norm1.weight"),
            ("classifier.weight", "classifier.weight"),
        ]
        var file = SafeTensors(metadata: ["format": "pt"])
        for (index, (legacy, _)) in cases.enumerated() {
            file.tensors[legacy] = Tensor(shape: [1], data: [Float(index)])
        }
        file.dtypes["features.denseblock2.denselayer3.norm.2.num_batches_tracked"] = .i64
        let renamed = renamingLegacyDenseNetKeys(file)
        XCTAssertEqual(renamed.tensors.count, cases.count)
        for (index, (_, modern)) in cases.enumerated() {
            XCTAssertEqual(renamed.tensors[modern]?.data, [Float(index)], modern)
        }
        XCTAssertEqual(renamed.dtypes, ["features.denseblock2.denselayer3.norm2.num_batches_tracked": .i64])
        XCTAssertEqual(renamed.metadata, ["format": "pt"])
    }

    /// A whole densenet121 state dict written with legacy names loads after renaming.
    func testLegacyStateDictLoads() throws {
        var rng = RandomGenerator(seed: 9, purpose: "init")
        let source = Architecture.densenet121.build(numClasses: 5, rng: &rng)
        let target = Architecture.densenet121.build(numClasses: 5, rng: &rng)
        var legacy = SafeTensors()
        var renamedCount = 0
        for (key, tensor) in source.stateDict().tensors {
            var legacyKey = key
            for module in ["norm", "relu", "conv"] {
                for number in ["1", "2"] where key.contains("denselayer") {
                    legacyKey = legacyKey.replacingOccurrences(of: ".\(module)\(number).", with: ".\(module).\(number).")
                }
            }
            if legacyKey != key { renamedCount += 1 }
            legacy.tensors[legacyKey] = tensor
        }
        XCTAssertEqual(renamedCount, 58 * 12)
        XCTAssertThrowsError(try target.loadStateDict(legacy))
        try target.loadStateDict(renamingLegacyDenseNetKeys(legacy))
        XCTAssertEqual(target.stateDict().tensors, source.stateDict().tensors)
    }
}
