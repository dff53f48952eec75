// NodeExecution: `runner exec RUN_DIR NODE_ID` — one node of a run's plan, run on its own (one Slurm job).

import Experiments
import Foundation
import Tensors

/// Runs one cache, pretrain or stage node of an existing run directory, as `runner run` would run it
/// within the whole graph: the config is the run's resolved.yaml, planned again and checked against
/// its plan.json; the stages before the node are taken from runs/.cache (their own jobs trained
/// them); the node's output goes to runs/.cache. When the node is the last training node of a job,
/// that job's files are written (the whole metrics.jsonl, stages.json, final.json, the model); the
/// node that finishes the run's last job writes summary.json, under the run lock.
public final class NodeExecution {
    public let run: URL
    public let node: String
    /// Seconds between checkpoints within a stage (0: after every batch).
    public var checkpointInterval = 60.0
    /// Polled between batches; true stops training with a checkpoint (SIGTERM from Slurm).
    public var interruptRequested: () -> Bool = { false }
    public var progress = ProgressReporter(mode: .plain)
    /// The CPU count Slurm gave the job (`SLURM_CPUS_PER_TASK`), which must be the planned thread count.
    public var slurmCPUs: Int?

    public struct Outcome: Codable, Equatable, Sendable {
        /// The node was trained now (false: its output was already in runs/.cache, or it is a cache node).
        public var trained: Bool
        /// The jobs whose files this node wrote.
        public var finishedJobs: [String]
        /// summary.json was written: every job of the run is done.
        public var finishedRun: Bool

        enum CodingKeys: String, CodingKey {
            case trained
            case finishedJobs = "finished_jobs"
            case finishedRun = "finished_run"
        }
    }

    /// Written into the node's folder when it ran to the end, jobs' files included.
    static let finishedFile = "finished.json"

    /// True when `node` ran to the end in `run` (`runner submit --resume` leaves it out).
    public static func isFinished(_ node: String, run: URL) -> Bool {
        FileManager.default.fileExists(atPath: run.appendingPathComponent(folder(of: node) + "/" + finishedFile).path)
    }

    public init(run: URL, node: String) {
        self.run = run
        self.node = node
    }

    /// The folder of the node's own records in the run directory (its failure, its lock).
    public static func folder(of node: String) -> String { "nodes/\(node)" }

    /// Runs the node. An error other than an interruption is recorded in `nodes/<id>/failed.json`
    /// for `runner status`; a success removes an earlier one.
    public func execute() throws -> Outcome {
        let store = RunStore(existing: run)
        let failure = Self.folder(of: node) + "/" + RunStore.failureFile
        do {
            try FileManager.default.createDirectory(at: run.appendingPathComponent(Self.folder(of: node)),
                                                    withIntermediateDirectories: true)
            // Two processes never train one node: a resubmission while the first still runs is refused.
            let lock = try RunLock(directory: run.appendingPathComponent(Self.folder(of: node)))
            defer { withExtendedLifetime(lock) {} }
            try store.remove(failure)
            let outcome = try executeLocked(store: store)
            try store.writeRecord(Self.folder(of: node) + "/" + Self.finishedFile, outcome)
            progress.finish()
            return outcome
        } catch let stopped as RunStopped where stopped.interrupted {
            throw stopped
        } catch {
            try? store.writeRecord(failure, FailureRecord(error: "\(error)"))
            throw error
        }
    }

