// StageTrainerTests: a small network learns the generated dataset, deterministically, stage by stage.

import Datasets
import Experiments
import Foundation
import Layers
import Tensors
import Training
import XCTest

final class StageTrainerTests: XCTestCase {
    /// Noisy images with one coloured blob whose colour is the class: easy for a network, so the
    /// test checks the trainer rather than the difficulty of a dataset.
    private struct ColourBlobs: PreparedImageSource {
        static let colours: [(UInt8, UInt8, UInt8)] = [(220, 40, 40), (40, 200, 40), (40, 60, 220), (220, 210, 40)]
        let labels: [Int]
        var count: Int { labels.count }

        func preparedImage(at index: Int) throws -> RGBImage {
            var rng = RandomGenerator(seed: UInt64(index), purpose: "blobs")
            var image = RGBImage(width: 32, height: 32)
            for i in 0..<(32 * 32 * 3) { image.pixels[i] = UInt8(60 + Int(rng.next() % 80)) }
            let colour = Self.colours[labels[index]]
            let size = 8 + Int(rng.next() % 10), x0 = Int(rng.next() % UInt64(32 - size)), y0 = Int(rng.next() % UInt64(32 - size))
            for y in y0..<(y0 + size) {
                for x in x0..<(x0 + size) {
                    let p = (y * 32 + x) * 3
                    (image.pixels[p], image.pixels[p + 1], image.pixels[p + 2]) = colour
                }
            }
            return image
        }
    }

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
