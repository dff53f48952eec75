// SlurmJob: one `sbatch` of a submission — a node, or sibling nodes as a job array — with its script and its afterok edges.

import Foundation
import Tensors

public struct SlurmJob: Equatable, Sendable {
    /// What a job waits for: another job of the submission, or one task of an array.
    public struct Dependency: Equatable, Hashable, Sendable {
        /// The index of the job in the submission (0-based).
        public var job: Int
        /// The array task, when the job is an array.
        public var task: Int?
    }

    /// `<experiment>/<run-id>/<node-id>`, or `…/<stage>-x<count>` for an array.
    public var name: String
    /// The nodes it runs: one, or one per array task in task order.
    public var nodes: [String]
    /// What it is, for the dependency graph: `stage unfrozen (job meta=8-5)`.
    public var labels: [String]
    public var after: [Dependency]
    /// Each node's log, relative to the run directory (Slurm's output file of its job or task).
    public var logs: [String]

    public var isArray: Bool { nodes.count > 1 }

    /// The batch script: every option as an `#SBATCH` line, so the file shows what was asked.
    /// `ids` gives the Slurm id of each earlier job (a placeholder in a dry run).
    func script(run: String, runner: String, workingDirectory: String, settings: ClusterSettings,
                ids: (Int) -> String) -> String {
        let output = isArray ? "\(run)/logs/\(Self.arrayLogStem(name))_%a.log" : "\(run)/\(logs[0])"
        var options = ["--job-name=\(name)", "--output=\(output)", "--open-mode=append",
                       "--chdir=\(workingDirectory)"] + settings.options
        // Requeued after preemption or before the time limit; the TERM gives Runner 120 s to checkpoint.
        options += ["--requeue", "--signal=B:TERM@120"]
        if isArray { options.append("--array=0-\(nodes.count - 1)") }
        if !after.isEmpty {
            let ids = after.map { ids($0.job) + ($0.task.map { "_\($0)" } ?? "") }
            // A failed parent cancels its dependants instead of leaving them pending forever.
            options += ["--dependency=afterok:" + ids.joined(separator: ":"), "--kill-on-invalid-dep=yes"]
        }
        var lines = ["#!/bin/bash"] + options.map { "#SBATCH \($0)" }
        lines.append("# written by runner submit: " + (isArray ? "\(nodes.count) sibling nodes, one per task" : labels[0]))
        // A fast run's nodes must run fast too (`runner exec` checks env.json).
        if Numerics.mode == .fast { lines.append("export \(Numerics.environmentVariable)=fast") }
        let command = "exec \(Self.quoted(runner)) exec \(Self.quoted(run))"
        if isArray {
            lines.append("nodes=(\(nodes.map(Self.quoted).joined(separator: " ")))")
            lines.append(command + " \"${nodes[$SLURM_ARRAY_TASK_ID]}\"")
        } else {
            lines.append(command + " \(Self.quoted(nodes[0]))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An array's logs and script are named after the last part of its name (`unfrozen-x3`).
    static func arrayLogStem(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? "array"
    }

    /// Single-quoted for the shell.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
