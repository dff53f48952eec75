// Submission: `runner submit` — the run directory and its plan made as `runner run` makes them, then one Slurm job per heavy node.

import Experiments
import Foundation

/// Jobs are submitted in dependency order, each script written into `<run>/slurm/` first and
/// recorded in submission.json as soon as Slurm takes it. If Slurm refuses one, every job already
/// submitted is cancelled and, when all were, the run directory is removed: nothing is left that
/// looks like a run in progress.
public final class Submission {
    public let loaded: LoadedConfig
    public let runsRoot: String
    public let settings: ClusterSettings
    /// The `runner` binary the jobs run: on a cluster it must be on the shared file system.
    public var runner: String
    /// The jobs' working directory, where the config's relative paths were resolved.
    public var workingDirectory = FileManager.default.currentDirectoryPath
    public var log: (String) -> Void = { print($0) }
    public var client = SlurmClient()

    public init(loaded: LoadedConfig, runsRoot: String, settings: ClusterSettings, runner: String) {
        self.loaded = loaded
        self.runsRoot = runsRoot
        self.settings = settings
        self.runner = runner
    }

    /// The scripts and the dependency graph `submit` would send, without a run directory or Slurm;
    /// planned from the config where data or weights are not downloaded yet, like `runner plan`.
    public func dryRun(classes: Int?) throws -> [String] {
        let facts = TransferFacts(requireFiles: false, threads: settings.cpusPerTask) { _ in
            guard let classes else { throw PlanError.classesUnknown }
            return classes
        }
        let errors = ModelCheck.errors(in: loaded, facts: facts, checkWeights: false)
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        let graph = try Planner.plan(loaded, facts: facts)
        let run = URL(fileURLWithPath: runsRoot).appendingPathComponent(loaded.config.name).path + "/RUN_ID"
        let plan = SlurmPlan(graph: graph, experiment: loaded.config.name, runID: "RUN_ID")
        let placeholder = { (index: Int) in "$JOB\(index + 1)" }
        var lines = ["dry run: \(plan.jobs.count) Slurm job\(plan.jobs.count == 1 ? "" : "s") for \(graph.jobs.count)"
                     + " job\(graph.jobs.count == 1 ? "" : "s") of \(loaded.config.name), \(settings.cpusPerTask)"
                     + " CPU\(settings.cpusPerTask == 1 ? "" : "s") each; nothing submitted", ""]
        lines += plan.graphLines(ids: placeholder)
        for (index, job) in plan.jobs.enumerated() {
            lines += ["", "# \(placeholder(index)): \(run)/slurm/\(Self.scriptName(index, job))"]
            lines += job.script(run: run, runner: runner, workingDirectory: workingDirectory, settings: settings,
                                ids: placeholder).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return lines
    }

    /// Checks, downloads, plans, writes the run directory, submits; returns the run directory.
    public func submit() throws -> URL {
        let facts = TransferFacts(threads: settings.cpusPerTask)
        try ModelCheck.check(loaded, facts: facts)
        let downloads = !ModelCheck.pendingDownloads(loaded).isEmpty
        let archives = try ExperimentRunner.fetchRemote(loaded, quiet: false, log: log)
        if downloads { try ModelCheck.check(loaded, facts: facts) }
        let graph = try Planner.plan(loaded, facts: facts)
        let store = try ExperimentRunner.createStore(
            loaded, runsRoot: runsRoot, graph: graph,
            environment: ExperimentRunner.environment(loaded, threads: settings.cpusPerTask, archives: archives))
        let plan = SlurmPlan(graph: graph, experiment: loaded.config.name, runID: store.directory.lastPathComponent)
        do {
            try send(plan, store: store, record: SubmissionRecord())
        } catch let error as SlurmError {
            if case let .submissionStopped(_, _, notCancelled) = error, notCancelled.isEmpty {
                try? FileManager.default.removeItem(at: store.directory)
            } else {
                try? store.writeRecord(RunStore.failureFile, FailureRecord(error: "\(error)"))
            }
            throw error
        }
        log("submitted \(plan.jobs.count) Slurm job\(plan.jobs.count == 1 ? "" : "s"): \(store.directory.path)")
        return store.directory
    }

    /// `runner submit --resume RUN`: submits again the nodes of `run` that have not finished (a
    /// failed node, one cancelled, those that never started), with the same plan and thread count.
    public func resume(_ run: URL) throws {
        let store = RunStore(existing: run)
        let record = try SubmissionRecord.read(run: run)
        let queued = try client.queue(record.ids)
        guard queued.isEmpty else { throw SlurmError.stillQueued(run: run.path, jobs: queued.map(\.id)) }
        let environment = try RunJSON.decode(EnvironmentRecord.self, from: Data(contentsOf: run.appendingPathComponent("env.json")))
        guard environment.threads == settings.cpusPerTask else {
            throw PlanError.threadsDiffer(run: run.path, planned: environment.threads, slurm: settings.cpusPerTask)
        }
        let facts = TransferFacts(threads: environment.threads)
        try ModelCheck.check(loaded, facts: facts)
        let graph = try Planner.plan(loaded, facts: facts)
        try NodeExecution.checkPlan(graph, run: run)
        let finished = Set(NodeExecution.runnable(graph).map(\.id).filter { NodeExecution.isFinished($0, run: run) })
        let plan = SlurmPlan(graph: graph, experiment: loaded.config.name, runID: run.lastPathComponent, finished: finished)
        guard !plan.jobs.isEmpty else {
            log("every node of \(run.path) has finished: nothing to submit")
            return
        }
        try store.remove(RunStore.failureFile)
        log("\(finished.count) node\(finished.count == 1 ? "" : "s") finished; submitting the other"
            + " \(plan.jobs.flatMap(\.nodes).count) again")
        try send(plan, store: store, record: record)
    }

    /// Writes each job's script and submits it; on a refusal, cancels what went before.
    func send(_ plan: SlurmPlan, store: RunStore, record: SubmissionRecord) throws {
        var record = record
        let earlier = record.rounds
        let numbered = record.ids.count
        var round = SubmissionRecord.Round(runner: runner, workingDirectory: workingDirectory, jobs: [])
        var ids: [String] = []
        for (index, job) in plan.jobs.enumerated() {
            let script = "slurm/\(Self.scriptName(numbered + index, job))"
            do {
                try store.write(script, text: job.script(run: store.directory.path, runner: runner,
                                                         workingDirectory: workingDirectory, settings: settings,
                                                         ids: { ids[$0] }))
                try FileManager.default.createDirectory(at: store.directory.appendingPathComponent("logs"),
                                                        withIntermediateDirectories: true)
                let id = try client.submit(script: store.directory.appendingPathComponent(script).path)
                ids.append(id)
                round.jobs.append(.init(id: id, name: job.name, nodes: job.nodes, script: script, logs: job.logs,
                                        array: job.isArray))
                record.rounds = earlier + [round]
                try store.writeRecord(RunStore.submissionFile, record)
                log("  \(id)  \(job.name)" + (job.after.isEmpty ? "" : "  after " + job.after.map { ids[$0.job] }.joined(separator: ",")))
            } catch {
                throw stop(because: error, submitted: ids)
            }
        }
    }

    private func stop(because error: Error, submitted: [String]) -> SlurmError {
        guard !submitted.isEmpty else {
            return .submissionStopped(reason: "\(error)", cancelled: [], notCancelled: [])
        }
        do {
            try client.cancel(submitted)
            return .submissionStopped(reason: "\(error)", cancelled: submitted, notCancelled: [])
        } catch {
            return .submissionStopped(reason: "\(error)", cancelled: [], notCancelled: submitted)
        }
    }

    static func scriptName(_ index: Int, _ job: SlurmJob) -> String {
        String(format: "%02d-", index + 1) + (job.isArray ? SlurmJob.arrayLogStem(job.name) : job.nodes[0]) + ".sh"
    }
}
