// FeatureCacheTests: the key of cached features changes with everything that decides them — the prefix's weights and statistics, the images, the items — and with nothing else.

import Datasets
import Layers
import Tensors
@testable import Training
import XCTest

final class FeatureCacheTests: XCTestCase {
    private func model() throws -> TransferModel {
        var rng = RandomGenerator(seed: 1, purpose: "init")
        let model = try TransferModel.build(TransferSpec(architecture: .resnet18, classes: 3), rng: &rng)
        model.exactPrefix = 6
        return model
    }

    private func key(_ model: TransferModel, images: String = "cache-1", items: [Int] = [0, 1, 2],
                     transforms: Transforms = Transforms(size: 32, resize: .squish, augment: .none)) -> String {
        FeatureCache.key(model: model, images: images, transforms: transforms, items: items)
    }

    private func nudge(_ model: TransferModel, _ key: String) throws {
        if let parameter = model.namedParameters().first(where: { $0.key == key })?.parameter {
            parameter.value.data[0] += 1e-6
        } else {
            let buffer = try XCTUnwrap(model.namedBuffers().first { $0.key == key }?.buffer, key)
            buffer.value.data[0] += 1e-6
        }
    }

    func testThePrefixsWeightsAndStatisticsAreInTheKey() throws {
        for changed in ["conv1.weight", "layer2.1.conv2.weight", "bn1.running_mean", "layer1.0.bn1.running_var"] {
            let model = try model()
            let before = key(model)
            try nudge(model, changed)
            XCTAssertNotEqual(key(model), before, changed)
        }
    }

    func testLayersAfterThePrefixAreNotInTheKey() throws {
        for unchanged in ["layer3.0.conv1.weight", "layer4.1.bn2.running_mean", "head.2.weight"] {
            let model = try model()
            let before = key(model)
            try nudge(model, unchanged)
            XCTAssertEqual(key(model), before, unchanged)
        }
    }

    func testTheImagesTheirTransformsAndTheItemsAreInTheKey() throws {
        let model = try model()
        let before = key(model)
        XCTAssertEqual(key(model), before, "the key is a function")
        XCTAssertNotEqual(key(model, images: "cache-2"), before)
        XCTAssertNotEqual(key(model, items: [0, 2, 1]), before)
        XCTAssertNotEqual(key(model, transforms: Transforms(size: 32, resize: .squish, augment: .none,
                                                            normalization: Normalization(mean: [0, 0, 0], std: [1, 1, 1]))),
                          before)
        model.exactPrefix = 7
        XCTAssertNotEqual(key(model), before, "a longer prefix")
    }
}
