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
    /// How many stage nodes this run trained, and how many it took from another job or the cache.
    public private(set) var stagesTrained = 0
    public private(set) var stagesReused = 0
    /// How many models this run built and data sections it listed (each once per distinct one).
    public private(set) var modelsBuilt = 0
    public private(set) var dataListings = 0
    /// The most finished stage outputs held in memory between two jobs (those later jobs start from).
    public private(set) var mostStageOutputsHeld = 0

    public static var defaultThreads: Int { Parallel.threadCount }

    public init(loaded: LoadedConfig, runsRoot: String = "runs", threads: Int = ExperimentRunner.defaultThreads) {
        self.loaded = loaded
        self.runsRoot = runsRoot
        self.threads = threads
    }

    /// config → checks → plan → executor. Everything is checked first: a config with errors trains
    /// nothing and leaves no run directory. The checks list the data and build the models once, and
    /// the plan and the executor use what they found.
    public func run() throws -> URL {
        defer { progress.finish() }
        let facts = TransferFacts(threads: threads)
        try ModelCheck.check(loaded, facts: facts)
        let hash = StableHash.hex(loaded.resolvedYAML)
        // Asked before any download or decoding, which `--resume` with nothing to resume would waste.
        let unfinished = resume ? try RunStore.latestUnfinished(root: runsRoot, name: loaded.config.name, configHash: hash)
            : nil
        // Downloads come before the run directory, so a failed one leaves nothing behind. What was
        // not local could not be checked (weights' keys, the data's labels): it is checked now.
        let downloads = !ModelCheck.pendingDownloads(loaded).isEmpty
        try fetchRemote()
        if downloads { try ModelCheck.check(loaded, facts: facts) }
        setThreadCount(threads)
        let executor = GraphExecutor(facts: facts, options: .init(
            runsRoot: runsRoot, threads: threads, force: force, resume: resume, checkpointInterval: checkpointInterval,
            interruptRequested: interruptRequested), progress: progress)
        try executor.prepareData(loaded.jobs.flatMap(\.config.withPretraining))
        let graph = try Planner.plan(loaded, facts: facts)
        let store = try openStore(unfinished: unfinished, graph: graph)
        let lock = try RunLock(directory: store.directory)
        defer { withExtendedLifetime(lock) {} }
        if loaded.jobs.contains(where: { $0.config.pretrain != nil })
            && !loaded.jobs.contains(where: { $0.config.model.weights == .pretrain }) {
            log("note: the `pretrain` section is not used: no job has `model.weights: pretrain`")
        }
        defer {
            (stagesTrained, stagesReused) = (executor.stagesTrained, executor.stagesReused)
            (modelsBuilt, dataListings) = (facts.modelsBuilt, facts.dataListings)
            mostStageOutputsHeld = executor.mostOutputsHeld
        }
        try train(graph, executor: executor, store: store)
        if loaded.jobs.count > 1 {
            log("")
            RunCatalog.render(try RunCatalog.table(RunCatalog.Entry(
                name: loaded.config.name, id: store.directory.lastPathComponent, path: store.directory.path,
                finished: true, jobs: loaded.jobs.count))).forEach(log)
        }
        return store.directory
    }

    /// Every job, then summary.json, the report, and the end of the MLflow run when `tracking:` is set.
    private func train(_ graph: JobGraph, executor: GraphExecutor, store: RunStore) throws {
        let tracking = loaded.config.tracking.map { LiveTracking(run: store.directory, settings: $0, say: log,
                                                                    warn: progress.warning) }
        tracking?.open()
        executor.tracking = tracking
        let summary: [SummaryRow]
        do {
            summary = try graph.jobs.map { try executor.run($0, in: graph, store: store) }
        } catch let stopped as RunStopped where stopped.interrupted {
            tracking?.finish(status: "KILLED")
            throw stopped
        } catch {
            // An interrupted run is continued with --resume; one that failed is marked so.
            try? store.writeRecord(RunStore.failureFile, FailureRecord(error: "\(error)"))
            tracking?.finish(status: "FAILED")
            throw error
        }
        try store.writeRecord("summary.json", summary)
        ReportWriter.finish(run: store.directory, log: log)
        tracking?.finish(status: "FINISHED")
    }

    /// The run directory: the unfinished one being resumed (its logs to be written anew), or a new
    /// one with the config, the plan and the environment.
    private func openStore(unfinished: URL?, graph: JobGraph) throws -> RunStore {
        if let unfinished {
            let store = RunStore(existing: unfinished)
            log("resuming \(store.directory.path)")
            // The logs are written anew from the cached stages and the checkpoint, so they come out
            // exactly as an uninterrupted run writes them.
            for job in loaded.jobs {
                for file in ["metrics.jsonl", "timings.jsonl"] { try store.remove("jobs/\(job.id)/\(file)") }
            }
            return store
        }
        let store = try Self.createStore(loaded, runsRoot: runsRoot, graph: graph,
                                         environment: Self.environment(loaded, threads: threads, archives: archives))
        log("run \(store.directory.path)")
        return store
    }

    /// A new run directory with the config, the resolved config, the plan and the environment.
    static func createStore(_ loaded: LoadedConfig, runsRoot: String, graph: JobGraph,
                            environment: EnvironmentRecord) throws -> RunStore {
        let store = try RunStore(root: runsRoot, name: loaded.config.name, configHash: StableHash.hex(loaded.resolvedYAML))
        try store.write("config.yaml", text: loaded.text)
        try store.write("resolved.yaml", text: loaded.resolvedYAML)
        try store.writeJSON("plan.json", PlanRenderer.jsonObject(graph))
        try store.writeRecord("env.json", environment)
        return store
    }

    private func log(_ text: String) {
        progress.line(text)
    }

    /// Fetches every job's ImageNet weights and remote dataset into the cache, or verifies the
    /// copies already there.
    private func fetchRemote() throws {
        archives = try Self.fetchRemote(loaded, quiet: progress.mode == .quiet, log: log)
    }

    /// Fetches or verifies `loaded`'s downloads and returns each dataset archive's SHA-256 by URL.
    static func fetchRemote(_ loaded: LoadedConfig, quiet: Bool, log: (String) -> Void) throws -> [String: String] {
        var archives: [String: String] = [:]
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
        return archives
    }

    static func environment(_ loaded: LoadedConfig, threads: Int, archives: [String: String]) -> EnvironmentRecord {
        EnvironmentRecord(archives: archives.sorted { $0.key < $1.key }.map { .init(url: $0.key, sha256: $0.value) },
                          cache: RemoteFiles.root, swift: CompilerVersion.swift, openblas: BLAS.configuration,
                          cpu: BLAS.coreName, threads: threads, seed: loaded.config.seed,
                          os: ProcessInfo.processInfo.operatingSystemVersionString, gitCommit: gitCommit() ?? "unknown",
                          numerics: Numerics.mode.rawValue, processorVectors: Numerics.processorVectors,
                          build: Numerics.build)
    }

    private static func gitCommit() -> String? {
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
