// RunStore: one run's directory under runs/ — its files written atomically, its logs appended.

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
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
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

    public func writeJSON(_ relativePath: String, _ object: Any) throws {
        try write(relativePath, try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
    }

    /// Appends one line to a JSON-lines log.
    public func append(_ relativePath: String, line object: [String: Any]) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        data.append(0x0A)
        if let handle = FileHandle(forWritingAtPath: url.path) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
        } else {
            try data.write(to: url)
        }
    }
}
