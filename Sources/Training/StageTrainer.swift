// StageTrainer: runs one stage of the schedule — freeze, per-group rates, epochs of training and validation, checkpoints.

import Datasets
import Experiments
import Layers
import Optimizers
import Tensors

/// One stage, fastai style: `freeze_to`, a fresh optimiser over the layer groups with the stage's
/// spread learning rates, the schedule stepped per training batch, then a validation pass per epoch.
/// Per batch and per epoch it calls `onBatch`/`onEpoch`, then `hooks` in order, then writes a
/// checkpoint when `checkpointInterval` seconds have passed since the last one (0: at every batch),
/// and always before stopping on an interrupt.
public final class StageTrainer {
    public let model: TransferModel
    public let config: ExperimentConfig
    public var onBatch: ((_ epoch: Int, _ batch: Int, _ batches: Int, _ loss: Float) -> Void)?
    /// Before the validation pass that follows training epoch `epoch` (done 0) and after each of its batches.
    public var onValidationBatch: ((_ epoch: Int, _ done: Int, _ batches: Int) -> Void)?
    public var onEpoch: ((EpochRecord) -> Void)?
    public var hooks: [TrainingHook] = []
    /// Where checkpoints go; nil writes none.
    public var writeCheckpoint: ((StageCheckpoint) throws -> Void)?
    public var checkpointInterval: Double = 60
    /// Asked after every training batch; true stops the stage there with a checkpoint.
    public var interruptRequested: () -> Bool = { false }
    /// The node a checkpoint is tagged with.
    public var node = ""

    public init(model: TransferModel, config: ExperimentConfig) {
        self.model = model
        self.config = config
    }

