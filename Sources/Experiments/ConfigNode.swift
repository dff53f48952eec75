// ConfigNode: the YAML tree with a source location on every value; overrides and sweeps edit it before decoding.

import Yams

public struct ConfigNode: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case scalar(Scalar)
        case sequence([ConfigNode])
        case mapping([Entry])
    }

    /// The type YAML resolves a scalar to; quoted scalars are always strings.
    public enum ScalarType: Equatable, Sendable {
        case null, bool, int, float, string
    }

    public struct Scalar: Equatable, Sendable {
        public var text: String
        public var type: ScalarType

        public init(_ text: String, _ type: ScalarType) {
            self.text = text
            self.type = type
        }
    }

    public struct Entry: Equatable, Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: ConfigNode

        public init(key: String, keyLocation: SourceLocation = .generated, value: ConfigNode) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }

        /// Where a key was written is not part of what it means.
        public static func == (a: Entry, b: Entry) -> Bool {
            a.key == b.key && a.value == b.value
        }
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation = .generated) {
        self.kind = kind
        self.location = location
    }

    /// Equality is about values only, so a rendered and reloaded tree equals the original.
    public static func == (a: ConfigNode, b: ConfigNode) -> Bool {
        a.kind == b.kind
    }

    /// Every node's location by key path (list items by index), this node's under `prefix`.
    public func locations(prefix: ConfigPath = ConfigPath()) -> [ConfigPath: SourceLocation] {
        var result = [prefix: location]
        switch kind {
        case .scalar: break
        case let .sequence(items):
            for (index, item) in items.enumerated() {
                result.merge(item.locations(prefix: prefix + index)) { first, _ in first }
            }
        case let .mapping(entries):
            for entry in entries {
                result.merge(entry.value.locations(prefix: prefix + entry.key)) { first, _ in first }
            }
        }
        return result
    }

    // MARK: Building

    public static func string(_ text: String) -> ConfigNode { ConfigNode(.scalar(Scalar(text, .string))) }
    public static func int(_ value: Int) -> ConfigNode { ConfigNode(.scalar(Scalar(String(value), .int))) }
    public static func bool(_ value: Bool) -> ConfigNode { ConfigNode(.scalar(Scalar(value ? "true" : "false", .bool))) }
    public static func number(_ value: Double) -> ConfigNode { ConfigNode(.scalar(Scalar(format(value), .float))) }
    public static var null: ConfigNode { ConfigNode(.scalar(Scalar("null", .null))) }
    public static func list(_ items: [ConfigNode]) -> ConfigNode { ConfigNode(.sequence(items)) }
    public static func numbers(_ values: [Double]) -> ConfigNode { .list(values.map(ConfigNode.number)) }
    public static func ints(_ values: [Int]) -> ConfigNode { .list(values.map(ConfigNode.int)) }

    public static func map(_ pairs: [(String, ConfigNode?)]) -> ConfigNode {
        ConfigNode(.mapping(pairs.compactMap { key, value in value.map { Entry(key: key, value: $0) } }))
    }

    /// The shortest text that reads back as the same Double, with exponents as people write them (1e-6).
    static func format(_ value: Double) -> String {
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mantissa = text[..<e]
            var exponent = text[text.index(after: e)...]
            var sign = ""
            if let first = exponent.first, first == "-" || first == "+" {
                sign = first == "-" ? "-" : ""
                exponent = exponent.dropFirst()
            }
            let digits = exponent.drop(while: { $0 == "0" })
            text = "\(mantissa)e\(sign)\(digits.isEmpty ? "0" : digits)"
        }
        return text
    }

    // MARK: Reading

    public var scalar: Scalar? {
        if case let .scalar(s) = kind { return s }
        return nil
    }

    public var items: [ConfigNode]? {
        if case let .sequence(items) = kind { return items }
        return nil
    }

    public var entries: [Entry]? {
        if case let .mapping(entries) = kind { return entries }
        return nil
    }

    public var isNull: Bool { scalar?.type == .null }

    public subscript(key: String) -> ConfigNode? {
        entries?.first(where: { $0.key == key })?.value
    }

    /// How a value is shown after "found": strings quoted, numbers bare, containers by shape.
    public var summary: String {
        switch kind {
        case let .scalar(s):
            switch s.type {
            case .string: return "\"\(s.text)\""
            case .null: return s.text.isEmpty ? "nothing" : "null"
            case .bool, .int, .float: return s.text
            }
        case let .sequence(items):
            return items.isEmpty ? "an empty list" : "a list of \(items.count)"
        case let .mapping(entries):
            return entries.isEmpty ? "an empty mapping" : "a mapping"
        }
    }

    /// Every node below and including this one gets `location`; used for values given on the command line.
    func relocated(to location: SourceLocation) -> ConfigNode {
        var copy = self
        copy.location = location
        switch kind {
        case .scalar: break
        case let .sequence(items): copy.kind = .sequence(items.map { $0.relocated(to: location) })
        case let .mapping(entries):
            copy.kind = .mapping(entries.map {
                Entry(key: $0.key, keyLocation: location, value: $0.value.relocated(to: location))
            })
        }
        return copy
    }

    // MARK: Parsing

    /// An experiment file is a page or two; these bound what a hostile one can cost. Aliases are
    /// counted as what they expand to: nine levels of ten aliases are 10⁹ values in 300 bytes.
    static let maxBytes = 1 << 20
    static let maxValues = 100_000

    /// The error for an experiment file of `bytes` bytes, or nil when it is within `maxBytes`.
    static func sizeError(bytes: Int, path: String) -> ConfigError? {
        guard bytes > maxBytes else { return nil }
        return ConfigError(location: .wholeFile(path: path), keyPath: ConfigPath(),
                           expected: "an experiment file of at most \(maxBytes / 1024) KiB", found: "\(bytes / 1024) KiB",
                           suggestion: "list long values (file lists, sweeps) in a data folder or CSV instead")
    }

    /// Parses one YAML document. An empty document is an empty-text null scalar, so callers report
    /// "found nothing" rather than crash.
    static func parse(yaml: String, path: String) throws(ConfigError) -> ConfigNode {
        if let error = sizeError(bytes: yaml.utf8.count, path: path) { throw error }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, path: path)
        } catch {
            throw ConfigError(location: .wholeFile(path: path), keyPath: ConfigPath(), expected: "valid YAML",
                              found: "\(error)", problem: "not valid YAML: \(error)")
        }
        guard let root else {
            return ConfigNode(.scalar(Scalar("", .null)), at: .file(path: path, line: 1, column: 1))
        }
        var budget = maxValues
        guard withinBudget(root, &budget) else {
            throw ConfigError(location: .wholeFile(path: path), keyPath: ConfigPath(),
                              expected: "at most \(maxValues) values once YAML aliases are expanded",
                              found: "more", problem: "the file expands to more than \(maxValues) values (aliases of aliases?)",
                              suggestion: "write the values out, or use fewer nested aliases")
        }
        return try convert(root, path: path)
    }

    /// Counts values down from `budget`, stopping as soon as it runs out, so the count costs at
    /// most `maxValues` steps however far the aliases would expand.
    private static func withinBudget(_ node: Node, _ budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias:
            return true
        case let .sequence(sequence):
            for item in sequence where !withinBudget(item, &budget) { return false }
            return true
        case let .mapping(mapping):
            for (key, value) in mapping where !withinBudget(key, &budget) || !withinBudget(value, &budget) {
                return false
            }
            return true
        }
    }

    private static func location(_ mark: Mark?, _ path: String) -> SourceLocation {
        guard let mark else { return .wholeFile(path: path) }
        return .file(path: path, line: mark.line, column: mark.column)
    }

    private static func convert(_ node: Node, path: String) throws(ConfigError) -> ConfigNode {
        let here = location(node.mark, path)
        switch node {
        case let .scalar(scalar):
            return ConfigNode(.scalar(Scalar(scalar.string, scalarType(node))), at: here)
        case let .sequence(sequence):
            var items: [ConfigNode] = []
            for item in sequence { items.append(try convert(item, path: path)) }
            return ConfigNode(.sequence(joinSplitSlices(items)), at: here)
        case let .mapping(mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                guard case let .scalar(keyScalar) = key else {
                    throw ConfigError(location: location(key.mark, path), keyPath: ConfigPath(),
                                      expected: "a key name", found: "a \(key.sequence != nil ? "list" : "mapping")",
                                      suggestion: "keys are plain words such as `epochs`")
                }
                entries.append(Entry(key: keyScalar.string, keyLocation: location(key.mark, path),
                                     value: try convert(value, path: path)))
            }
            return ConfigNode(.mapping(joinSplitSlices(entries)), at: here)
        case let .alias(alias):
            throw ConfigError(location: location(alias.mark, path), keyPath: ConfigPath(), expected: "a value",
                              found: "an unresolved alias")
        }
    }

    private static func scalarType(_ node: Node) -> ScalarType {
        switch node.tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return .bool
        case Tag.Name.int.rawValue: return .int
        case Tag.Name.float.rawValue: return .float
        default: return .string
        }
    }

    /// In a flow mapping, `{lr: slice(1e-6, 1e-4)}` is read by YAML as `lr: "slice(1e-6"` plus a key
    /// `"1e-4)"` with no value, because the comma ends a plain scalar. The design writes learning rates
    /// this way, so the pieces are joined back.
    private static func joinSplitSlices(_ entries: [Entry]) -> [Entry] {
        var result: [Entry] = []
        var index = 0
        while index < entries.count {
            var entry = entries[index]
            index += 1
            guard var scalar = entry.value.scalar, scalar.type == .string, isOpenSlice(scalar.text) else {
                result.append(entry)
                continue
            }
            while index < entries.count, entries[index].value.isNull, entries[index].value.scalar?.text == "",
                  isOpenSlice(scalar.text) {
                scalar.text += ", " + entries[index].key
                index += 1
            }
            entry.value.kind = .scalar(scalar)
            result.append(entry)
        }
        return result
    }

    /// The same repair for flow lists: `[slice(1e-6, 1e-4), 1e-3]`.
    private static func joinSplitSlices(_ items: [ConfigNode]) -> [ConfigNode] {
        var result: [ConfigNode] = []
        var index = 0
        while index < items.count {
            var item = items[index]
            index += 1
            guard var scalar = item.scalar, scalar.type == .string, isOpenSlice(scalar.text) else {
                result.append(item)
                continue
            }
            while index < items.count, let next = items[index].scalar, next.type != .null, isOpenSlice(scalar.text) {
                scalar.text += ", " + next.text
                index += 1
            }
            item.kind = .scalar(scalar)
            result.append(item)
        }
        return result
    }

    private static func isOpenSlice(_ text: String) -> Bool {
        text.hasPrefix("slice(") && !text.contains(")")
    }

    private static func syntaxError(_ error: YamlError, path: String) -> ConfigError {
        func make(_ mark: Mark?, _ problem: String, _ context: YamlError.Context?) -> ConfigError {
            let where_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return ConfigError(location: location(mark, path), keyPath: ConfigPath(), expected: "valid YAML",
                               found: problem, problem: "YAML syntax error: \(problem)\(where_)")
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return make(mark, problem, context)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
            return ConfigError(location: location(context.mark, path), keyPath: ConfigPath(),
                               expected: "each key once", found: keys,
                               problem: "duplicate key \(keys) in the mapping that starts here",
                               suggestion: "keep one of them")
        default:
            return make(nil, "\(error)", nil)
        }
    }
}
