// ExperimentRunner: `runner run` — every job's stages trained in order, logged into a run directory.

import Experiments
import Foundation
import Layers
import Tensors

public final class ExperimentRunner {
    public let loaded: LoadedConfig
    public let runsRoot: String
    public let threads: Int
    /// Recompute every node instead of taking finished ones from runs/.cache.
    public var force = false
    /// Banner lines, a bar per epoch and a table row per epoch, as the terminal allows.
    public var progress = ProgressReporter(mode: .automatic)
    /// Outputs of finished stage nodes by node id, so a stage that several jobs share runs once.
    private var finished: [String: FinishedStage] = [:]
    /// How many stage nodes this run trained, and how many it took from another job or the cache.
    public private(set) var stagesTrained = 0
    public private(set) var stagesReused = 0

    /// What a stage node leaves behind: the model's state, the dropout streams, and its epochs.
    private struct FinishedStage {
        var job: String
        var state: SafeTensors
        var dropout: [String: RandomGenerator]
        var records: [EpochRecord]
        var fromCache: Bool
    }

    public static var defaultThreads: Int { Parallel.threadCount }

    public init(loaded: LoadedConfig, runsRoot: String = "runs", threads: Int = ExperimentRunner.defaultThreads) {
        self.loaded = loaded
        self.runsRoot = runsRoot
        self.threads = threads
    }

    /// Checks everything first — a config with errors trains nothing and leaves no run directory.
    public func run() throws -> URL {
        defer { progress.finish() }
        let classes = try DataFactory.classCount(loaded.config) ?? 2
        let errors = ModelCheck.errors(in: loaded, classes: classes)
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        setThreadCount(threads)
        let graph = try Planner.plan(loaded, facts: TransferFacts { config in try DataFactory.classCount(config) ?? classes })
        let store = try RunStore(root: runsRoot, name: loaded.config.name, configHash: StableHash.hex(loaded.resolvedYAML))
        try store.write("config.yaml", text: loaded.text)
        try store.write("resolved.yaml", text: loaded.resolvedYAML)
        try store.writeJSON("plan.json", PlanRenderer.jsonObject(graph))
        try store.writeJSON("env.json", environment())
        log("run \(store.directory.path)")
        var summary: [[String: Any]] = []
        for (job, plan) in zip(loaded.jobs, graph.jobs) {
            let final = try run(job, stageNodes: Array(plan.nodes.dropFirst(3).prefix(job.config.schedule.count)),
                                store: store)
            summary.append(["job": job.id, "overrides": job.overrides.map(\.description), "final": final])
        }
        try store.writeJSON("summary.json", summary)
        return store.directory
    }

    private func run(_ job: Job, stageNodes: [String], store: RunStore) throws -> [String: Any] {
        let config = job.config
        let prefix = "jobs/\(job.id)/"
        let items = try DataFactory.prepareItems(config)
        let (train, valid) = DataFactory.loaders(config, items: items, threads: threads)
        try store.writeJSON(prefix + "classes.json", items.classes)
        let model = try ModelFactory.build(config, classes: items.classes.count)
        log("job \(job.id): \(config.model.arch.rawValue), \(items.classes.count) classes, \(items.train.count) train /"
            + " \(items.valid.count) valid images")
        let trainer = StageTrainer(model: model, config: config)
        trainer.onBatch = { [progress] in progress.batch(epoch: $0, batch: $1, batches: $2, loss: $3) }
        var stages: [[String: Any]] = []
        var last: EpochRecord?
        for (stage, node) in zip(config.schedule, stageNodes) {
            try ModelFactory.prepare(model, for: stage)
            let rates = try stage.lr.values(groups: model.groups.count)
            let groups = model.groups.enumerated().map { index, group -> [String: Any] in
                ["index": index, "params": group.parameterCount, "trainable": group.trainableParameterCount,
                 "lr": rates[index]]
            }
            log("stage \(stage.name): freeze_to \(stage.freezeTo), trainable \(model.trainableParameterCount)"
                + " of \(model.parameterCount) — "
                + model.groups.enumerated().map { "group \($0): \($1.trainableParameterCount)/\($1.parameterCount)" }
                    .joined(separator: ", "))
            progress.stageStarted(epochs: stage.epochs, batchSize: config.data.batchSize)
            let logEpoch: (EpochRecord) -> Void = { [progress] record in
                try? store.append(prefix + "metrics.jsonl", line: [
                    "event": "epoch", "stage": record.stage, "epoch": record.epoch,
                    "train_loss": record.trainLoss, "valid_loss": record.validLoss,
                    "accuracy": record.accuracy, "error_rate": record.errorRate,
                ])
                try? store.append(prefix + "timings.jsonl", line: ["stage": record.stage, "epoch": record.epoch,
                                                                   "seconds": record.seconds])
                progress.epoch(record)
            }
            let started = Date()
            let records: [EpochRecord]
            let cache = StageCache(runsRoot: runsRoot)
            if finished[node] == nil, !force, let cached = cache.load(node) {
                finished[node] = FinishedStage(job: cached.job, state: cached.state, dropout: cached.dropout,
                                               records: cached.records, fromCache: true)
            }
            if let done = finished[node] {
                // The same parameters trained at the same rates from the same start: take its output.
                try model.loadStateDict(done.state, path: "stage \(node)")
                for (name, dropout) in dropoutLayers(model) { if let rng = done.dropout[name] { dropout.rng = rng } }
                log(done.fromCache ? "  (node \(node) is in runs/.cache: reused, not retrained; --force recomputes)"
                                   : "  (same work as job \(done.job)'s stage \(stage.name), node \(node): reused, not retrained)")
                records = done.records
                records.forEach(logEpoch)
                stagesReused += 1
            } else {
                trainer.onEpoch = logEpoch
                records = try trainer.fit(stage, train: train, valid: valid)
                let done = FinishedStage(job: job.id, state: model.stateDict(),
                                         dropout: dropoutLayers(model).mapValues(\.rng), records: records, fromCache: false)
                finished[node] = done
                try cache.store(node, StageCache.Entry(job: done.job, state: done.state, dropout: done.dropout,
                                                       records: done.records))
                stagesTrained += 1
            }
            last = records.last ?? last
            stages.append(["name": stage.name, "freeze_to": stage.freezeTo, "epochs": stage.epochs,
                           "total_params": model.parameterCount, "trainable_params": model.trainableParameterCount,
                           "groups": groups, "seconds": Date().timeIntervalSince(started)])
            try store.writeJSON(prefix + "stages.json", stages)
        }
        let final: [String: Any] = ["train_loss": last?.trainLoss ?? 0, "valid_loss": last?.validLoss ?? 0,
                                    "accuracy": last?.accuracy ?? 0, "error_rate": last?.errorRate ?? 0]
        try store.writeJSON(prefix + "final.json", final)
        return final
    }

    private func log(_ text: String) {
        progress.line(text)
    }

    private func dropoutLayers(_ model: TransferModel) -> [String: DropoutLayer] {
        var result: [String: DropoutLayer] = [:]
        for (name, module) in model.namedModules() {
            if let dropout = module as? DropoutLayer { result[name] = dropout }
        }
        return result
    }

    private func environment() -> [String: Any] {
        ["openblas": BLAS.configuration, "cpu": BLAS.coreName, "threads": threads, "seed": loaded.config.seed,
         "os": ProcessInfo.processInfo.operatingSystemVersionString, "git_commit": gitCommit() ?? "unknown"]
    }

    private func gitCommit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["rev-parse", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
