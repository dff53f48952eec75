// PlanFacts: what the planner needs to know beyond the config — a model's groups, and the content of the files a job reads.

/// Experiments cannot build models or read images (it imports neither Tensors nor Layers nor
/// Datasets); the Training module answers these questions by building the model a job describes
/// and by looking at its files.
public protocol PlanFacts {
    /// The model of `config`, frozen as `stage` says: its groups and which parameters train.
    func stage(_ stage: StageConfig, of config: ExperimentConfig) throws -> StageFacts
    /// A digest of what `config.data` reads — its file list with sizes and modification times, or
    /// the archive it was unpacked from — or nil when the config alone decides it (generated data,
    /// a download not made yet).
    func dataContent(_ config: ExperimentConfig) throws -> String?
    /// A digest of the file `model.weights` names (its SHA-256), or nil when the config alone
    /// decides the weights (none, torchvision's catalogue, the pretrain stage).
    func weightsContent(_ config: ExperimentConfig) throws -> String?
    /// What decides a stage's numbers besides its settings and inputs: the numerics mode, and
    /// under fast numerics the thread count and OpenBLAS's kernels too (reductions split by thread
    /// round differently).
    func numerics(_ config: ExperimentConfig) -> String
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
    /// How many leading body children compute a fixed function in training, frozen as the stage
    /// says: no trainable parameter, no BatchNorm updating statistics, no active dropout.
    public var fixedPrefix: Int

    public init(groups: [Group], fixedPrefix: Int = 0) {
        self.groups = groups
        self.fixedPrefix = fixedPrefix
    }

    public var parameters: Int { groups.reduce(0) { $0 + $1.parameters } }
    public var trainable: Int { groups.reduce(0) { $0 + $1.trainable } }
}
