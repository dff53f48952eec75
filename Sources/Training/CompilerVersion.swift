// CompilerVersion: the Swift compiler this binary was built with, for env.json.

/// Swift has no runtime query for it; the compiler answers `#if compiler(...)` at build time, so
/// the newest version a condition admits is the version (to the minor release).
enum CompilerVersion {
    static var swift: String {
        #if compiler(>=7.0)
        return ">= 7.0"
        #elseif compiler(>=6.5)
        return "6.5"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
