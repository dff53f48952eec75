// Job: one fully resolved experiment — the base config with one point of the sweep applied.

public struct Job: Equatable, Sendable {
    /// Derived from the overrides (`meta=8-5`), or `main` when there is no sweep; unique within a run.
    public var id: String
    /// The sweep values that make this job, in sweep-key order.
    public var overrides: [Override]
    /// Resolved and validated; its `sweep` is nil.
    public var config: ExperimentConfig

    public init(id: String, overrides: [Override], config: ExperimentConfig) {
        self.id = id
        self.overrides = overrides
        self.config = config
    }
}
