// GraphExecutor: runs a job graph's nodes by kind — data, cache, model, pretrain and stage, evaluate — each job's in order.

import Datasets
import Experiments
import Foundation
import Layers
import Tensors

/// Everything a node runs with comes from the plan: a job's config, and a stage node's frozen
/// groups, trainable keys and rates. The data was listed and the models built while the config was
/// checked and planned (`TransferFacts`); the executor takes them from there. A stage node whose
/// work is done — by an earlier job of this run, or in `runs/.cache` — is taken, not trained again.
final class GraphExecutor {
    struct Options {
        var runsRoot: String
        var threads: Int
        /// Recompute every node instead of taking finished ones from runs/.cache.
        var force = false
        /// Continue an interrupted stage from its checkpoint.
        var resume = false
        /// Seconds between checkpoints within a stage (0: after every batch).
        var checkpointInterval = 60.0
        /// Polled between batches; true stops training with a checkpoint (Ctrl-C).
        var interruptRequested: () -> Bool = { false }
        /// The stage nodes this executor may train; nil: any. `runner exec` trains one node, and
        /// every other stage it walks through must already be finished in runs/.cache.
        var mayTrain: Set<String>?
    }

    let facts: TransferFacts
    let options: Options
    let progress: ProgressReporter
    /// Loaders by data section, made once and used by every job that has that data.
    private var loaders: [String: DataFactory.Loaders] = [:]
    /// Outputs of finished stage nodes by node id, so a stage that several jobs share runs once.
    var finished: [String: (output: StageOutput, fromCache: Bool)] = [:]
    var stagesTrained = 0
    var stagesReused = 0
    /// Each job's records go to MLflow as well (`tracking:`), once the run directory exists.
    var tracking: LiveTracking?

    init(facts: TransferFacts, options: Options, progress: ProgressReporter) {
        self.facts = facts
        self.options = options
        self.progress = progress
    }

    /// Decodes every job's images into the decode cache (`runs/.cache/decode`) before the run
    /// directory exists, so that `bad_files: fail` names every unreadable file and leaves no run behind.
    func prepareData(_ configs: [ExperimentConfig]) throws {
        for config in configs { _ = try prepared(config) }
    }

    /// `config`'s loaders, its images decoded into the decode cache the first time.
    private func prepared(_ config: ExperimentConfig) throws -> DataFactory.Loaders {
        if let data = loaders[TransferFacts.dataKey(config)] { return data }
        let folder = DataFactory.decodeCacheFolder(runsRoot: options.runsRoot)
        let items = try facts.preparedItems(config)
        progress.line("data: \(items.train.count + items.valid.count) images, decoded once into \(folder)")
        let data = try DataFactory.loaders(config, items: items, threads: options.threads, decodeCache: folder)
        loaders[TransferFacts.dataKey(config)] = data
        return data
    }

    /// What a job holds as it walks its nodes.
    private struct JobState {
        var items: SplitItems?
        var loaders: DataFactory.Loaders?
        /// The hash of the job's cache node: what decides its images.
        var images = ""
        var model: TransferModel?
        var last: EpochRecord?
        /// The schedule's stage names, in the order of the job's stage nodes.
        var stageNames: [String] = []
    }

    /// Jobs whose nodes have all run, so the outputs no later job takes can be dropped.
    private var jobsDone: Set<String> = []
    /// The most stage outputs held in memory between two jobs.
    private(set) var mostOutputsHeld = 0

    /// Runs `job`'s nodes in order and returns its row of summary.json. Afterwards, the outputs of
    /// stage nodes that every job sharing them has run are released: a sweep holds in memory only
    /// the states later jobs still start from, not one per stage it ever trained.
    func run(_ job: JobGraph.JobPlan, in graph: JobGraph, store: RunStore) throws -> SummaryRow {
        defer {
            jobsDone.insert(job.id)
            for node in graph.nodes(of: job) where node.sharedBy.allSatisfy(jobsDone.contains) {
                finished[node.id] = nil
            }
            mostOutputsHeld = max(mostOutputsHeld, finished.count)
        }
        guard let row = try runNodes(job, in: graph, store: store, until: nil) else {
            preconditionFailure("a job run to its end returns its summary row")
        }
        return row
    }

    /// Runs `job`'s nodes up to and including `node` (`runner exec`), on to the end when only its
    /// evaluation follows; the job's logs are written anew from its first node. Returns the job's
    /// summary row when the job was finished.
    func run(_ job: JobGraph.JobPlan, in graph: JobGraph, store: RunStore, until node: String) throws -> SummaryRow? {
        for file in ["metrics.jsonl", "timings.jsonl"] { try store.remove("jobs/\(job.id)/\(file)") }
        return try runNodes(job, in: graph, store: store, until: node)
    }

    /// True when nothing but the job's evaluation follows `node`: finishing `node` finishes the job.
    static func isLastTraining(_ node: String, of job: JobGraph.JobPlan, in graph: JobGraph) -> Bool {
        guard let index = job.nodes.firstIndex(of: node) else { return false }
        return graph.nodes(of: job)[(index + 1)...].allSatisfy { $0.kind == .evaluate }
    }

