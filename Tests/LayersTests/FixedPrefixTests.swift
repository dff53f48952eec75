// FixedPrefixTests: which body children form a fixed prefix, and that its features of an image do not depend on the batch around it.

import Layers
import Tensors
import XCTest

final class FixedPrefixTests: XCTestCase {
    private func build(_ architecture: Architecture, trainBN: Bool = false,
                       bnStats: BatchNormStatsMode = .freeze) throws -> TransferModel {
        var rng = RandomGenerator(seed: 3, purpose: "init")
        let model = try TransferModel.build(TransferSpec(architecture: architecture, classes: 3), rng: &rng)
        model.trainBN = trainBN
        model.bnStats = bnStats
        return model
    }

    /// resnet18's body: conv1, bn1, relu, maxpool, layer1…layer4; groups [0, 6), [6, 8), head.
    func testThePrefixEndsAtTheFirstChildThatLearnsOrUpdatesStatistics() throws {
        let model = try build(.resnet18)
        try model.freeze()
        XCTAssertEqual(model.fixedPrefix, 8, "the whole body is frozen with its statistics")
        try model.freeze(to: 1)
        XCTAssertEqual(model.fixedPrefix, 6, "layer3 trains")
        try model.unfreeze()
        XCTAssertEqual(model.fixedPrefix, 0)

        let updating = try build(.resnet18, bnStats: .update)
        try updating.freeze()
        XCTAssertEqual(updating.fixedPrefix, 1, "bn1 updates its running statistics; conv1 before it is fixed")
        let trainingBN = try build(.resnet18, trainBN: true)
        try trainingBN.freeze()
        XCTAssertEqual(trainingBN.fixedPrefix, 1, "bn1's affine parameters train")
    }

    func testPrefixFeaturesOfAnImageAreTheSameInAnyBatch() throws {
        for architecture in [Architecture.resnet18, .mobilenetV2, .densenet121] {
            let model = try build(architecture)
            try model.freeze()
            model.exactPrefix = model.fixedPrefix
            model.prepare(training: true)
            var rng = RandomGenerator(seed: 5, purpose: "images")
            let images = Tensor(shape: [5, 3, 40, 40], data: (0..<(5 * 3 * 40 * 40)).map { _ in rng.uniform(-2, 2) })
            let batch = model.context.withoutInputGradient { model.prefixFeatures(images) }
            let row = batch.count / 5
            for i in 0..<5 {
                let one = Tensor(shape: [1, 3, 40, 40], data: Array(images.data[(i * 3 * 1600)..<((i + 1) * 3 * 1600)]))
                let alone = model.context.withoutInputGradient { model.prefixFeatures(one) }
                XCTAssertTrue(alone.data == Array(batch.data[(i * row)..<((i + 1) * row)]),
                               "\(architecture): image \(i)'s features differ between a batch of 5 and a batch of 1")
            }
            model.prepare(training: false)
            let whole = model.context.withoutInputGradient { model.forward(images) }
            let fromFeatures = model.context.withoutInputGradient { model.afterPrefix.forward(batch) }
            XCTAssertTrue(whole.data == fromFeatures.data, "\(architecture): the model is its prefix, then its suffix")
        }
    }
}
