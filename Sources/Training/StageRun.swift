// StageRun: one stage in progress — its optimiser, schedule, position, and the state it checks after every step.

import Datasets
import Experiments
import Layers
import Optimizers
import Tensors

/// Made by `StageTrainer.fit` for one stage; the trainer drives its epochs, this steps its batches.
final class StageRun {
    let model: TransferModel
    /// What the batches go through: the model, or the part after its precomputed prefix.
    let network: any Module
    let stage: StageConfig
    let rates: [Double]
    let optimizer: any Optimizer
    let schedule: any Schedule
    let trainStep: TrainStep
    var position = StagePosition()
    var lastSave = Stopwatch()
    /// Gathered once per stage, not per step: the trained weights (frozen ones cannot change and
    /// were checked when loaded) and every buffer (BatchNorm statistics).
    private let watched: [(key: String, value: () -> Tensor)]

    init(model: TransferModel, network: any Module, config: ExperimentConfig, stage: StageConfig, rates: [Double],
         batches: Int) throws {
        self.model = model
        self.network = network
        self.stage = stage
        self.rates = rates
        optimizer = try OptimizerFactory.make(config, groups: model.groups, learningRates: rates)
        schedule = OptimizerFactory.schedule(stage, preset: config.preset, batches: batches * stage.epochs)
        trainStep = TrainStep(model: network, context: model.context, loss: CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing)),
                         optimizer: optimizer)
        watched = model.namedParameters().filter { $0.parameter.requiresGrad }.map { item in (item.key, { item.parameter.value }) }
            + model.namedBuffers().map { item in (item.key, { item.buffer.value }) }
    }

    /// Continues where `checkpoint` stopped: weights, optimiser moments, dropout streams, position.
    func restore(_ checkpoint: StageCheckpoint) throws {
        try model.loadStateDict(checkpoint.model, path: "checkpoint of node \(checkpoint.node)")
        try optimizer.load(state: checkpoint.optimizer)
        for (name, dropout) in StageTrainer.dropoutLayers(model) {
            if let rng = checkpoint.dropout[name] { dropout.rng = rng }
        }
        position = checkpoint.position
    }

    func checkpoint(node: String) -> StageCheckpoint {
        StageCheckpoint(node: node, position: position, model: model.stateDict(), optimizer: optimizer.state(),
                        dropout: StageTrainer.dropoutLayers(model).mapValues(\.rng))
    }

    /// One training batch at the scheduled rates; returns its loss and advances the position.
    func step(_ batch: Batch) throws -> Float {
        try optimizer.apply(schedule, batch: position.step, maxLearningRates: rates)
        let (logits, value) = trainStep(batch.images, labels: batch.labels)
        // A non-finite loss updated nothing, so the weights and the last checkpoint stay finite.
        guard value.isFinite else {
            throw StageTrainerError.nonFinite(stage: stage.name, epoch: position.epoch, batch: position.batch, loss: value)
        }
        // A diverging run can overflow a weight or a BatchNorm statistic while the loss is still
        // finite. Checked after every step (a pass over the weights, small beside the step itself),
        // so no checkpoint and no finished stage ever holds such a state.
        if let bad = watched.first(where: { !$0.value().isFinite })?.key {
            throw StageTrainerError.nonFiniteState(stage: stage.name, epoch: position.epoch, batch: position.batch,
                                                   key: bad)
        }
        position.trainTotals.add(logits: logits, targets: batch.labels, loss: value)
        position.batches.append(BatchPoint(loss: Double(value), learningRates: optimizer.learningRates,
                                           momentum: optimizer.groups.first?.hyper.momentum ?? 0))
        position.batch += 1
        position.step += 1
        return value
    }
}
