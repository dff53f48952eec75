// SweepConfig: a grid over key paths; every combination of values is one job.

public struct SweepConfig: Equatable, Sendable {
    public struct Axis: Equatable, Sendable {
        public var path: ConfigPath
        public var values: [ConfigNode]
        /// Where the key was written, for errors about the path itself.
        public var keyLocation: SourceLocation

        public init(path: ConfigPath, values: [ConfigNode], keyLocation: SourceLocation = .generated) {
            self.path = path
            self.values = values
            self.keyLocation = keyLocation
        }

        public static func == (a: Axis, b: Axis) -> Bool {
            a.path == b.path && a.values == b.values
        }
    }

    /// In file order.
    public var axes: [Axis]

    public var jobCount: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// Sections that configure the run as a whole, so no job can have its own value.
    static let wholeRunSections: [String: (scope: String, suggestion: String)] = [
        "cluster": ("the whole submission", "set them once under `cluster:` or with runner submit's flags"),
        "tracking": ("the whole run (one MLflow parent run holds every job)", "set them once under `tracking:`"),
    ]

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> SweepConfig? {
        guard let entries = node.entries, !entries.isEmpty else {
            r.fail(node, path, expected: "a mapping from key paths to lists of values",
                   suggestion: "e.g. model.meta: [[8, 5], [8, 6]]")
            return nil
        }
        var axes: [Axis] = []
        var ok = true
        for entry in entries {
            let keyPath = ConfigPath(parsing: entry.key)
            let at = path + entry.key
            if keyPath.components.contains(where: { $0.isEmpty }) || keyPath.components.first == "sweep" {
                r.fail(at: entry.keyLocation, at, expected: "a dotted key path outside `sweep`", found: "`\(entry.key)`")
                ok = false
                continue
            }
            if let section = keyPath.components.first, let why = Self.wholeRunSections[section] {
                r.fail(at: entry.keyLocation, at, expected: "a key path outside `\(section)`", found: "`\(entry.key)`",
                       problem: "`\(section)` settings apply to \(why.scope), not to one job", suggestion: why.suggestion)
                ok = false
                continue
            }
            if let other = axes.first(where: { keyPath.hasPrefix($0.path) || $0.path.hasPrefix(keyPath) }) {
                r.fail(at: entry.keyLocation, at, expected: "a key path not inside another swept one",
                       found: "`\(entry.key)`", problem: "`\(entry.key)` overlaps the swept `\(other.path)`",
                       suggestion: "sweep one of them")
                ok = false
                continue
            }
            guard let values = entry.value.items, !values.isEmpty else {
                r.fail(entry.value, at, expected: "a non-empty list of values, one per job")
                ok = false
                continue
            }
            for (i, value) in values.enumerated() where values[..<i].contains(value) {
                r.fail(value, at + i, expected: "each value once", suggestion: "it would run the same job twice")
                ok = false
            }
            axes.append(Axis(path: keyPath, values: values, keyLocation: entry.keyLocation))
        }
        return ok ? SweepConfig(axes: axes) : nil
    }

    /// Every combination, the first axis varying slowest: keys in file order, values in list order.
    public func combinations() -> [[Override]] {
        var result: [[Override]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in
                axis.values.map { prefix + [Override(path: axis.path, value: $0, location: axis.keyLocation)] }
            }
        }
        return result
    }

    /// The longest job id in bytes: it names a folder (`jobs/<id>/`), and file systems refuse a name
    /// over 255 bytes; a longer id keeps its start and ends in a hash of the whole.
    public static let maxIDBytes = 120

    /// `meta=8-5`: each axis named by the shortest path suffix that tells it apart from the others.
    public func jobID(for overrides: [Override]) -> String {
        let id = overrides.map { label(for: $0.path) + "=" + Self.idText($0.value) }.joined(separator: ",")
        guard id.utf8.count > Self.maxIDBytes else { return id }
        // idText keeps ASCII only, so cutting by characters cuts by bytes.
        return String(id.prefix(Self.maxIDBytes - 9)) + "~" + String(StableHash.hex(id).prefix(8))
    }

    private func label(for path: ConfigPath) -> String {
        let others = axes.map(\.path).filter { $0 != path }
        for length in 1...max(1, path.components.count) {
            let suffix = path.components.suffix(length)
            if !others.contains(where: { $0.components.suffix(length) == suffix }) {
                return suffix.joined(separator: ".")
            }
        }
        return path.description
    }

    /// Lists join with `-`; characters that do not belong in a directory name become one `-`.
    static func idText(_ node: ConfigNode) -> String {
        switch node.kind {
        case let .scalar(s):
            var out = ""
            var pendingSeparator = false
            for c in s.text {
                if c.isASCII && (c.isLetter || c.isNumber || "._+-".contains(c)) {
                    if pendingSeparator && !out.isEmpty { out.append("-") }
                    pendingSeparator = false
                    out.append(c)
                } else {
                    pendingSeparator = true
                }
            }
            return out.isEmpty ? "_" : out
        case let .sequence(items):
            return items.map(idText).joined(separator: "-")
        case let .mapping(entries):
            return entries.map { $0.key + "-" + idText($0.value) }.joined(separator: "-")
        }
    }

    var node: ConfigNode {
        ConfigNode(.mapping(axes.map { .init(key: $0.path.description, value: .list($0.values)) }))
    }
}
