// ModelFacts: what the planner needs to know about a model, supplied by a module that can build one.

/// Experiments cannot build models (it imports neither Tensors nor Layers); the Training module
/// answers these questions by building the model a job describes.
public protocol ModelFacts {
    /// The model of `config`, frozen as `stage` says: its groups and which parameters train.
    func stage(_ stage: StageConfig, of config: ExperimentConfig) throws -> StageFacts
}

public struct StageFacts: Equatable, Sendable {
    public struct Group: Equatable, Sendable {
        public var parameters: Int
        public var trainable: Int
        /// Keys of this group's trainable parameters, sorted.
        public var trainableKeys: [String]

        public init(parameters: Int, trainable: Int, trainableKeys: [String]) {
            self.parameters = parameters
            self.trainable = trainable
            self.trainableKeys = trainableKeys
        }
    }

    public var groups: [Group]

    public init(groups: [Group]) {
        self.groups = groups
    }

    public var parameters: Int { groups.reduce(0) { $0 + $1.parameters } }
    public var trainable: Int { groups.reduce(0) { $0 + $1.trainable } }
}
