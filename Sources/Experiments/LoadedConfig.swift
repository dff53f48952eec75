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

    /// `resolved.yaml`.
    public var resolvedYAML: String { ConfigLoader.render(config) }
}
