// ConfigSchema: which key paths exist, built from each section's key table; overrides and sweeps are checked against it.

/// The key table of one mapping in the file: cases in the order they are rendered, raw values as written.
protocol ConfigKey: RawRepresentable, CaseIterable, Hashable where RawValue == String {}

extension ConfigKey {
    static var names: [String] { allCases.map(\.rawValue) }
}

indirect enum ConfigSchema: Sendable {
    /// Any value; deeper paths may only walk into what the file already holds (`model.meta.1`).
    case value
    /// A mapping with these keys, in file order.
    case fields([(String, ConfigSchema)])
    /// A list whose items all have this schema; path components are indices.
    case list(ConfigSchema)

    static func fields<K: ConfigKey>(_ keys: K.Type, _ children: [K: ConfigSchema] = [:]) -> ConfigSchema {
        .fields(K.allCases.map { ($0.rawValue, children[$0] ?? .value) })
    }

    var keyNames: [String] {
        if case let .fields(pairs) = self { return pairs.map(\.0) }
        return []
    }

    func child(_ key: String) -> ConfigSchema? {
        if case let .fields(pairs) = self { return pairs.first(where: { $0.0 == key })?.1 }
        return nil
    }
}
