// JobGraph: the planner's output — jobs, and the nodes they run, shared where their work is the same.

/// The single source of truth for execution: every job carries its resolved config and every stage
/// node its schedule entry, resolved groups, trainable keys and rates, so the executor runs nodes
/// without recomputing any of it.
public struct JobGraph: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case data, cache, model, pretrain, stage, evaluate
    }

    public struct StagePlan: Equatable, Sendable {
        public struct Group: Equatable, Sendable {
            public var index: Int
            public var parameters: Int
            public var trainable: Int
            public var lr: Double
            /// The keys of the group's parameters that train, sorted.
            public var trainableKeys: [String]
        }

        /// The schedule entry (its name is the first job's; reused nodes are relabelled).
        public var stage: StageConfig
        /// Groups `0 ..< frozenGroups` are frozen (`freeze_to` resolved against the group count).
        public var frozenGroups: Int
        public var lrs: [Double]
        public var parameters: Int
        public var trainable: Int
        public var groups: [Group]
        /// The leading body children whose output is a fixed function of each image (their
        /// layers frozen, BatchNorm in evaluation mode, the inputs not augmented); 0 when none are.
        /// They run one image at a time, so cached features of them give the same numbers.
        public var exactPrefix = 0
        /// The stage trains its other layers on features of the exact prefix computed once per
        /// image (`train.precompute`).
        public var precompute = false

        public var freezeTo: Int { stage.freezeTo }
        public var epochs: Int { stage.epochs }
        public var trainableKeys: Set<String> { Set(groups.flatMap(\.trainableKeys)) }
    }

    public struct Node: Equatable, Sendable {
        public var id: String
        public var kind: Kind
        public var name: String
        public var identity: NodeIdentity
        public var parents: [String]
        /// The ids of the jobs that run this node.
        public var sharedBy: [String]
        /// Part of the pretrain chain: it runs the job's `pretrain` experiment, not the job's own.
        public var pretraining: Bool
        public var stage: StagePlan?

        /// Identity of the node's output: its parents' hashes and its effective settings.
        public var hash: String { identity.hash }
    }

    public struct JobPlan: Equatable, Sendable {
        public var id: String
        public var overrides: [String]
        public var config: ExperimentConfig
        /// The job's nodes in execution order.
        public var nodes: [String]
    }

    public var jobs: [JobPlan]
    /// Every distinct node, in a deterministic topological order.
    public var nodes: [Node]

    public func node(_ id: String) -> Node? {
        nodes.first { $0.id == id }
    }

    /// A job's nodes in execution order.
    public func nodes(of job: JobPlan) -> [Node] {
        job.nodes.compactMap(node)
    }
}
