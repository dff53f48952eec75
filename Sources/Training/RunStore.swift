// RunStore: one run's directory under runs/ — its files written atomically, its logs appended.

import Diagnostics
import Foundation

/// `runs/<name>/<UTC time>-<config hash>/`: config.yaml, resolved.yaml, plan.json, env.json, and per
/// job jobs/<id>/metrics.jsonl, stages.json, final.json; summary.json last, so a run without it is
/// visibly unfinished.
public struct RunStore {
    public let directory: URL

    public init(root: String, name: String, configHash: String, date: Date = Date()) throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let parent = URL(fileURLWithPath: root).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            var isFolder: ObjCBool = false
            let blocked = FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder) && !isFolder.boolValue
            throw StoreError.cannotCreate(folder: parent.path, reason: blocked ? "a file of that name is in the way"
                                            : FileSystemError.reason(error) ?? "\(error)")
        }
        // Two runs of one config in the same second get their own directories, never a shared log.
        let base = "\(formatter.string(from: date))-\(configHash.prefix(8))"
        var candidate = parent.appendingPathComponent(base)
        var attempt = 1
        while true {
            do {
                try FileManager.default.createDirectory(at: candidate, withIntermediateDirectories: false)
                break
            } catch where FileManager.default.fileExists(atPath: candidate.path) && attempt < 100 {
                attempt += 1
                candidate = parent.appendingPathComponent("\(base)-\(attempt)")
            }
        }
        directory = candidate
    }

    /// An existing run directory, to continue writing it (`runner run --resume`).
    public init(existing directory: URL) {
        self.directory = directory
    }

    public enum StoreError: Error, CustomStringConvertible {
        case nothingToResume(folder: String, finished: String?)
        /// The runs folder cannot hold a run (a file in the way, no permission, a read-only disk).
        case cannotCreate(folder: String, reason: String)

        public var description: String {
            switch self {
            case let .cannotCreate(folder, reason):
                return "cannot create the run folder \(TerminalText.name(folder)): \(reason); choose another with --runs"
            case let .nothingToResume(folder, finished):
                return "no unfinished run of this config under \(folder) to resume"
                    + (finished.map { " (the last one, \($0), finished)" } ?? "")
                    + "; run without --resume to start one"
            }
        }
    }

    /// Written when a run stops on an error (not an interrupt): such a run is failed, not resumable.
    public static let failureFile = "failed.json"
    /// Written by `runner submit`: the Slurm jobs of the run (`SubmissionRecord`).
    public static let submissionFile = "submission.json"

    /// The latest run of `name` made from the same resolved config (its directory names the hash)
    /// that has no summary.json yet and did not fail; `runner lr-find` directories share the naming
    /// but are not runs.
    public static func latestUnfinished(root: String, name: String, configHash: String) throws -> URL {
        let parent = URL(fileURLWithPath: root).appendingPathComponent(name)
        let tag = "-\(configHash.prefix(8))"
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [])
            .filter { id in id.hasSuffix(tag) || id.range(of: tag + "-") != nil }.sorted()
        // A run submitted to Slurm is continued with `runner submit --resume`, not here.
        let unfinished = ids.filter {
            let path = parent.appendingPathComponent($0).path
            return !FileManager.default.fileExists(atPath: path + "/summary.json") && !RunCatalog.isLRFind(path)
                && !FileManager.default.fileExists(atPath: path + "/" + failureFile)
                && !FileManager.default.fileExists(atPath: path + "/" + submissionFile)
        }
        guard let latest = unfinished.last else {
            throw StoreError.nothingToResume(folder: parent.path, finished: ids.last.map { parent.appendingPathComponent($0).path })
        }
        return parent.appendingPathComponent(latest)
    }

    /// Writes through a temporary file and a rename, so readers never see half a file.
    public func write(_ relativePath: String, _ data: Data) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temporary)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }

    public func write(_ relativePath: String, text: String) throws {
        try write(relativePath, Data(text.utf8))
    }

    /// A run record (`stages.json`, `final.json`, `summary.json`, `env.json`), pretty-printed.
    public func writeRecord<T: Encodable>(_ relativePath: String, _ record: T) throws {
        try write(relativePath, try RunJSON.encode(record, pretty: true))
    }

    /// Appends a record as one line of a JSON-lines log (`metrics.jsonl`, `timings.jsonl`).
    public func appendRecord<T: Encodable>(_ relativePath: String, _ record: T) throws {
        var data = try RunJSON.encode(record)
        data.append(0x0A)
        try append(relativePath, data)
    }

    /// JSON that is not a run record (the plan, a learning-rate sweep), pretty-printed.
    public func writeJSON(_ relativePath: String, _ object: Any) throws {
        try write(relativePath, try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
    }

    /// Removes a file if it is there (logs that a resumed run writes anew).
    public func remove(_ relativePath: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    private func append(_ relativePath: String, _ data: Data) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let handle = FileHandle(forWritingAtPath: url.path) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
        } else {
            try data.write(to: url)
        }
    }
}