    /// Trains `stage` from its start, or from `checkpoint` when given; returns every epoch's record
    /// (those before the checkpoint included).
    public func fit(_ stage: StageConfig, train: BatchLoader, valid: BatchLoader,
                    from checkpoint: StageCheckpoint? = nil) throws -> [EpochRecord] {
        try ModelFactory.prepare(model, for: stage)
        let maxRates = try stage.lr.values(groups: model.groups.count)
        let optimizer = try OptimizerFactory.make(config, groups: model.groups, learningRates: maxRates)
        let batches = train.batchCount
        let schedule = OptimizerFactory.schedule(stage, preset: config.preset, batches: batches * stage.epochs)
        let step = TrainStep(model: model, loss: CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing)),
                             optimizer: optimizer)
        var position = StagePosition()
        if let checkpoint {
            try model.loadStateDict(checkpoint.model, path: "checkpoint of node \(checkpoint.node)")
            try optimizer.load(state: checkpoint.optimizer)
            for (name, dropout) in Self.dropoutLayers(model) {
                if let rng = checkpoint.dropout[name] { dropout.rng = rng }
            }
            position = checkpoint.position
        }
        func save() throws {
            guard let writeCheckpoint else { return }
            let state = model.stateDict()
            try writeCheckpoint(StageCheckpoint(node: node, position: position, model: state,
                                                 optimizer: optimizer.state(),
                                                 dropout: Self.dropoutLayers(model).mapValues(\.rng)))
        }
        // Gathered once per stage, not per step: the trained weights (frozen ones cannot change and
        // were checked when loaded) and every buffer (BatchNorm statistics).
        let watched: [(key: String, value: () -> Tensor)] =
            model.namedParameters().filter { $0.parameter.requiresGrad }.map { item in (item.key, { item.parameter.value }) }
            + model.namedBuffers().map { item in (item.key, { item.buffer.value }) }
        var lastSave = Stopwatch()
        while position.epoch < stage.epochs && !position.earlyStopping.stopped {
            let epoch = position.epoch
            let watch = Stopwatch()
            model.prepare(training: true)
            let batchesOfEpoch = train.epoch(epoch, from: position.batch)
            while let batch = try batchesOfEpoch.next() {
                try optimizer.apply(schedule, batch: position.step, maxLearningRates: maxRates)
                let (logits, value) = step(batch.images, labels: batch.labels)
                // A non-finite loss updated nothing, so the weights and the last checkpoint stay finite.
                guard value.isFinite else {
                    throw StageTrainerError.nonFinite(stage: stage.name, epoch: epoch, batch: position.batch, loss: value)
                }
                // A diverging run can overflow a weight or a BatchNorm statistic while the loss is
                // still finite. Checked after every step (a pass over the weights, small beside the
                // step itself), so no checkpoint and no finished stage ever holds such a state.
                if let bad = watched.first(where: { !$0.value().isFinite })?.key {
                    throw StageTrainerError.nonFiniteState(stage: stage.name, epoch: epoch, batch: position.batch, key: bad)
                }
                position.trainTotals.add(logits: logits, targets: batch.labels, loss: value)
                let index = position.batch
                position.batch += 1
                position.step += 1
                onBatch?(epoch, index, batches, value)
                var decision = HookDecision.proceed
                for hook in hooks {
                    let asked = hook.batchEnded(epoch: epoch, batch: index, batches: batches, loss: value,
                                                position: &position)
                    if decision == .proceed { decision = asked }
                }
                if decision == .interrupt || interruptRequested() {
                    try save()
                    throw StageTrainerError.interrupted(stage: stage.name, epoch: epoch, batch: position.batch)
                }
                if lastSave.elapsedSeconds >= checkpointInterval {
                    try save()
                    lastSave = Stopwatch()
                }
            }
            let validTotals = try evaluate(valid, epoch: epoch)
            let record = EpochRecord(stage: stage.name, epoch: epoch, trainLoss: position.trainTotals.meanLoss,
                                     validLoss: validTotals.meanLoss, accuracy: validTotals.accuracy,
                                     errorRate: validTotals.errorRate, topKAccuracy: validTotals.topKAccuracy,
                                     seconds: watch.elapsedSeconds)
            position.records.append(record)
            position.epoch += 1
            position.batch = 0
            position.trainTotals = MetricTotals(k: config.train.topK)
            onEpoch?(record)
            var decision = HookDecision.proceed
            for hook in hooks {
                let asked = hook.epochEnded(record, position: &position)
                if decision == .proceed { decision = asked }
            }
            if decision == .endStage { position.earlyStopping.stopped = true }
            if decision == .interrupt || interruptRequested() {
                try save()
                throw StageTrainerError.interrupted(stage: stage.name, epoch: position.epoch, batch: 0)
            }
            // A finished stage needs no checkpoint: its output goes to the stage cache.
            let done = position.epoch == stage.epochs || position.earlyStopping.stopped
            if !done && lastSave.elapsedSeconds >= checkpointInterval {
                try save()
                lastSave = Stopwatch()
            }
        }
        return position.records
    }

    /// The validation pass in evaluation mode.
    public func evaluate(_ valid: BatchLoader, epoch: Int) throws -> MetricTotals {
        model.prepare(training: false)
        let loss = CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing))
        var totals = MetricTotals(k: config.train.topK)
        let batches = valid.epoch(epoch)
        var done = 0
        onValidationBatch?(epoch, done, valid.batchCount)
        while let batch = try batches.next() {
            let logits = Recording.withoutInputGradient { model.forward(batch.images) }
            totals.add(logits: logits, targets: batch.labels, loss: loss.forward(logits, targets: batch.labels))
            done += 1
            onValidationBatch?(epoch, done, valid.batchCount)
        }
        return totals
    }

    /// Dropout layers by module name: their random streams are part of a stage's state.
    public static func dropoutLayers(_ model: TransferModel) -> [String: DropoutLayer] {
        var result: [String: DropoutLayer] = [:]
        for (name, module) in model.namedModules() {
            if let dropout = module as? DropoutLayer { result[name] = dropout }
        }
        return result
    }
}
