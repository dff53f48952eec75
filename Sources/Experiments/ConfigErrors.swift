// ConfigErrors: every problem found in one load, reported together so that one edit fixes them all.

public struct ConfigErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors
    }

    public var count: Int { errors.count }

    /// One error per line in file order, then a count line.
    public var description: String {
        let lines = errors.map(\.description)
        let count = errors.count == 1 ? "1 error" : "\(errors.count) errors"
        return (lines + [count]).joined(separator: "\n")
    }

    /// File order, then overrides; duplicates (the same mistake seen by several sweep jobs) once.
    static func ordered(_ errors: [ConfigError]) -> ConfigErrors {
        var seen = Set<ConfigError>()
        let unique = errors.filter { seen.insert($0).inserted }
        let sorted = unique.enumerated().sorted { a, b in
            if SourceLocation.precedes(a.element.location, b.element.location) { return true }
            if SourceLocation.precedes(b.element.location, a.element.location) { return false }
            return a.offset < b.offset
        }
        return ConfigErrors(sorted.map(\.element))
    }
}
