// SourceLocation: where a configuration value came from — a file position, a `--set` override, or a default.

public enum SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Line and column are 1-based, as libyaml counts them (columns in Unicode scalars).
    case file(path: String, line: Int, column: Int)
    /// The whole file, for problems that have no position (an unreadable file).
    case wholeFile(path: String)
    /// A `--set key.path=value` argument; `argument` is `--set key.path`.
    case override(argument: String)
    /// Filled in by Runner itself (defaults, presets, rendering).
    case generated

    public var description: String {
        switch self {
        case let .file(path, line, column): return "\(path):\(line):\(column)"
        case let .wholeFile(path): return path
        case let .override(argument): return argument
        case .generated: return "<generated>"
        }
    }

    public var line: Int? {
        if case let .file(_, line, _) = self { return line }
        return nil
    }

    public var column: Int? {
        if case let .file(_, _, column) = self { return column }
        return nil
    }

    public var path: String? {
        switch self {
        case let .file(path, _, _), let .wholeFile(path): return path
        case .override, .generated: return nil
        }
    }

    /// File positions first in reading order, then overrides; used to report errors in a stable order.
    static func precedes(_ a: SourceLocation, _ b: SourceLocation) -> Bool {
        func rank(_ l: SourceLocation) -> (Int, String, Int, Int) {
            switch l {
            case let .wholeFile(path): return (0, path, 0, 0)
            case let .file(path, line, column): return (0, path, line, column)
            // Overrides keep the order they were found in: the order given, path errors before value errors.
            case .override: return (1, "", 0, 0)
            case .generated: return (2, "", 0, 0)
            }
        }
        return rank(a) < rank(b)
    }
}
