// StageCheckpointTests: interrupting a stage, resuming it from its checkpoint file, early stopping and the NaN guard.

import Datasets
import Experiments
import Foundation
import Layers
import Tensors
import Training
import XCTest

final class StageCheckpointTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        setThreadCount(2)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops at a chosen batch of a chosen epoch.
    private final class StopAt: TrainingHook {
        let epoch: Int, batch: Int
        init(epoch: Int, batch: Int) { (self.epoch, self.batch) = (epoch, batch) }
        func batchEnded(epoch: Int, batch: Int, batches: Int, loss: Float, position: inout StagePosition) -> HookDecision {
            epoch == self.epoch && batch == self.batch ? .interrupt : .proceed
        }
    }

    private func config(lr: String = "3e-3", optimizer: String = "{name: adam}") throws -> ExperimentConfig {
        let yaml = """
            version: 1
            seed: 5
            data: {source: generated, variant: source, classes: 4, images_per_class: 40, size: 32, batch_size: 8}
            model: {arch: resnet18, classes: 4, head: {lin_ftrs: [32], ps: 0.5}}
            train: {optimizer: \(optimizer)}
            schedule:
              - {name: all, freeze_to: 1, epochs: 3, lr: \(lr)}
            """
        return try ConfigLoader.load(yaml: yaml, path: "t.yaml", options: .init(checkFiles: false)).config
    }

    private func loaders() -> (BatchLoader, BatchLoader) {
        let transforms = Transforms(size: 32, resize: .squish, augment: .standard, normalization: .imagenet)
        func loader(count: Int, offset: Int, training: Bool) -> BatchLoader {
            let labels = (0..<count).map { ($0 * 7 + offset) % 4 }
            return BatchLoader(source: ColourBlobs(labels: labels), labels: labels, transforms: transforms,
                               batchSize: 8, training: training, seed: 13, threads: 2)
        }
        return (loader(count: 48, offset: 0, training: true), loader(count: 16, offset: 1, training: false))
    }

    private func trainer(_ config: ExperimentConfig) throws -> StageTrainer {
        let trainer = StageTrainer(model: try ModelFactory.build(config, classes: 4), config: config)
        trainer.node = "stage-test"
        return trainer
    }

    private func losses(_ records: [EpochRecord]) -> [[Double]] {
        records.map { [$0.trainLoss, $0.validLoss, $0.accuracy, $0.errorRate] }
    }

    func testAStageInterruptedMidEpochAndResumedFromItsFileEndsByteIdentical() throws {
        let config = try config()
        let (train, valid) = loaders()
        let whole = try trainer(config)
        let expected = try whole.fit(config.schedule[0], train: train, valid: valid)
        let expectedWeights = whole.model.stateDict().serialized()

        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        let first = try trainer(config)
        first.hooks = [StopAt(epoch: 1, batch: 2)]
        first.writeCheckpoint = { try $0.write(path: path) }
        XCTAssertThrowsError(try first.fit(config.schedule[0], train: train, valid: valid)) { error in
            guard case StageTrainerError.interrupted(_, 1, 3)? = error as? StageTrainerError else {
                return XCTFail("expected an interrupt at epoch 1 after 3 batches, got \(error)")
            }
        }
        let checkpoint = try XCTUnwrap(try StageCheckpoint.read(path: path))
        XCTAssertEqual(checkpoint.node, "stage-test")
        XCTAssertEqual([checkpoint.position.epoch, checkpoint.position.batch, checkpoint.position.step], [1, 3, 9])
        XCTAssertEqual(checkpoint.position.records.count, 1)
        XCTAssertFalse(checkpoint.optimizer.isEmpty, "the optimiser's moments are saved")
        XCTAssertFalse(checkpoint.dropout.isEmpty, "the head's dropout stream is saved")

        // A fresh model with other initial weights: everything must come from the checkpoint.
        var other = config
        other.seed = 99
        let resumed = try trainer(other)
        let records = try resumed.fit(config.schedule[0], train: train, valid: valid, from: checkpoint)
        XCTAssertEqual(losses(records), losses(expected))
        XCTAssertEqual(resumed.model.stateDict().serialized(), expectedWeights, "final weights differ byte for byte")
    }

    func testWithoutTheOptimiserStateTheResumedStageDiffers() throws {
        // The test above could pass if resuming ignored what it loads; this one shows the state matters.
        let config = try config()
        let (train, valid) = loaders()
        let whole = try trainer(config)
        _ = try whole.fit(config.schedule[0], train: train, valid: valid)
        var saved: StageCheckpoint?
        let first = try trainer(config)
        first.hooks = [StopAt(epoch: 1, batch: 2)]
        first.writeCheckpoint = { saved = $0 }
        XCTAssertThrowsError(try first.fit(config.schedule[0], train: train, valid: valid))
        var checkpoint = try XCTUnwrap(saved)
        checkpoint.optimizer = [:]
        let resumed = try trainer(config)
        _ = try resumed.fit(config.schedule[0], train: train, valid: valid, from: checkpoint)
        XCTAssertNotEqual(resumed.model.stateDict().serialized(), whole.model.stateDict().serialized())
    }

    func testEarlyStoppingEndsTheStageAndItsCountersSurviveACheckpoint() throws {
        let config = try config()
        let (train, valid) = loaders()
        let trainer = try trainer(config)
        // Nothing improves by 10 nats, so the second epoch uses up a patience of 1.
        let stopping = EarlyStopping(EarlyStoppingConfig(monitor: .trainLoss, patience: 1, minDelta: 10))
        var lines: [String] = []
        stopping.onStop = { lines.append($0) }
        trainer.hooks = [stopping]
        var saved: StageCheckpoint?
        trainer.checkpointInterval = 0
        trainer.writeCheckpoint = { saved = $0 }
        let records = try trainer.fit(config.schedule[0], train: train, valid: valid)
        XCTAssertEqual(records.count, 2, "3 epochs asked, stopped after 2")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].contains("train_loss"), lines[0])

        // The checkpoint after epoch 0 carries best and wait, so a resumed stage stops at the same epoch.
        let checkpoint = try XCTUnwrap(saved)
        XCTAssertEqual(checkpoint.position.epoch, 1)
        XCTAssertEqual(checkpoint.position.earlyStopping.wait, 0)
        XCTAssertNotNil(checkpoint.position.earlyStopping.best)
        let path = directory.appendingPathComponent("c.safetensors").path
        try checkpoint.write(path: path)
        let again = try self.trainer(config)
        again.hooks = [EarlyStopping(EarlyStoppingConfig(monitor: .trainLoss, patience: 1, minDelta: 10))]
        let resumed = try again.fit(config.schedule[0], train: train, valid: valid,
                                    from: try XCTUnwrap(try StageCheckpoint.read(path: path)))
        XCTAssertEqual(losses(resumed), losses(records))
    }

    func testEarlyStoppingComparesInTheMonitoredDirection() {
        func run(_ monitor: EarlyStoppingConfig.Monitor, _ values: [Double]) -> Int {
            let hook = EarlyStopping(EarlyStoppingConfig(monitor: monitor, patience: 2, minDelta: 0.01))
            var position = StagePosition()
            for (i, v) in values.enumerated() {
                let record = EpochRecord(stage: "s", epoch: i, trainLoss: v, validLoss: v, accuracy: v, errorRate: v,
                                         topKAccuracy: v, seconds: 0)
                if hook.epochEnded(record, position: &position) == .endStage { return i }
            }
            return -1
        }
        XCTAssertEqual(run(.validLoss, [1.0, 0.9, 0.8, 0.7]), -1, "falling loss keeps going")
        XCTAssertEqual(run(.validLoss, [1.0, 0.995, 0.999, 0.5]), 2, "improvements under min_delta do not count")
        XCTAssertEqual(run(.accuracy, [0.5, 0.6, 0.7, 0.8]), -1, "rising accuracy keeps going")
        XCTAssertEqual(run(.accuracy, [0.5, 0.4, 0.45, 0.9]), 2)
    }

    func testADivergingLossStopsTheStageAndTheLastCheckpointIsFinite() throws {
        let config = try config(lr: "1e6", optimizer: "{name: sgd}")
        let (train, valid) = loaders()
        let trainer = try trainer(config)
        trainer.checkpointInterval = 0
        var saved: StageCheckpoint?
        trainer.writeCheckpoint = { saved = $0 }
        XCTAssertThrowsError(try trainer.fit(config.schedule[0], train: train, valid: valid)) { error in
            switch error as? StageTrainerError {
            case .nonFinite?, .nonFiniteState?: break
            default: return XCTFail("expected a non-finite loss or state, got \(error)")
            }
            XCTAssertTrue("\(error)".contains("lower the learning rate"), "\(error)")
        }
        let kept = try XCTUnwrap(saved, "no checkpoint was kept before the stage diverged")
        XCTAssertFalse(kept.model.tensors.isEmpty)
        for (key, tensor) in kept.model.tensors {
            XCTAssertTrue(tensor.data.allSatisfy(\.isFinite), "\(key) is not finite in the kept checkpoint")
        }
    }

    func testAFileThatIsNotACheckpointIsRefusedByName() throws {
        let path = directory.appendingPathComponent("weights.safetensors").path
        try SafeTensors(tensors: ["w": Tensor(zeros: [2])]).write(path: path)
        XCTAssertThrowsError(try StageCheckpoint.read(path: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertNil(try StageCheckpoint.read(path: directory.appendingPathComponent("absent").path))
    }
}
