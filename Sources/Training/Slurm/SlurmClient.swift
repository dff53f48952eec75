// SlurmClient: the Slurm commands Runner calls — sbatch, scancel, squeue, sacct, scontrol — run as processes.

import Foundation

/// Each call runs the command and waits for it; a command missing from the PATH or exiting with an
/// error becomes a `SlurmError` carrying what Slurm printed.
public struct SlurmClient: Sendable {
    /// A job or array task as squeue or sacct reports it.
    public struct JobState: Equatable, Sendable {
        /// `123`, or `123_4` for an array task.
        public var id: String
        /// PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, …
        public var state: String
        /// Why a pending job waits (`Dependency`, `Resources`), or empty.
        public var reason: String
    }

    public init() {}

    /// Submits a batch script and returns its job id (`sbatch --parsable`).
    public func submit(script path: String) throws -> String {
        let output = try run("sbatch", ["--parsable", path])
        let id = output.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError.failed(command: "sbatch", message: "unexpected output `\(output)`")
        }
        return id
    }

    public func cancel(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        _ = try run("scancel", ids)
    }

    /// The queued and running jobs among `ids`, array tasks one per entry.
    public func queue(_ ids: [String]) throws -> [JobState] {
        guard !ids.isEmpty else { return [] }
        let output = try run("squeue", ["-h", "-r", "-o", "%i|%T|%r", "-j", ids.joined(separator: ",")],
                             acceptFailure: { $0.contains("Invalid job id") })
        return Self.states(output)
    }

    /// Finished jobs among `ids` from Slurm's accounting; nil where accounting is off (as on the
    /// local test cluster), so the run store has to tell.
    public func accounting(_ ids: [String]) -> [JobState]? {
        guard !ids.isEmpty,
              let output = try? run("sacct", ["-n", "-P", "-X", "-o", "JobID,State,Reason", "-j", ids.joined(separator: ",")])
        else { return nil }
        return Self.states(output)
    }

    /// Puts a running job back in the queue (it runs again from its checkpoint); false if it was
    /// not running (cancelled by the user, or ending), so a cancel is never undone.
    public func requeueIfRunning(_ id: String) -> Bool {
        guard let states = try? queue([id]), states.contains(where: { $0.state == "RUNNING" }),
              (try? run("scontrol", ["requeue", id])) != nil else { return false }
        return true
    }

    static func states(_ output: String) -> [JobState] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2 else { return nil }
            return JobState(id: fields[0], state: fields[1].split(separator: " ").first.map(String.init) ?? fields[1],
                            reason: fields.count > 2 ? fields[2] : "")
        }
    }

    /// Runs `command` found on the PATH and returns its standard output.
    private func run(_ command: String, _ arguments: [String], acceptFailure: (String) -> Bool = { _ in false })
        throws -> String {
        guard let executable = Self.find(command) else { throw SlurmError.notInstalled(command: command) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would block the command forever.
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 || acceptFailure(err) else {
            let message = err.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SlurmError.failed(command: command, message: message.isEmpty ? out : message)
        }
        return out
    }

    /// The command's path on the PATH, or nil.
    static func find(_ command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
