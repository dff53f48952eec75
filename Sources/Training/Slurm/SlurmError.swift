// SlurmError: what goes wrong between Runner and Slurm — a missing command, a refused submission — with Slurm's own words.

public enum SlurmError: Error, CustomStringConvertible, Equatable {
    /// `sbatch`, `squeue`, … is not on the PATH.
    case notInstalled(command: String)
    /// A Slurm command exited with an error; `message` is what it printed.
    case failed(command: String, message: String)
    /// Submission stopped part way: what had been submitted was cancelled (or could not be).
    case submissionStopped(reason: String, cancelled: [String], notCancelled: [String])
    /// `runner submit --resume` while jobs of the run are still queued or running.
    case stillQueued(run: String, jobs: [String])
    /// `runner status`/`cancel`/`submit --resume` on a run that was not submitted.
    case notSubmitted(run: String)

    public var description: String {
        switch self {
        case let .notInstalled(command):
            return "`\(command)` is not on the PATH: Slurm's client commands are needed to submit"
                + " (on a cluster, run this on a login node; for a local test cluster: bash scripts/slurm-local.sh start)"
        case let .failed(command, message):
            return "\(command) failed: \(message.isEmpty ? "no message" : message)"
        case let .submissionStopped(reason, cancelled, notCancelled):
            return "submission stopped: \(reason)"
                + (cancelled.isEmpty ? "; nothing had been submitted"
                   : "; cancelled the \(cancelled.count) job\(cancelled.count == 1 ? "" : "s") already submitted"
                     + " (\(cancelled.joined(separator: ", ")))")
                + (notCancelled.isEmpty ? ""
                   : "; could not cancel \(notCancelled.joined(separator: ", ")): cancel them with scancel")
        case let .stillQueued(run, jobs):
            return "\(run) still has Slurm jobs queued or running (\(jobs.joined(separator: ", ")));"
                + " wait for them or `runner cancel` the run first"
        case let .notSubmitted(run):
            return "\(run) was not submitted to Slurm (it has no submission.json)"
        }
    }
}
