// StageTrainerTests: a small network learns the generated dataset, deterministically, stage by stage.

import Datasets
import Experiments
import Foundation
import Layers
import Tensors
import Training
import XCTest

final class StageTrainerTests: XCTestCase {
    private func run(epochs: Int, threads: Int) throws -> [EpochRecord] {
        setThreadCount(threads)
        defer { setThreadCount(2) }
        let yaml = """
            version: 1
            seed: 7
            data: {source: generated, variant: source, classes: 4, images_per_class: 40, size: 32, batch_size: 16}
            model: {arch: resnet18, classes: 4, head: {lin_ftrs: [64]}}
            train: {metrics: [accuracy]}
            schedule:
              - {name: all, freeze_to: 0, epochs: \(epochs), lr: 3e-3}
            """
        let config = try ConfigLoader.load(yaml: yaml, path: "t.yaml", options: .init(checkFiles: false)).config
        let transforms = Transforms(size: 32, resize: .squish, augment: .none, normalization: .imagenet)
        func loader(count: Int, offset: Int, training: Bool) -> BatchLoader {
            let labels = (0..<count).map { ($0 + offset) % 4 }
            return BatchLoader(source: ColourBlobs(labels: labels), labels: labels, transforms: transforms,
                               batchSize: 16, training: training, seed: 11, threads: threads)
        }
        let model = try ModelFactory.build(config, classes: 4)
        let trainer = StageTrainer(model: model, config: config)
        return try trainer.fit(config.schedule[0], train: loader(count: 128, offset: 0, training: true),
                               valid: loader(count: 32, offset: 1, training: false))
    }

    func testASmallNetworkLearnsWellAboveChance() throws {
        let records = try run(epochs: 4, threads: 2)
        XCTAssertEqual(records.count, 4)
        let last = try XCTUnwrap(records.last)
        XCTAssertLessThan(last.trainLoss, records[0].trainLoss, "training loss falls")
        XCTAssertGreaterThan(last.accuracy, 0.75, "4 classes: chance is 0.25 — \(records.map(\.accuracy)) \(records.map(\.trainLoss)) \(records.map(\.validLoss))")
    }

    func testTheSameSeedAndThreadCountGiveIdenticalLosses() throws {
        let first = try run(epochs: 1, threads: 2)
        let again = try run(epochs: 1, threads: 2)
        XCTAssertEqual(first.map(\.trainLoss), again.map(\.trainLoss))
        XCTAssertEqual(first.map(\.validLoss), again.map(\.validLoss))
    }
}
