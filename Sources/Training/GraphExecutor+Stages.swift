// GraphExecutor+Stages: running one stage node — taken from another job or runs/.cache when its work is done, else trained.

import Experiments
import Foundation
import Layers

extension GraphExecutor {
    /// Runs stage node `node` as the job's stage `name` and returns its last epoch's record.
    func runStage(_ node: JobGraph.Node, name: String, model: TransferModel, config: ExperimentConfig,
                  loaders: DataFactory.Loaders, images: String, job: String, log: JobLog) throws -> EpochRecord? {
        guard let plan = node.stage else { preconditionFailure("the planner gives every stage node its plan") }
        try ModelFactory.prepare(model, for: plan)
        let description = "stage \(name): freeze_to \(plan.freezeTo), trainable \(plan.trainable) of \(plan.parameters) — "
            + plan.groups.map { "group \($0.index): \($0.trainable)/\($0.parameters) at lr \($0.lr)" }.joined(separator: ", ")
        progress.line(description)
        log.stageStarted(description, batchesPerEpoch: loaders.train.batchCount)
        progress.stageStarted(epochs: plan.epochs, batchSize: config.data.batchSize)
        let started = Date()
        let records: [EpochRecord]
        if let done = try finishedOutput(node.id) {
            // The same parameters trained at the same rates from the same start: take its output.
            try model.loadStateDict(done.output.state, path: "stage \(node.id)")
            for (layer, dropout) in StageTrainer.dropoutLayers(model) {
                if let rng = done.output.dropout[layer] { dropout.rng = rng }
            }
            progress.line(done.fromCache
                ? "  (node \(node.id) is in runs/.cache: reused, not retrained; --force recomputes)"
                : "  (same work as job \(done.output.job)'s stage \(name), node \(node.id): reused, not retrained)")
            records = done.output.records(named: name)
            records.forEach(log.replay)
            stagesReused += 1
        } else {
            if let allowed = options.mayTrain, !allowed.contains(node.id) {
                throw PlanError.unfinishedParent(node: node.id, stage: name, job: job)
            }
            let checkpoint = log.store.directory.appendingPathComponent(log.path("\(name).checkpoint.safetensors")).path
            let features = FeatureCache(runsRoot: options.runsRoot, images: images)
            records = try train(node, plan: plan, name: name, model: model, config: config, loaders: loaders,
                                features: features, log: log, checkpoint: checkpoint)
            let output = StageOutput(job: job, state: model.stateDict(),
                                     dropout: StageTrainer.dropoutLayers(model).mapValues(\.rng), records: records)
            finished[node.id] = (output, false)
            try StageCache(runsRoot: options.runsRoot).store(node.id, output)
            // Only once the node is cached: until then, the checkpoint is what a resumed run continues from.
            try? FileManager.default.removeItem(atPath: checkpoint)
            stagesTrained += 1
        }
        try log.stageFinished(StageRecord(
            name: name, freezeTo: plan.freezeTo, epochs: plan.epochs, epochsRun: records.count,
            totalParams: plan.parameters, trainableParams: plan.trainable,
            groups: plan.groups.map { .init(index: $0.index, params: $0.parameters, trainable: $0.trainable, lr: $0.lr) },
            seconds: Date().timeIntervalSince(started)))
        return records.last
    }

    /// The node's output if its work is done: by an earlier job of this run, or in runs/.cache.
    private func finishedOutput(_ node: String) throws -> (output: StageOutput, fromCache: Bool)? {
        if finished[node] == nil, !options.force, let cached = StageCache(runsRoot: options.runsRoot).load(node) {
            finished[node] = (cached, true)
        }
        return finished[node]
    }

    /// Trains the stage, from its checkpoint at `checkpointPath` when resuming.
    private func train(_ node: JobGraph.Node, plan: JobGraph.StagePlan, name: String, model: TransferModel,
                       config: ExperimentConfig, loaders: DataFactory.Loaders, features: FeatureCache, log: JobLog,
                       checkpoint checkpointPath: String) throws -> [EpochRecord] {
        let trainer = StageTrainer(model: model, config: config)
        trainer.featureCache = features
        trainer.onPrecompute = { [progress] in progress.line($0) }
        trainer.onBatch = { [progress] in progress.batch(epoch: $0, batch: $1, batches: $2, loss: $3) }
        trainer.onValidationBatch = { [progress] in progress.validation(epoch: $0, done: $1, of: $2) }
        trainer.onEpoch = log.epoch
        trainer.onBatchPoint = { log.batch($2, stage: name, epoch: $0, index: $1) }
        trainer.node = node.id
        trainer.checkpointInterval = options.checkpointInterval
        trainer.interruptRequested = options.interruptRequested
        trainer.writeCheckpoint = { try $0.write(path: checkpointPath) }
        if let early = config.train.earlyStopping {
            let hook = EarlyStopping(early)
            hook.onStop = { [progress] in progress.line($0) }
            trainer.hooks.append(hook)
        }
        var checkpoint: StageCheckpoint?
        if options.resume, let found = try StageCheckpoint.read(path: checkpointPath) {
            if found.node == node.id {
                checkpoint = found
                progress.line("  resuming from the checkpoint at epoch \(found.position.epoch), batch \(found.position.batch)")
                found.position.records.forEach(log.replay)
                for (index, point) in found.position.batches.enumerated() {
                    log.batch(point, stage: name, epoch: found.position.epoch, index: index)
                }
            } else {
                progress.line("  \(checkpointPath) is of node \(found.node), not \(node.id): the stage starts over")
            }
        }
        let records: [EpochRecord]
        do {
            records = try trainer.fit(plan, name: name, train: loaders.train, valid: loaders.valid, from: checkpoint)
        } catch let error as StageTrainerError {
            throw RunStopped(error: error, run: log.store.directory.path, checkpoint: checkpointPath)
        }
        return records
    }
}
