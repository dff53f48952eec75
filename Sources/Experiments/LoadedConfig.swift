// LoadedConfig: what loading an experiment file yields — the resolved config and the jobs it expands to.

public struct LoadedConfig: Equatable, Sendable {
    public var path: String
    /// The file as given, for `config.yaml` in the run directory.
    public var text: String
    /// After presets, defaults and `--set` overrides; keeps the sweep.
    public var config: ExperimentConfig
    /// The `--set` overrides, in the order given.
    public var overrides: [Override]
    /// One per sweep point in sweep order; exactly one when there is no sweep.
    public var jobs: [Job]
    /// Where each value was written (after `--set`), so that checks made later, against the
    /// architecture, can still point at the line.
    public var locations: [ConfigPath: SourceLocation] = [:]

    /// The location of `path`, or of its nearest written ancestor, or the whole file.
    public func location(of path: ConfigPath) -> SourceLocation {
        var components = path.components
        while true {
            if let location = locations[ConfigPath(components)], location != .generated { return location }
            guard !components.isEmpty else { return .wholeFile(path: self.path) }
            components.removeLast()
        }
    }

    /// `resolved.yaml`.
    public var resolvedYAML: String { ConfigLoader.render(config) }
}