    private func executeLocked(store: RunStore) throws -> Outcome {
        let resolved = run.appendingPathComponent("resolved.yaml").path
        let loaded = try ConfigLoader.load(path: resolved, options: .init(checkFiles: true))
        let environment = try RunJSON.decode(EnvironmentRecord.self,
                                             from: Data(contentsOf: run.appendingPathComponent("env.json")))
        let planned = environment.numerics ?? Numerics.Mode.fast.rawValue
        guard planned == Numerics.mode.rawValue else {
            throw PlanError.numericsDiffer(run: run.path, planned: planned, current: Numerics.mode.rawValue)
        }
        // Reproducible numbers do not depend on the thread count: the node takes the CPUs it was given.
        let threads = Numerics.mode == .reproducible ? slurmCPUs ?? environment.threads : environment.threads
        if Numerics.mode == .fast, let slurmCPUs, slurmCPUs != environment.threads {
            throw PlanError.threadsDiffer(run: run.path, planned: environment.threads, slurm: slurmCPUs)
        }
        let facts = TransferFacts(threads: threads)
        try ModelCheck.check(loaded, facts: facts)
        _ = try ExperimentRunner.fetchRemote(loaded, quiet: true, log: progress.line)
        let graph = try Planner.plan(loaded, facts: facts)
        try Self.checkPlan(graph, run: run)
        guard let target = graph.node(node) else {
            throw PlanError.unknownNode(node, run: run.path, runnable: Self.runnable(graph).map(\.id))
        }
        setThreadCount(threads)
        let runsRoot = run.deletingLastPathComponent().deletingLastPathComponent().path
        let options = GraphExecutor.Options(runsRoot: runsRoot, threads: threads, resume: true,
                                            checkpointInterval: checkpointInterval,
                                            interruptRequested: interruptRequested, mayTrain: [node])
        let executor = GraphExecutor(facts: facts, options: options, progress: progress)
        let tracking = loaded.config.tracking.map { LiveTracking(run: run, settings: $0, say: progress.line,
                                                                    warn: progress.warning) }
        executor.tracking = tracking
        let jobs = graph.jobs.filter { target.sharedBy.contains($0.id) }
        switch target.kind {
        case .cache:
            try executor.prepareData(target.pretraining ? jobs.compactMap(\.config.pretrainExperiment) : jobs.map(\.config))
            return Outcome(trained: false, finishedJobs: [], finishedRun: false)
        case .pretrain, .stage:
            do {
                let outcome = try runStage(target, jobs: jobs, graph: graph, executor: executor, store: store)
                if outcome.finishedRun { tracking?.finish(status: "FINISHED") }
                return outcome
            } catch let stopped as RunStopped where stopped.interrupted {
                // Requeued by Slurm: its MLflow runs stay running.
                throw stopped
            } catch {
                tracking?.stop(status: "FAILED")
                throw error
            }
        case .data, .model, .evaluate:
            throw PlanError.notRunnable(node, kind: target.kind.rawValue)
        }
    }

    /// Trains the node within its first job, then finishes every job it is the last training node of.
    private func runStage(_ target: JobGraph.Node, jobs: [JobGraph.JobPlan], graph: JobGraph,
                          executor: GraphExecutor, store: RunStore) throws -> Outcome {
        let finishing = jobs.filter { GraphExecutor.isLastTraining(node, of: $0, in: graph) }
        let walked = [jobs[0]] + finishing.filter { $0.id != jobs[0].id }
        var finished: [String] = []
        for job in walked where try executor.run(job, in: graph, store: store, until: node) != nil {
            finished.append(job.id)
        }
        let finishedRun = finished.isEmpty ? false : try writeSummaryIfDone(graph, store: store)
        if finishedRun { ReportWriter.finish(run: run, log: progress.line) }
        return Outcome(trained: executor.stagesTrained > 0, finishedJobs: finished, finishedRun: finishedRun)
    }

    /// summary.json once every job has its final.json; the run lock keeps two finishing nodes from
    /// both writing it.
    private func writeSummaryIfDone(_ graph: JobGraph, store: RunStore) throws -> Bool {
        let lock = try RunLock(directory: run, wait: true)
        defer { withExtendedLifetime(lock) {} }
        var rows: [SummaryRow] = []
        for job in graph.jobs {
            guard let data = FileManager.default.contents(atPath: run.appendingPathComponent("jobs/\(job.id)/final.json").path)
            else { return false }
            rows.append(SummaryRow(job: job.id, overrides: job.overrides, final: try RunJSON.decode(FinalRecord.self, from: data)))
        }
        try store.writeRecord("summary.json", rows)
        return true
    }

    /// The plan made now must have exactly the nodes of the run's plan.json.
    static func checkPlan(_ graph: JobGraph, run: URL) throws {
        let data = try Data(contentsOf: run.appendingPathComponent("plan.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let planned = Set(((object?["nodes"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        let now = Set(graph.nodes.map(\.id))
        guard planned == now else {
            throw PlanError.planChanged(run: run.path, missing: planned.subtracting(now).sorted(),
                                        added: now.subtracting(planned).sorted())
        }
    }

    /// The nodes that run on their own, in the plan's order: cache, pretrain and stage nodes.
    public static func runnable(_ graph: JobGraph) -> [JobGraph.Node] {
        graph.nodes.filter { SlurmPlan.runsAlone($0.kind) }
    }
}
