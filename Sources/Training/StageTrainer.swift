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
    /// The batch's loss, rates and momentum, for the job's TensorBoard log.
    public var onBatchPoint: ((_ epoch: Int, _ batch: Int, BatchPoint) -> Void)?
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
    /// Where a stage that precomputes keeps its features. Without one (a stage trained outside a
    /// run) the fixed prefix runs every epoch instead, which gives the same numbers.
    var featureCache: FeatureCache?
    /// Told where a precomputing stage's features came from.
    public var onPrecompute: ((String) -> Void)?

    public init(model: TransferModel, config: ExperimentConfig) {
        self.model = model
        self.config = config
    }

    /// Trains `stage` outside a plan (tests): its plan is made from the model as the planner makes it.
    public func fit(_ stage: StageConfig, train: BatchLoader, valid: BatchLoader,
                    from checkpoint: StageCheckpoint? = nil) throws -> [EpochRecord] {
        try ModelFactory.prepare(model, for: stage)
        let plan = try JobGraph.StagePlan.make(stage, facts: TransferFacts.stageFacts(of: model), config: config)
        return try fit(plan, train: train, valid: valid, from: checkpoint)
    }

    /// Trains a planned stage from its start, or from `checkpoint` when given; returns every epoch's
    /// record (those before the checkpoint included), labelled `name` (the plan's stage name by default).
    public func fit(_ plan: JobGraph.StagePlan, name: String? = nil, train: BatchLoader, valid: BatchLoader,
                    from checkpoint: StageCheckpoint? = nil) throws -> [EpochRecord] {
        var stage = plan.stage
        stage.name = name ?? stage.name
        try ModelFactory.prepare(model, for: plan)
        precondition(plan.exactPrefix <= model.fixedPrefix, "the plan fixes body children that train in this model")
        model.exactPrefix = plan.exactPrefix
        defer { model.exactPrefix = 0 }
        let inputs = try inputs(plan, train: train, valid: valid)
        let run = try StageRun(model: model, network: inputs.network, config: config, stage: stage, rates: plan.lrs,
                               batches: train.batchCount)
        if let checkpoint { try run.restore(checkpoint) }
        while run.position.epoch < stage.epochs && !run.position.earlyStopping.stopped {
            let watch = Stopwatch()
            try trainEpoch(run, inputs.train)
            try endEpoch(run, inputs.valid, seconds: watch.elapsedSeconds)
        }
        return run.position.records
    }

    /// The images and the whole model, or, when the stage precomputes, features of its fixed prefix
    /// and the layers after it. Either gives the same numbers: the prefix runs one image at a time.
    private func inputs(_ plan: JobGraph.StagePlan, train: BatchLoader, valid: BatchLoader) throws
        -> (network: any Module, train: any BatchSource, valid: any BatchSource) {
        guard plan.precompute, let featureCache else { return (model, train, valid) }
        let features = try featureCache.features(of: model, train: train, valid: valid) { onPrecompute?($0) }
        return (model.afterPrefix, FeatureBatches(train, features: features),
                FeatureBatches(valid, features: features))
    }

    /// The rest of the current epoch's training batches, each followed by the hooks and a checkpoint when due.
    private func trainEpoch(_ run: StageRun, _ train: any BatchSource) throws {
        let epoch = run.position.epoch, batches = train.batchCount
        model.prepare(training: true)
        let batchesOfEpoch = train.batches(epoch: epoch, from: run.position.batch)
        while let batch = try batchesOfEpoch.next() {
            let value = try run.step(batch)
            let index = run.position.batch - 1
            onBatch?(epoch, index, batches, value)
            if let point = run.position.batches.last { onBatchPoint?(epoch, index, point) }
            var decision = HookDecision.proceed
            for hook in hooks {
                let asked = hook.batchEnded(epoch: epoch, batch: index, batches: batches, loss: value,
                                            position: &run.position)
                if decision == .proceed { decision = asked }
            }
            if decision == .interrupt || interruptRequested() {
                try save(run)
                throw StageTrainerError.interrupted(stage: run.stage.name, epoch: epoch, batch: run.position.batch)
            }
            if run.lastSave.elapsedSeconds >= checkpointInterval { try save(run) }
        }
    }

    /// The validation pass, the epoch's record, the hooks, and a checkpoint when due and not done.
    private func endEpoch(_ run: StageRun, _ valid: any BatchSource, seconds: Double) throws {
        let epoch = run.position.epoch
        let validTotals = try evaluate(valid, network: run.network, epoch: epoch)
        var record = EpochRecord(stage: run.stage.name, epoch: epoch, trainLoss: run.position.trainTotals.meanLoss,
                                 validLoss: validTotals.meanLoss, accuracy: validTotals.accuracy,
                                 errorRate: validTotals.errorRate, topKAccuracy: validTotals.topKAccuracy,
                                 seconds: seconds)
        record.batches = run.position.batches
        run.position.batches = []
        run.position.records.append(record)
        run.position.epoch += 1
        run.position.batch = 0
        run.position.trainTotals = MetricTotals(k: config.train.topK)
        onEpoch?(record)
        var decision = HookDecision.proceed
        for hook in hooks {
            let asked = hook.epochEnded(record, position: &run.position)
            if decision == .proceed { decision = asked }
        }
        if decision == .endStage { run.position.earlyStopping.stopped = true }
        if decision == .interrupt || interruptRequested() {
            try save(run)
            throw StageTrainerError.interrupted(stage: run.stage.name, epoch: run.position.epoch, batch: 0)
        }
        // A finished stage needs no checkpoint: its output goes to the stage cache.
        let done = run.position.epoch == run.stage.epochs || run.position.earlyStopping.stopped
        if !done && run.lastSave.elapsedSeconds >= checkpointInterval { try save(run) }
    }

    private func save(_ run: StageRun) throws {
        defer { run.lastSave = Stopwatch() }
        guard let writeCheckpoint else { return }
        try writeCheckpoint(run.checkpoint(node: node))
    }

    /// The validation pass in evaluation mode.
    public func evaluate(_ valid: BatchLoader, epoch: Int) throws -> MetricTotals {
        try evaluate(valid, network: model, epoch: epoch)
    }

    private func evaluate(_ valid: any BatchSource, network: any Module, epoch: Int) throws -> MetricTotals {
        model.prepare(training: false)
        let loss = CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing))
        var totals = MetricTotals(k: config.train.topK)
        let batches = valid.batches(epoch: epoch, from: 0)
        var done = 0
        onValidationBatch?(epoch, done, valid.batchCount)
        while let batch = try batches.next() {
            let logits = model.context.withoutInputGradient { network.forward(batch.images) }
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
