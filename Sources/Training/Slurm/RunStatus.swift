// RunStatus: `runner status RUN` — each Slurm-run node of a submitted run: pending, running (with its checkpoint's position), finished or failed.

import Experiments
import Foundation

/// The state of a node comes from two places: Slurm's queue (pending, running) and the run
/// directory (a node's finished.json or failed.json, its checkpoint, its log). A node that left the
/// queue with neither record was cancelled or killed (time limit, out of memory, a failed parent).
public struct RunStatus {
    public enum State: Equatable, Sendable {
        case pending(reason: String)
        /// Where its last checkpoint was, if it wrote one yet.
        case running(epoch: Int?, batch: Int?, epochs: Int)
        case finished
        case failed(error: String)
        /// Not queued, not finished, no error recorded: cancelled, killed, or never started.
        case stopped(why: String)
        /// Not submitted in any round.
        case notSubmitted

        var isStopped: Bool {
            if case .stopped = self { return true }
            return false
        }

        /// Failed, or stopped with a log of its own to show.
        var showsLog: Bool {
            switch self {
            case .failed, .stopped: return true
            default: return false
            }
        }

        public var word: String {
            switch self {
            case .pending: return "pending"
            case .running: return "running"
            case .finished: return "finished"
            case .failed: return "failed"
            case .stopped: return "stopped"
            case .notSubmitted: return "not submitted"
            }
        }
    }

    public struct Node: Equatable, Sendable {
        public var id: String
        public var kind: String
        public var name: String
        public var jobs: [String]
        public var state: State
        /// The Slurm job (or array task) that ran it last.
        public var slurmID: String?
        /// Its log, relative to the run directory.
        public var log: String?
        /// The log's last lines, for a failed or stopped node.
        public var logTail: [String] = []
    }

    public let run: URL
    public var nodes: [Node]

    /// Reads the run's plan, records and logs, and asks Slurm about the jobs still queued.
    public init(run: URL, client: SlurmClient = SlurmClient(), tailLines: Int = 8) throws {
        self.run = run
        let record = try SubmissionRecord.read(run: run)
        let queue = Dictionary((try client.queue(record.ids)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("plan.json"))) as? [String: Any]
        let all = (plan?["nodes"] as? [[String: Any]]) ?? []
        let runnable = all.filter { SlurmPlan.runsAlone(JobGraph.Kind(rawValue: $0["kind"] as? String ?? "") ?? .data) }
        nodes = runnable.map { item in
            let id = item["id"] as? String ?? "?"
            var node = Node(id: id, kind: item["kind"] as? String ?? "?", name: item["name"] as? String ?? "?",
                            jobs: item["shared_by"] as? [String] ?? [], state: .notSubmitted)
            let epochs = ((item["stage"] as? [String: Any])?["epochs"] as? Int) ?? 0
            if let (job, task) = record.latest(id) {
                node.slurmID = job.taskID(task)
                node.log = job.logs[task]
                node.state = Self.state(of: node, queued: queue[job.taskID(task)] ?? queue[job.id], epochs: epochs, run: run)
            }
            return node
        }
        explainStopped(client)
        blameParents(Self.runnableParents(all))
        for i in nodes.indices where nodes[i].state.showsLog {
            if let log = nodes[i].log { nodes[i].logTail = Self.tail(run.appendingPathComponent(log), tailLines) }
        }
    }

    /// Where Slurm keeps accounting, it says how a job that left the queue ended (TIMEOUT,
    /// OUT_OF_MEMORY, CANCELLED, NODE_FAIL); without it the run directory is all there is.
    private mutating func explainStopped(_ client: SlurmClient) {
        let stopped = nodes.indices.filter { nodes[$0].state.isStopped && nodes[$0].slurmID != nil }
        guard !stopped.isEmpty, let ended = client.accounting(stopped.compactMap { nodes[$0].slurmID }) else { return }
        for i in stopped {
            if let job = ended.first(where: { $0.id == nodes[i].slurmID }) {
                nodes[i].state = .stopped(why: "Slurm says \(job.state)" + (job.reason.isEmpty || job.reason == "None" ? "" : " (\(job.reason))"))
            }
        }
    }

