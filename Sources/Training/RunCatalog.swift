// RunCatalog: the runs under a runs/ folder — listing them and reading a run's sweep table.

import Foundation

public enum RunCatalog {
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var id: String
        public var path: String
        /// summary.json is written last, so its absence marks a run that did not finish.
        public var finished: Bool
        public var jobs: Int
        /// A directory `runner lr-find` wrote: lr_find.json and no plan, so never a finished or unfinished run.
        public var lrFind = false
        /// Why the run stopped on an error (its failed.json), if it did.
        public var failure: String?
        /// Submitted to Slurm (`runner submit`): `runner status` tells how far its nodes are.
        public var submitted = false
    }

    public struct Row: Equatable, Sendable {
        public var job: String
        public var overrides: [String]
        public var metrics: [String: Double]
    }

    public enum CatalogError: Error, CustomStringConvertible {
        case notFound(String, available: [String])
        case unfinished(String)

        public var description: String {
            switch self {
            case let .notFound(run, available):
                return "no run `\(run)`" + (available.isEmpty ? " (no runs yet)" : "; runs: \(available.joined(separator: ", "))")
            case let .unfinished(path):
                return "\(path) has no summary.json: the run did not finish (use `runner run … ` again)"
            }
        }
    }

    /// Every run, oldest first within each experiment name.
    public static func list(root: String) -> [Entry] {
        let manager = FileManager.default
        let names = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return names.flatMap { name -> [Entry] in
            let folder = root + "/" + name
            let ids = ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            return ids.map { id in
                let path = folder + "/" + id
                let jobs = (try? manager.contentsOfDirectory(atPath: path + "/jobs"))?.count ?? 0
                return Entry(name: name, id: id, path: path,
                             finished: manager.fileExists(atPath: path + "/summary.json"), jobs: jobs,
                             lrFind: isLRFind(path), failure: failure(path),
                             submitted: manager.fileExists(atPath: path + "/" + RunStore.submissionFile))
            }
        }
    }

    static func failure(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path + "/" + RunStore.failureFile) else { return nil }
        return (try? RunJSON.decode(FailureRecord.self, from: data))?.error ?? "failed.json is unreadable"
    }

    static func isLRFind(_ path: String) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: path + "/lr_find.json") && !manager.fileExists(atPath: path + "/plan.json")
    }

    /// A run by directory path, `name/id`, or `name` (its latest run, lr-find directories aside).
    public static func find(_ run: String, root: String) throws -> Entry {
        let all = list(root: root)
        if let match = all.last(where: { $0.path == run || "\($0.name)/\($0.id)" == run || ($0.name == run && !$0.lrFind) }) {
            return match
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: run, isDirectory: &isDirectory), isDirectory.boolValue {
            let url = URL(fileURLWithPath: run)
            return Entry(name: url.deletingLastPathComponent().lastPathComponent, id: url.lastPathComponent, path: run,
                         finished: FileManager.default.fileExists(atPath: run + "/summary.json"), jobs: 0)
        }
        throw CatalogError.notFound(run, available: all.map { "\($0.name)/\($0.id)" })
    }

    /// The sweep table: one row per job, its swept values and final metrics.
    public static func table(_ entry: Entry) throws -> [Row] {
        guard entry.finished else { throw CatalogError.unfinished(entry.path) }
        let data = try Data(contentsOf: URL(fileURLWithPath: entry.path + "/summary.json"))
        return try RunJSON.decode([SummaryRow].self, from: data).map { row in
            Row(job: row.job, overrides: row.overrides, metrics: row.final.values.byName)
        }
    }

    /// The sweep table as lines: job, swept values, final metrics.
    public static func render(_ rows: [Row]) -> [String] {
        // The metrics the jobs logged (their `train.metrics`), valid_loss first.
        let logged = Set(rows.flatMap(\.metrics.keys)).subtracting(["train_loss", "valid_loss"]).sorted()
        let metrics = ["valid_loss"] + logged
        let jobWidth = max(24, (rows.map(\.job.count).max() ?? 0) + 2)
        let sweptWidth = max(28, (rows.map { $0.overrides.joined(separator: " ").count }.max() ?? 0) + 2)
        return [pad("job", jobWidth) + pad("swept", sweptWidth) + metrics.map { pad($0, 12, right: true) }.joined()]
            + rows.map { row in
                pad(row.job, jobWidth) + pad(row.overrides.joined(separator: " "), sweptWidth)
                    + metrics.map { pad(row.metrics[$0].map { String(format: "%.4f", $0) } ?? "-", 12, right: true) }
                        .joined()
            }
    }
}

/// `text` padded with spaces to `width` columns, on the left when `right` aligns it right.
public func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}
