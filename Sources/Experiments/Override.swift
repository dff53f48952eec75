// Override: one value set at a key path — from `--set key.path=value` or one point of a sweep — applied to the tree before decoding.

import Diagnostics

public struct Override: Equatable, Sendable, CustomStringConvertible {
    public var path: ConfigPath
    public var value: ConfigNode
    /// Where the override was written: the `--set` argument, or the sweep key in the file.
    public var location: SourceLocation

    public init(path: ConfigPath, value: ConfigNode, location: SourceLocation) {
        self.path = path
        self.value = value
        self.location = location
    }

    /// The value in one-line YAML, e.g. `[8, 5]`.
    public var valueText: String { YAMLWriter.flow(value) }

    public var description: String { "\(path)=\(valueText)" }

    /// Parses `key.path=value`; the value is YAML, so `model.meta=[8,5]` is a list and `name=` is null.
    public static func parse(_ argument: String) throws(ConfigError) -> Override {
        guard let equals = argument.firstIndex(of: "=") else {
            throw ConfigError(location: .override(argument: "--set \(argument)"), keyPath: ConfigPath(),
                              expected: "key.path=value", found: "\"\(argument)\"",
                              suggestion: "e.g. --set schedule.1.epochs=3")
        }
        let pathText = String(argument[..<equals])
        let location = SourceLocation.override(argument: "--set \(pathText)")
        let path = ConfigPath(parsing: pathText)
        guard !pathText.isEmpty, !path.components.contains(where: { $0.isEmpty }) else {
            throw ConfigError(location: location, keyPath: ConfigPath(), expected: "a dotted key path",
                              found: "\"\(pathText)\"", suggestion: "e.g. train.optimizer.wd")
        }
        let valueText = String(argument[argument.index(after: equals)...])
        do {
            let value = try ConfigNode.parse(yaml: valueText, path: "--set \(pathText)")
            return Override(path: path, value: value.relocated(to: location), location: location)
        } catch {
            var moved = error
            moved.location = location
            moved.keyPath = path
            throw moved
        }
    }

    /// Sets the value in `tree`. Every component must exist in `schema`; list indices must exist in the
    /// tree (an override edits stages, it does not invent them).
    func apply(to tree: inout ConfigNode, schema: ConfigSchema) throws(ConfigError) {
        try Self.set(value, at: path.components[...], in: &tree, schema: schema, walked: ConfigPath(), self)
    }

    private static func set(_ value: ConfigNode, at components: ArraySlice<String>, in node: inout ConfigNode,
                            schema: ConfigSchema, walked: ConfigPath, _ override: Override) throws(ConfigError) {
        guard let key = components.first else {
            node = value
            return
        }
        let rest = components.dropFirst()
        switch schema {
        case .fields:
            try setField(value, key: key, rest: rest, in: &node, schema: schema, walked: walked, override)
        case let .list(item):
            try setListItem(value, key: key, rest: rest, in: &node, schema: item, walked: walked, override)
        case .value:
            try setExisting(value, key: key, rest: rest, in: &node, walked: walked, override)
        }
    }

    /// Sets the key of a mapping the schema describes, adding it (and the mappings below it) if the file lacks it.
    private static func setField(_ value: ConfigNode, key: String, rest: ArraySlice<String>, in node: inout ConfigNode,
                                 schema: ConfigSchema, walked: ConfigPath, _ override: Override) throws(ConfigError) {
        let here = walked + key
        guard let child = schema.child(key) else {
            throw override.error(here, expected: "a key of \(walked.isEmpty ? "the file" : "`\(walked)`")",
                                 found: "`\(key)`", problem: "no key `\(here)` in the experiment file",
                                 suggestion: Suggestion.text(for: key, in: schema.keyNames, noun: "valid keys"))
        }
        // A scalar shorthand (`augment: standard`) becomes a mapping when one of its keys is set.
        var entries = node.entries ?? []
        if node.entries == nil { node = ConfigNode(.mapping([]), at: override.location) }
        if let i = entries.firstIndex(where: { $0.key == key }) {
            try set(value, at: rest, in: &entries[i].value, schema: child, walked: here, override)
        } else {
            var fresh = rest.isEmpty ? value : ConfigNode(.mapping([]), at: override.location)
            try set(value, at: rest, in: &fresh, schema: child, walked: here, override)
            entries.append(.init(key: key, keyLocation: override.location, value: fresh))
        }
        node.kind = .mapping(entries)
    }

    /// Sets an entry of a list the schema describes; the index must exist in the file.
    private static func setListItem(_ value: ConfigNode, key: String, rest: ArraySlice<String>,
                                    in node: inout ConfigNode, schema item: ConfigSchema, walked: ConfigPath,
                                    _ override: Override) throws(ConfigError) {
        let here = walked + key
        guard var items = node.items else {
            throw override.error(here, expected: "a list at `\(walked)`", found: node.summary,
                                 problem: "`\(walked)` is not a list in the file")
        }
        guard let index = Int(key), items.indices.contains(index) else {
            throw override.error(here, expected: "an index from 0 to \(items.count - 1)", found: "`\(key)`",
                                 problem: "`\(walked)` has \(items.count) \(items.count == 1 ? "entry" : "entries"); no index `\(key)`",
                                 suggestion: Int(key) == nil ? "list entries are addressed by number, e.g. \(walked).0" : nil)
        }
        try set(value, at: rest, in: &items[index], schema: item, walked: here, override)
        node.kind = .sequence(items)
    }

    /// Free-form values may only be walked where the file already has something.
    private static func setExisting(_ value: ConfigNode, key: String, rest: ArraySlice<String>,
                                    in node: inout ConfigNode, walked: ConfigPath,
                                    _ override: Override) throws(ConfigError) {
        let here = walked + key
        if var items = node.items, let index = Int(key), items.indices.contains(index) {
            try set(value, at: rest, in: &items[index], schema: .value, walked: here, override)
            node.kind = .sequence(items)
        } else if var entries = node.entries, let i = entries.firstIndex(where: { $0.key == key }) {
            try set(value, at: rest, in: &entries[i].value, schema: .value, walked: here, override)
            node.kind = .mapping(entries)
        } else {
            throw override.error(here, expected: "an existing element of `\(walked)`", found: "`\(key)`",
                                 problem: "`\(walked)` has no element `\(key)`",
                                 suggestion: "set the whole value: \(walked)=…")
        }
    }

    private func error(_ path: ConfigPath, expected: String, found: String, problem: String,
                       suggestion: String? = nil) -> ConfigError {
        ConfigError(location: location, keyPath: self.path, expected: expected, found: found, problem: problem,
                    suggestion: suggestion)
    }
}