    /// A stopped node whose node before it failed or stopped never started: Slurm cancelled it
    /// (`--kill-on-invalid-dep`) because that node did not end well.
    private mutating func blameParents(_ parents: [String: [String]]) {
        for i in nodes.indices where nodes[i].state.isStopped {
            let culprit = (parents[nodes[i].id] ?? []).first { parent in
                nodes.first { $0.id == parent }.map { $0.state.showsLog } ?? false
            }
            if let culprit {
                nodes[i].state = .stopped(why: "never started: node \(culprit) before it did not finish")
                nodes[i].log = nil
            }
        }
    }

    /// For each node of plan.json, the nearest cache, pretrain and stage nodes above it.
    private static func runnableParents(_ all: [[String: Any]]) -> [String: [String]] {
        var kinds: [String: JobGraph.Kind] = [:]
        var result: [String: [String]] = [:]
        for item in all {
            guard let id = item["id"] as? String else { continue }
            kinds[id] = JobGraph.Kind(rawValue: item["kind"] as? String ?? "")
            result[id] = ((item["parents"] as? [String]) ?? []).flatMap { parent in
                kinds[parent].map(SlurmPlan.runsAlone) == true ? [parent] : result[parent] ?? []
            }
        }
        return result
    }

    private static func state(of node: Node, queued: SlurmClient.JobState?, epochs: Int, run: URL) -> State {
        if NodeExecution.isFinished(node.id, run: run) { return .finished }
        if let failure = RunCatalog.failure(run.appendingPathComponent(NodeExecution.folder(of: node.id)).path) {
            // A requeued node that failed once and now runs again is shown as queued, below.
            if queued == nil { return .failed(error: failure) }
        }
        if let queued {
            if queued.state == "RUNNING" || queued.state == "COMPLETING" {
                let position = checkpoint(of: node, run: run)
                return .running(epoch: position?.epoch, batch: position?.batch, epochs: epochs)
            }
            if queued.state == "PENDING" || queued.state == "REQUEUED" || queued.state == "CONFIGURING" {
                return .pending(reason: queued.reason)
            }
            return .stopped(why: queued.state.lowercased())
        }
        return .stopped(why: "not in Slurm's queue and not finished: cancelled, killed (time limit, memory)"
                        + " or never started because a node before it failed")
    }

    /// The node's checkpoint in its first job's folder, where `runner exec` trains it.
    private static func checkpoint(of node: Node, run: URL) -> (epoch: Int, batch: Int)? {
        guard let job = node.jobs.first else { return nil }
        let path = run.appendingPathComponent("jobs/\(job)/\(node.name).checkpoint.safetensors").path
        guard let found = try? StageCheckpoint.read(path: path), found.node == node.id else { return nil }
        return (found.position.epoch, found.position.batch)
    }

    static func tail(_ file: URL, _ count: Int) -> [String] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map(String.init)
    }

    /// The table `runner status` prints, with the log tails of failed and stopped nodes under it.
    public func lines() -> [String] {
        let idWidth = max(20, (nodes.map(\.id.count).max() ?? 0) + 2)
        let nameWidth = max(10, (nodes.map(\.name.count).max() ?? 0) + 2)
        let slurmWidth = max(8, (nodes.map { ($0.slurmID ?? "-").count }.max() ?? 0) + 2)
        var lines = [pad("node", idWidth) + pad("name", nameWidth) + pad("slurm", slurmWidth) + "state"]
        for node in nodes {
            lines.append(pad(node.id, idWidth) + pad(node.name, nameWidth) + pad(node.slurmID ?? "-", slurmWidth)
                         + Self.detail(node.state))
        }
        for node in nodes where !node.logTail.isEmpty {
            lines += ["", "\(node.id) (\(node.state.word)), last lines of \(node.log ?? "its log"):"]
            lines += node.logTail.map { "  " + $0 }
        }
        let done = nodes.filter { $0.state == .finished }.count
        lines += ["", "\(done) of \(nodes.count) nodes finished"
                  + (FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path)
                     ? "; the run is complete (summary.json)" : "")]
        return lines
    }

    private static func detail(_ state: State) -> String {
        switch state {
        case let .pending(reason): return "pending" + (reason.isEmpty || reason == "None" ? "" : " (\(reason))")
        case let .running(epoch?, batch?, epochs): return "running, epoch \(epoch + 1) of \(epochs), batch \(batch)"
        case .running: return "running"
        case .finished: return "finished"
        case let .failed(error): return "failed: \(error.split(separator: "\n").first.map(String.init) ?? error)"
        case let .stopped(why): return "stopped: \(why)"
        case .notSubmitted: return "not submitted"
        }
    }
}
