// ConfigError: one problem in an experiment file — where it is, which key, what was expected and found, and a fix.

public struct ConfigError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var keyPath: ConfigPath
    public var expected: String
    public var found: String
    /// Replaces "expected …, found …" when that shape reads badly ("unknown key `epoch`").
    public var problem: String?
    public var suggestion: String?

    public init(location: SourceLocation, keyPath: ConfigPath, expected: String, found: String,
                problem: String? = nil, suggestion: String? = nil) {
        self.location = location
        self.keyPath = keyPath
        self.expected = expected
        self.found = found
        self.problem = problem
        self.suggestion = suggestion
    }

    public var file: String? { location.path }
    public var line: Int? { location.line }
    public var column: Int? { location.column }

    public var message: String {
        problem ?? "expected \(expected), found \(found)"
    }

    /// `configs/pets.yaml:12:5: schedule.1.epochs: expected an integer ≥ 1, found "two"`.
    public var description: String {
        var text = "\(location): "
        // An override already names its key path; saying it twice is noise.
        if !keyPath.isEmpty, location != .override(argument: "--set \(keyPath)") {
            text += "\(keyPath): "
        }
        text += message
        if let suggestion { text += " — \(suggestion)" }
        return text
    }
}
