// ExperimentRunner: `runner run` — every job's stages trained in order, logged into a run directory.

import Datasets
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
    /// Continue the latest unfinished run of this config instead of starting a new one.
    public var resume = false
    /// Seconds between checkpoints within a stage (0: after every batch).
    public var checkpointInterval = 60.0
    /// Polled between batches; true stops training with a checkpoint (Ctrl-C).
    public var interruptRequested: () -> Bool = { false }
    /// Banner lines, a bar per epoch and a table row per epoch, as the terminal allows.
    public var progress = ProgressReporter(mode: .automatic)
    /// The SHA-256 of each dataset archive this run fetched or found in the cache, by URL.
    private var archives: [String: String] = [:]
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
        var classes = try ModelCheck.check(loaded)
        let hash = StableHash.hex(loaded.resolvedYAML)
        // Asked before any download or decoding, which `--resume` with nothing to resume would waste.
        let unfinished = resume ? try RunStore.latestUnfinished(root: runsRoot, name: loaded.config.name, configHash: hash)
            : nil
        // Downloads come before the run directory, so a failed one leaves nothing behind. What was
        // not local could not be checked (weights' keys, the data's labels): it is checked now.
        let downloads = !ModelCheck.pendingDownloads(loaded).isEmpty
        try fetchRemote()
        if downloads { classes = try ModelCheck.check(loaded) }
        setThreadCount(threads)
        try decodeData()
        let graph = try Planner.plan(loaded, facts: TransferFacts { config in try DataFactory.classCount(config) ?? classes },
                                     archives: RemoteDataset.archiveHashes(loaded))
        let store: RunStore
        if let unfinished {
            store = RunStore(existing: unfinished)
        } else {
            store = try RunStore(root: runsRoot, name: loaded.config.name, configHash: hash)
        }
        let lock = try RunLock(directory: store.directory)
        defer { withExtendedLifetime(lock) {} }
        if resume {
            log("resuming \(store.directory.path)")
            // The logs are written anew from the cached stages and the checkpoint, so they come out
            // exactly as an uninterrupted run writes them.
            for job in loaded.jobs {
                for file in ["metrics.jsonl", "timings.jsonl"] { try store.remove("jobs/\(job.id)/\(file)") }
            }
        } else {
            try store.write("config.yaml", text: loaded.text)
            try store.write("resolved.yaml", text: loaded.resolvedYAML)
            try store.writeJSON("plan.json", PlanRenderer.jsonObject(graph))
            try store.writeJSON("env.json", environment())
            log("run \(store.directory.path)")
        }
        if loaded.jobs.contains(where: { $0.config.pretrain != nil })
            && !loaded.jobs.contains(where: { $0.config.model.weights == .pretrain }) {
            log("note: the `pretrain` section is not used: no job has `model.weights: pretrain`")
        }
        var summary: [[String: Any]] = []
        for (job, plan) in zip(loaded.jobs, graph.jobs) {
            let nodes = plan.nodes.compactMap { graph.node($0) }
            let final = try run(job, pretrainNode: nodes.first { $0.kind == .pretrain }?.id,
                                stageNodes: nodes.filter { $0.kind == .stage }.map(\.id), store: store)
            summary.append(["job": job.id, "overrides": job.overrides.map(\.description), "final": final])
        }
        try store.writeJSON("summary.json", summary)
        if loaded.jobs.count > 1 {
            log("")
            RunCatalog.render(try RunCatalog.table(RunCatalog.Entry(
                name: loaded.config.name, id: store.directory.lastPathComponent, path: store.directory.path,
                finished: true, jobs: loaded.jobs.count))).forEach(log)
        }
        return store.directory
    }

    /// What a job shares with every stage it runs: where it logs, and its stages.json so far.
    private final class JobLog {
        let store: RunStore
        let prefix: String
        let progress: ProgressReporter
        /// `train.metrics`: the columns of the table, metrics.jsonl and final.json.
        let metrics: [Metric]
        var stages: [[String: Any]] = []

        init(store: RunStore, prefix: String, progress: ProgressReporter, metrics: [Metric]) {
            self.store = store
            self.prefix = prefix
            self.progress = progress
            self.metrics = metrics
        }

        /// The first failed write; the stage rethrows it once training returns, so a log that could
        /// not be written never passes for a complete one.
        private(set) var writeError: Error?

        func epoch(_ record: EpochRecord) {
            do {
                var line: [String: Any] = ["event": "epoch", "stage": record.stage, "epoch": record.epoch,
                                           "train_loss": record.trainLoss, "valid_loss": record.validLoss]
                for metric in metrics { line[metric.description] = record.value(of: metric) }
                try store.append(prefix + "metrics.jsonl", line: line)
                try store.append(prefix + "timings.jsonl", line: ["stage": record.stage, "epoch": record.epoch,
                                                                  "seconds": record.seconds])
            } catch {
                if writeError == nil { writeError = error }
            }
            progress.epoch(record)
        }
    }

    private func run(_ job: Job, pretrainNode: String?, stageNodes: [String], store: RunStore) throws -> [String: Any] {
        let config = job.config
        let jobLog = JobLog(store: store, prefix: "jobs/\(job.id)/", progress: progress, metrics: config.train.metrics)
        progress.metrics = config.train.metrics
        var pretrained: SafeTensors?
        if let pretrainNode, let pretrain = config.pretrainExperiment {
            let (items, loaders) = try data(for: pretrain, jobLog: jobLog, file: "pretrain_skipped_files.json")
            let model = try ModelFactory.build(pretrain, classes: items.classes.count)
            log("job \(job.id): pretraining \(pretrain.model.arch.rawValue) on \(items.classes.count) classes,"
                + " \(loaders.train.indices.count) train / \(loaders.valid.indices.count) valid images"
                + Self.skippedNote(loaders.skipped, file: "pretrain_skipped_files.json"))
            _ = try runStage(pretrain.schedule[0], node: pretrainNode, model: model, config: pretrain,
                             loaders: (loaders.train, loaders.valid), job: job, jobLog: jobLog)
            pretrained = model.stateDict()
        }
        let (items, loaders) = try data(for: config, jobLog: jobLog, file: "skipped_files.json")
        let (train, valid) = (loaders.train, loaders.valid)
        try store.writeJSON(jobLog.prefix + "classes.json", items.classes)
        let model = try ModelFactory.build(config, classes: items.classes.count, log: log)
        if let pretrained {
            try ModelFactory.loadBody(of: pretrained, into: model)
        }
        log("job \(job.id): \(config.model.arch.rawValue), \(items.classes.count) classes, \(train.indices.count) train /"
            + " \(valid.indices.count) valid images" + Self.skippedNote(loaders.skipped, file: "skipped_files.json")
            + (pretrained == nil ? "" : ", body from the pretrain stage"))
        var last: EpochRecord?
        for (stage, node) in zip(config.schedule, stageNodes) {
            last = try runStage(stage, node: node, model: model, config: config, loaders: (train, valid), job: job,
                                jobLog: jobLog).last ?? last
        }
        var final: [String: Any] = ["train_loss": last?.trainLoss ?? 0, "valid_loss": last?.validLoss ?? 0]
        for metric in config.train.metrics { final[metric.description] = last?.value(of: metric) ?? 0 }
        try model.stateDict().write(path: store.directory.appendingPathComponent(jobLog.prefix + "model.safetensors").path)
        try store.writeJSON(jobLog.prefix + "final.json", final)
        return final
    }

    /// Each distinct data section's items and loaders, listed and decoded once by `decodeData`
    /// and handed to every job that uses it.
    private var prepared: [String: (items: SplitItems, loaders: DataFactory.Loaders)] = [:]

    private static func dataKey(_ config: ExperimentConfig) -> String { "\(config.data)|\(config.seed)" }

    /// Decodes every job's images into the decode cache (`runs/.cache/decode`) before the run
    /// directory exists, so that `bad_files: fail` names every unreadable file and leaves no run behind.
    private func decodeData() throws {
        let folder = DataFactory.decodeCacheFolder(runsRoot: runsRoot)
        for job in loaded.jobs {
            for config in job.config.withPretraining where prepared[Self.dataKey(config)] == nil {
                let items = try DataFactory.prepareItems(config)
                log("data: \(items.train.count + items.valid.count) images, decoded once into \(folder)")
                prepared[Self.dataKey(config)] = (items, try DataFactory.loaders(config, items: items, threads: threads,
                                                                                 decodeCache: folder))
            }
        }
    }

    /// A job's items and loaders from `decodeData`; files left out under `bad_files: skip` are
    /// listed in the job's folder as `file`.
    private func data(for config: ExperimentConfig, jobLog: JobLog,
                      file: String) throws -> (items: SplitItems, loaders: DataFactory.Loaders) {
        guard let data = prepared[Self.dataKey(config)] else {
            preconditionFailure("decodeData prepares the data of every job before any job runs")
        }
        if !data.loaders.skipped.isEmpty {
            try jobLog.store.writeJSON(jobLog.prefix + file, data.loaders.skipped.map { ["path": $0.path, "reason": $0.reason] })
        }
        return data
    }

    private static func skippedNote(_ skipped: [DataError.BadFile], file: String) -> String {
        skipped.isEmpty ? "" : ", \(skipped.count) unreadable image\(skipped.count == 1 ? "" : "s") skipped (listed in \(file))"
    }

    private func log(_ text: String) {
        progress.line(text)
    }

    /// One stage node: taken from another job or runs/.cache when that work is done already,
    /// otherwise trained (from its checkpoint when resuming) and stored in the cache.
    private func runStage(_ stage: StageConfig, node: String, model: TransferModel, config: ExperimentConfig,
                          loaders: (train: BatchLoader, valid: BatchLoader), job: Job,
                          jobLog: JobLog) throws -> [EpochRecord] {
        try ModelFactory.prepare(model, for: stage)
        let rates = try stage.lr.values(groups: model.groups.count)
        let groups = model.groups.enumerated().map { index, group -> [String: Any] in
            ["index": index, "params": group.parameterCount, "trainable": group.trainableParameterCount,
             "lr": rates[index]]
        }
        log("stage \(stage.name): freeze_to \(stage.freezeTo), trainable \(model.trainableParameterCount)"
            + " of \(model.parameterCount) — "
            + model.groups.enumerated().map { index, group in
                "group \(index): \(group.trainableParameterCount)/\(group.parameterCount) at lr \(rates[index])"
            }.joined(separator: ", "))
        progress.stageStarted(epochs: stage.epochs, batchSize: config.data.batchSize)
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
            for (name, dropout) in StageTrainer.dropoutLayers(model) {
                if let rng = done.dropout[name] { dropout.rng = rng }
            }
            log(done.fromCache ? "  (node \(node) is in runs/.cache: reused, not retrained; --force recomputes)"
                               : "  (same work as job \(done.job)'s stage \(stage.name), node \(node): reused, not retrained)")
            records = done.records
            records.forEach(jobLog.epoch)
            stagesReused += 1
        } else {
            let checkpointPath = jobLog.store.directory
                .appendingPathComponent(jobLog.prefix + "\(stage.name).checkpoint.safetensors").path
            let trainer = StageTrainer(model: model, config: config)
            trainer.onBatch = { [progress] in progress.batch(epoch: $0, batch: $1, batches: $2, loss: $3) }
            trainer.onValidationBatch = { [progress] in progress.validation(epoch: $0, done: $1, of: $2) }
            trainer.onEpoch = jobLog.epoch
            trainer.node = node
            trainer.checkpointInterval = checkpointInterval
            trainer.interruptRequested = interruptRequested
            trainer.writeCheckpoint = { try $0.write(path: checkpointPath) }
            if let early = config.train.earlyStopping {
                let hook = EarlyStopping(early)
                hook.onStop = { [progress] in progress.line($0) }
                trainer.hooks.append(hook)
            }
            var checkpoint: StageCheckpoint?
            if resume, let found = try StageCheckpoint.read(path: checkpointPath) {
                if found.node == node {
                    checkpoint = found
                    log("  resuming from the checkpoint at epoch \(found.position.epoch), batch \(found.position.batch)")
                    found.position.records.forEach(jobLog.epoch)
                } else {
                    log("  \(checkpointPath) is of node \(found.node), not \(node): the stage starts over")
                }
            }
            do {
                records = try trainer.fit(stage, train: loaders.train, valid: loaders.valid, from: checkpoint)
            } catch let error as StageTrainerError {
                throw RunStopped(error: error, run: jobLog.store.directory.path, checkpoint: checkpointPath)
            }
            let done = FinishedStage(job: job.id, state: model.stateDict(),
                                     dropout: StageTrainer.dropoutLayers(model).mapValues(\.rng), records: records,
                                     fromCache: false)
            finished[node] = done
            try cache.store(node, StageCache.Entry(job: done.job, state: done.state, dropout: done.dropout,
                                                   records: done.records))
            try? FileManager.default.removeItem(atPath: checkpointPath)
            stagesTrained += 1
        }
        if let error = jobLog.writeError { throw error }
        jobLog.stages.append(["name": stage.name, "freeze_to": stage.freezeTo, "epochs": stage.epochs,
                              "epochs_run": records.count, "total_params": model.parameterCount,
                              "trainable_params": model.trainableParameterCount, "groups": groups,
                              "seconds": Date().timeIntervalSince(started)])
        try jobLog.store.writeJSON(jobLog.prefix + "stages.json", jobLog.stages)
        return records
    }

    /// Fetches every job's ImageNet weights and remote dataset into the cache, or verifies the
    /// copies already there.
    private func fetchRemote() throws {
        let quiet = progress.mode == .quiet
        for job in loaded.jobs {
            for config in job.config.withPretraining {
                if case let .imagenet(variant)? = config.model.weights,
                   let entry = ImageNetWeights.find(config.model.arch, variant: variant) {
                    _ = try PretrainedWeights.converted(entry, quiet: quiet)
                }
                if let remote = config.data.remote, archives[remote.url] == nil {
                    archives[remote.url] = try RemoteDataset.prepare(config.data, quiet: quiet, log: log).sha256
                }
            }
        }
    }

    private func environment() -> [String: Any] {
        ["archives": archives.map { ["url": $0.key, "sha256": $0.value] }.sorted { "\($0["url"] ?? "")" < "\($1["url"] ?? "")" },
         "cache": RemoteFiles.root,
         "swift": CompilerVersion.swift, "openblas": BLAS.configuration, "cpu": BLAS.coreName, "threads": threads,
         "seed": loaded.config.seed,
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
