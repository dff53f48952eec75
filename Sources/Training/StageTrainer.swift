// StageTrainer: runs one stage of the schedule — freeze, per-group rates, epochs of training and validation.

import Datasets
import Experiments
import Layers
import Optimizers
import Tensors

public struct EpochRecord: Equatable, Sendable {
    public var stage: String
    public var epoch: Int
    public var trainLoss: Double
    public var validLoss: Double
    public var accuracy: Double
    public var errorRate: Double
    public var topKAccuracy: Double
    public var seconds: Double
}

public enum StageTrainerError: Error, CustomStringConvertible {
    case nonFinite(stage: String, epoch: Int, batch: Int, loss: Float)

    public var description: String {
        switch self {
        case let .nonFinite(stage, epoch, batch, loss):
            return "stage `\(stage)`: the loss became \(loss) at epoch \(epoch), batch \(batch); lower the learning rate"
                + " (runner lr-find suggests one) — the last good checkpoint is kept"
        }
    }
}

/// One stage, fastai style: `freeze_to`, a fresh optimiser over the layer groups with the stage's
/// spread learning rates, the schedule stepped per training batch, then a validation pass per epoch.
public final class StageTrainer {
    public let model: TransferModel
    public let config: ExperimentConfig
    public var onBatch: ((_ epoch: Int, _ batch: Int, _ batches: Int, _ loss: Float) -> Void)?
    public var onEpoch: ((EpochRecord) -> Void)?

    public init(model: TransferModel, config: ExperimentConfig) {
        self.model = model
        self.config = config
    }

    public func fit(_ stage: StageConfig, train: BatchLoader, valid: BatchLoader) throws -> [EpochRecord] {
        try ModelFactory.prepare(model, for: stage)
        let maxRates = try stage.lr.values(groups: model.groups.count)
        let optimizer = try OptimizerFactory.make(config, groups: model.groups, learningRates: maxRates)
        let batches = train.batchCount
        let schedule = OptimizerFactory.schedule(stage, preset: config.preset, batches: batches * stage.epochs)
        let loss = CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing))
        var records: [EpochRecord] = []
        var step = 0
        for epoch in 0..<stage.epochs {
            let watch = Stopwatch()
            model.prepare(training: true)
            var trainTotals = MetricTotals()
            let batchesOfEpoch = train.epoch(epoch)
            var index = 0
            while let batch = try batchesOfEpoch.next() {
                try optimizer.apply(schedule, batch: step, maxLearningRates: maxRates)
                let logits = model.forward(batch.images)
                let value = loss.forward(logits, targets: batch.labels)
                guard value.isFinite else {
                    throw StageTrainerError.nonFinite(stage: stage.name, epoch: epoch, batch: index, loss: value)
                }
                _ = model.backward(loss.backward(), needsInputGradient: false)
                optimizer.step()
                optimizer.zeroGradients()
                trainTotals.add(logits: logits, targets: batch.labels, loss: value)
                onBatch?(epoch, index, batches, value)
                index += 1
                step += 1
            }
            let validTotals = try evaluate(valid, epoch: epoch)
            let record = EpochRecord(stage: stage.name, epoch: epoch, trainLoss: trainTotals.meanLoss,
                                     validLoss: validTotals.meanLoss, accuracy: validTotals.accuracy,
                                     errorRate: validTotals.errorRate, topKAccuracy: validTotals.topKAccuracy,
                                     seconds: watch.elapsedSeconds)
            records.append(record)
            onEpoch?(record)
        }
        return records
    }

    /// The validation pass in evaluation mode.
    public func evaluate(_ valid: BatchLoader, epoch: Int) throws -> MetricTotals {
        model.prepare(training: false)
        let loss = CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing))
        var totals = MetricTotals()
        let batches = valid.epoch(epoch)
        while let batch = try batches.next() {
            let logits = model.forward(batch.images)
            totals.add(logits: logits, targets: batch.labels, loss: loss.forward(logits, targets: batch.labels))
        }
        return totals
    }
}