    private func runNodes(_ job: JobGraph.JobPlan, in graph: JobGraph, store: RunStore,
                          until last: String?) throws -> SummaryRow? {
        let log = JobLog(store: store, job: job.id, overrides: job.overrides, progress: progress,
                         metrics: job.config.train.metrics, tracking: tracking, config: job.config)
        progress.metrics = job.config.train.metrics
        var state = JobState()
        for node in graph.nodes(of: job) {
            guard let config = node.pretraining ? job.config.pretrainExperiment : job.config else {
                preconditionFailure("the planner makes pretrain nodes only for jobs with a pretrain experiment")
            }
            switch node.kind {
            case .data:
                state.items = try facts.preparedItems(config)
                state.stageNames = config.schedule.map(\.name)
                if !node.pretraining, let items = state.items { try store.writeRecord(log.path("classes.json"), items.classes) }
            case .cache:
                state.loaders = try loaders(for: config, log: log, pretraining: node.pretraining)
                state.images = node.hash
            case .model:
                state.model = try model(node, config: config, state: state, job: job, log: log)
            case .pretrain, .stage:
                guard let model = state.model, let loaders = state.loaders, !state.stageNames.isEmpty else {
                    preconditionFailure("the planner puts a job's data, cache and model nodes before its stages")
                }
                let name = state.stageNames.removeFirst()
                state.last = try runStage(node, name: name, model: model, config: config, loaders: loaders,
                                          images: state.images, job: job.id, log: log) ?? state.last
            case .evaluate:
                return try evaluate(job, model: state.model, last: state.last, log: log, store: store)
            }
            if node.id == last, !Self.isLastTraining(node.id, of: job, in: graph) { return nil }
        }
        preconditionFailure("the planner ends every job with an evaluate node")
    }

    /// The job's loaders (`runner run` prepared them all before the run; `runner exec` prepares
    /// what its walk reaches); files left out under `bad_files: skip` are listed in the job's folder.
    private func loaders(for config: ExperimentConfig, log: JobLog, pretraining: Bool) throws -> DataFactory.Loaders {
        let data = try prepared(config)
        if !data.skipped.isEmpty {
            try log.store.writeRecord(log.path(Self.skippedFile(pretraining)), data.skipped)
        }
        return data
    }

    private static func skippedFile(_ pretraining: Bool) -> String {
        pretraining ? "pretrain_skipped_files.json" : "skipped_files.json"
    }

    /// The job's model with its initial weights: `model.weights`, or the body of its pretrain stage.
    private func model(_ node: JobGraph.Node, config: ExperimentConfig, state: JobState, job: JobGraph.JobPlan,
                       log: JobLog) throws -> TransferModel {
        guard let items = state.items, let loaders = state.loaders else {
            preconditionFailure("the planner puts a job's data and cache nodes before its model")
        }
        let model = try facts.takeModel(config, classes: items.classes.count, log: progress.line)
        let pretrained = node.parents.compactMap { finished[$0]?.output.state }.first
        if let pretrained { try ModelFactory.loadBody(of: pretrained, into: model) }
        let skipped = loaders.skipped.isEmpty ? ""
            : ", \(loaders.skipped.count) unreadable image\(loaders.skipped.count == 1 ? "" : "s") skipped (listed in"
              + " \(Self.skippedFile(node.pretraining)))"
        let images = "\(loaders.train.indices.count) train / \(loaders.valid.indices.count) valid images" + skipped
        if node.pretraining {
            progress.line("job \(job.id): pretraining \(config.model.arch.rawValue) on \(items.classes.count) classes, "
                          + images)
        } else {
            progress.line("job \(job.id): \(config.model.arch.rawValue), \(items.classes.count) classes, " + images
                          + (pretrained == nil ? "" : ", body from the pretrain stage"))
        }
        return model
    }

    /// The job's files once its last stage is done: the trained model and final.json.
    private func evaluate(_ job: JobGraph.JobPlan, model: TransferModel?, last: EpochRecord?, log: JobLog,
                          store: RunStore) throws -> SummaryRow {
        guard let model else { preconditionFailure("the planner puts a job's model node before its evaluate node") }
        let values = last.map { MetricValues($0, metrics: log.metrics) }
            ?? MetricValues(trainLoss: 0, validLoss: 0, metrics: log.metrics.filter { $0 != .validLoss }.map { ($0.description, 0) })
        let final = FinalRecord(values: values)
        try model.stateDict().write(path: store.directory.appendingPathComponent(log.path("model.safetensors")).path)
        try store.writeRecord(log.path("final.json"), final)
        // With model.safetensors and classes.json, all `runner predict` needs: no config, no data.
        try store.write(log.path("job.yaml"), text: ConfigLoader.render(job.config))
        try log.finished()
        return SummaryRow(job: job.id, overrides: job.overrides, final: final)
    }
}
