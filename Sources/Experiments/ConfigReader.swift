// ConfigReader: reads typed values out of a ConfigNode tree and collects every problem instead of stopping.

import Diagnostics
import Foundation

final class ConfigReader {
    private(set) var errors: [ConfigError] = []
    let options: ConfigLoader.Options

    init(options: ConfigLoader.Options) {
        self.options = options
    }

    /// A view of one mapping whose keys have been checked against its table.
    struct Fields<K: ConfigKey> {
        let node: ConfigNode
        let path: ConfigPath
        private let values: [K: ConfigNode]

        init(node: ConfigNode, path: ConfigPath, values: [K: ConfigNode]) {
            self.node = node
            self.path = path
            self.values = values
        }

        /// Explicit nulls read as absent, so `--set model.meta=null` removes a value.
        subscript(key: K) -> ConfigNode? {
            guard let value = values[key], !value.isNull else { return nil }
            return value
        }

        /// The value even when it is null, for keys where null is a mistake worth naming.
        func raw(_ key: K) -> ConfigNode? { values[key] }

        func has(_ key: K) -> Bool { self[key] != nil }

        func path(_ key: K) -> ConfigPath { path + key.rawValue }

        var location: SourceLocation { node.location }

        var presentKeys: [K] { K.allCases.filter { values[$0] != nil } }
    }

    // MARK: Reporting

    func fail(_ node: ConfigNode, _ path: ConfigPath, expected: String, suggestion: String? = nil) {
        errors.append(ConfigError(location: node.location, keyPath: path, expected: expected, found: node.summary,
                                  suggestion: suggestion))
    }

    func fail(at location: SourceLocation, _ path: ConfigPath, expected: String, found: String,
              problem: String? = nil, suggestion: String? = nil) {
        errors.append(ConfigError(location: location, keyPath: path, expected: expected, found: found,
                                  problem: problem, suggestion: suggestion))
    }

    func append(_ error: ConfigError) {
        errors.append(error)
    }

    func missing<K: ConfigKey>(_ key: K, in fields: Fields<K>, suggestion: String? = nil) {
        fail(at: fields.location, fields.path(key), expected: "a value for `\(key.rawValue)`", found: "nothing",
             problem: "missing required key `\(key.rawValue)`", suggestion: suggestion)
    }

    /// For keys that only make sense next to another setting (`pattern` with `from: filename`).
    func notApplicable<K: ConfigKey>(_ key: K, in fields: Fields<K>, because reason: String) {
        let node = fields.raw(key) ?? fields.node
        fail(at: node.location, fields.path(key), expected: "no `\(key.rawValue)`", found: node.summary,
             problem: "`\(key.rawValue)` is not used \(reason)", suggestion: "remove it")
    }

    // MARK: Containers

    /// Checks that `node` is a mapping and that every key is in the table; unknown keys get a did-you-mean.
    func fields<K: ConfigKey>(_ node: ConfigNode, _ path: ConfigPath, _ keys: K.Type) -> Fields<K>? {
        guard let entries = node.entries else {
            fail(node, path, expected: "a mapping with keys \(K.names.joined(separator: ", "))")
            return nil
        }
        var values: [K: ConfigNode] = [:]
        for entry in entries {
            if let key = K(rawValue: entry.key) {
                values[key] = entry.value
            } else {
                unknownKey(entry.key, at: entry.keyLocation, path + entry.key, candidates: K.names)
            }
        }
        return Fields(node: node, path: path, values: values)
    }

    func unknownKey(_ key: String, at location: SourceLocation, _ path: ConfigPath, candidates: [String]) {
        fail(at: location, path, expected: "one of " + candidates.joined(separator: ", "), found: "`\(key)`",
             problem: "unknown key `\(key)`", suggestion: Suggestion.text(for: key, in: candidates, noun: "valid keys"))
    }

    func list(_ node: ConfigNode, _ path: ConfigPath, expected: String = "a list") -> [ConfigNode]? {
        guard let items = node.items else {
            fail(node, path, expected: expected)
            return nil
        }
        return items
    }

    // MARK: Scalars

    func int(_ node: ConfigNode, _ path: ConfigPath, min: Int? = nil, max: Int? = nil) -> Int? {
        let expected: String
        switch (min, max) {
        case let (lo?, hi?) where lo == hi: expected = "\(lo)"
        case let (lo?, hi?): expected = "an integer from \(lo) to \(hi)"
        case let (lo?, nil): expected = "an integer ≥ \(lo)"
        case let (nil, hi?): expected = "an integer ≤ \(hi)"
        case (nil, nil): expected = "an integer"
        }
        guard let s = node.scalar, s.type == .int, let value = Int(s.text.replacingOccurrences(of: "_", with: "")) else {
            fail(node, path, expected: expected)
            return nil
        }
        if let min, value < min { fail(node, path, expected: expected); return nil }
        if let max, value > max { fail(node, path, expected: expected); return nil }
        return value
    }

