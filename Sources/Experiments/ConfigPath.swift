// ConfigPath: a dotted key path into the experiment file, with list indices as components (`schedule.1.epochs`).

public struct ConfigPath: Equatable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var components: [String]

    public init(_ components: [String] = []) {
        self.components = components
    }

    /// Splits on dots; empty components are kept so that callers can reject `a..b`.
    public init(parsing text: String) {
        components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    public init(stringLiteral value: String) {
        self.init(parsing: value)
    }

    public static func + (path: ConfigPath, key: String) -> ConfigPath {
        ConfigPath(path.components + [key])
    }

    public static func + (path: ConfigPath, index: Int) -> ConfigPath {
        ConfigPath(path.components + [String(index)])
    }

    public var isEmpty: Bool { components.isEmpty }
    public var last: String? { components.last }

    public func hasPrefix(_ other: ConfigPath) -> Bool {
        components.starts(with: other.components)
    }

    public var description: String { components.joined(separator: ".") }
}
