// CacheDirectory: where Runner keeps downloaded weights and datasets.

import Foundation

public enum CacheDirectory {
    /// `$RUNNER_CACHE`, else `$XDG_CACHE_HOME/runner`, else `$HOME/.cache/runner`.
    public static func root(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["RUNNER_CACHE"], !explicit.isEmpty { return explicit }
        // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return join(xdg, "runner") }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return join(join(home, ".cache"), "runner")
    }

    private static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