    func number(_ node: ConfigNode, _ path: ConfigPath, _ range: NumberRange = .any) -> Double? {
        guard let value = Self.double(node) else {
            fail(node, path, expected: range.expected)
            return nil
        }
        guard range.contains(value) else {
            fail(node, path, expected: range.expected)
            return nil
        }
        return value
    }

    /// Ints count as numbers (`div: 25`); `.inf` and `.nan` do not, no setting wants them.
    static func double(_ node: ConfigNode) -> Double? {
        guard let s = node.scalar, s.type == .int || s.type == .float,
              let value = Double(s.text.replacingOccurrences(of: "_", with: "")), value.isFinite else { return nil }
        return value
    }

    func bool(_ node: ConfigNode, _ path: ConfigPath) -> Bool? {
        guard let s = node.scalar, s.type == .bool else {
            fail(node, path, expected: "true or false")
            return nil
        }
        return ["true", "yes", "on"].contains(s.text.lowercased())
    }

    func string(_ node: ConfigNode, _ path: ConfigPath, expected: String = "a non-empty string") -> String? {
        guard let s = node.scalar, s.type != .null, !s.text.isEmpty else {
            fail(node, path, expected: expected)
            return nil
        }
        return s.text
    }

    /// A name that becomes part of a file or folder name: ASCII letters, digits and `extra`, not
    /// starting with `.` or `-`, and at most `maxBytes` long (file systems refuse names over 255 bytes).
    func fileName(_ n: ConfigNode, _ path: ConfigPath, extra: String, maxBytes: Int, names what: String) -> String? {
        let marks = extra.map { "`\($0)`" }
        let allowed = (["letters", "digits"] + marks.dropLast()).joined(separator: ", ") + " and " + (marks.last ?? "")
        let expected = "a name of \(allowed), at most \(maxBytes) characters (it names \(what))"
        guard let text = string(n, path, expected: expected) else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || extra.contains($0)) }),
              text.first != ".", text.first != "-", text.utf8.count <= maxBytes else {
            fail(n, path, expected: expected)
            return nil
        }
        return text
    }

    func choice<E: CaseIterable & RawRepresentable>(_ node: ConfigNode, _ path: ConfigPath, _ type: E.Type) -> E?
    where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        let expected = "one of " + names.joined(separator: ", ")
        guard let s = node.scalar, s.type != .null else {
            fail(node, path, expected: expected)
            return nil
        }
        guard let value = E(rawValue: s.text) else {
            fail(node, path, expected: expected, suggestion: Suggestion.closest(to: s.text, in: names).map {
                "did you mean `\($0)`?"
            })
            return nil
        }
        return value
    }

    /// A list of exactly `count` numbers (or any non-empty length when `count` is nil), each in `range`.
    func numbers(_ node: ConfigNode, _ path: ConfigPath, count: Int? = nil, _ range: NumberRange = .any) -> [Double]? {
        let expected = count.map { "a list of \($0) numbers \(range.bound)" } ?? "a list of numbers \(range.bound)"
        guard let items = node.items, count.map({ items.count == $0 }) ?? !items.isEmpty else {
            fail(node, path, expected: expected.trimmingCharacters(in: .whitespaces))
            return nil
        }
        var values: [Double] = []
        for (i, item) in items.enumerated() {
            guard let value = number(item, path + i, range) else { continue }
            values.append(value)
        }
        return values.count == items.count ? values : nil
    }

    // MARK: Files

    /// Relative paths are resolved against the base directory (the working directory by default).
    /// `howToGet` says how to obtain a missing file (a download, a conversion command).
    func checkExists(_ file: String, _ node: ConfigNode, _ path: ConfigPath, directory: Bool, what: String,
                     howToGet: String? = nil) {
        guard options.checkFiles else { return }
        let full = options.resolve(file)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
        if !exists {
            fail(node, path, expected: "an existing \(what)",
                 suggestion: "no such \(directory ? "directory" : "file"): \(full)" + (howToGet.map { "; \($0)" } ?? ""))
        } else if isDirectory.boolValue != directory {
            fail(node, path, expected: "\(directory ? "a directory" : "a file") (\(what))",
                 suggestion: "\(full) is a \(isDirectory.boolValue ? "directory" : "file")")
        }
    }
}

/// The allowed range of a number, with the words used in messages.
enum NumberRange {
    case any, positive, nonNegative, unitOpen, unitClosed, atLeast(Double)

    func contains(_ x: Double) -> Bool {
        switch self {
        case .any: return true
        case .positive: return x > 0
        case .nonNegative: return x >= 0
        case .unitOpen: return x >= 0 && x < 1
        case .unitClosed: return x >= 0 && x <= 1
        case let .atLeast(lo): return x >= lo
        }
    }

    var bound: String {
        switch self {
        case .any: return ""
        case .positive: return "> 0"
        case .nonNegative: return "≥ 0"
        case .unitOpen: return "in [0, 1)"
        case .unitClosed: return "in [0, 1]"
        case let .atLeast(lo): return "≥ \(lo == lo.rounded() ? String(Int(lo)) : ConfigNode.format(lo))"
        }
    }

    var expected: String { bound.isEmpty ? "a number" : "a number \(bound)" }
}
