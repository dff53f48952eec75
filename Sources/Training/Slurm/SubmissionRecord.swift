// SubmissionRecord: submission.json — every round of `runner submit` for a run: its Slurm jobs, their nodes, scripts and logs.

import Foundation

public struct SubmissionRecord: Codable, Equatable, Sendable {
    public struct Job: Codable, Equatable, Sendable {
        /// Slurm's job id (an array's id; its tasks are `<id>_<task>`).
        public var id: String
        public var name: String
        /// The nodes it runs, in array task order.
        public var nodes: [String]
        /// The batch script, relative to the run directory.
        public var script: String
        /// Each node's log, relative to the run directory.
        public var logs: [String]
        public var array: Bool

        /// The id Slurm shows for node `index`'s task.
        public func taskID(_ index: Int) -> String { array ? "\(id)_\(index)" : id }
    }

    public struct Round: Codable, Equatable, Sendable {
        /// The `runner` binary the jobs run.
        public var runner: String
        /// The jobs' working directory (relative paths of the config are resolved there).
        public var workingDirectory: String
        public var jobs: [Job]

        enum CodingKeys: String, CodingKey {
            case runner, jobs
            case workingDirectory = "working_directory"
        }
    }

    /// `runner submit`, then each `runner submit --resume`.
    public var rounds: [Round]

    public init(rounds: [Round] = []) {
        self.rounds = rounds
    }

    /// The run's submission.json.
    public static func read(run: URL) throws -> SubmissionRecord {
        guard let data = FileManager.default.contents(atPath: run.appendingPathComponent(RunStore.submissionFile).path) else {
            throw SlurmError.notSubmitted(run: run.path)
        }
        return try RunJSON.decode(SubmissionRecord.self, from: data)
    }

    /// The latest Slurm job and task running `node`, with its log.
    public func latest(_ node: String) -> (job: Job, task: Int)? {
        for round in rounds.reversed() {
            for job in round.jobs.reversed() {
                if let index = job.nodes.firstIndex(of: node) { return (job, index) }
            }
        }
        return nil
    }

    /// Every Slurm job id of every round.
    public var ids: [String] { rounds.flatMap { $0.jobs.map(\.id) } }
}
