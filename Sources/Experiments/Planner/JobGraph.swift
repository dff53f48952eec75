// JobGraph: the planner's output — jobs, and the nodes they run, shared where their work is the same.

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
        }

        public var freezeTo: Int
        public var epochs: Int
        public var lrs: [Double]
        public var parameters: Int
        public var trainable: Int
        public var groups: [Group]
    }

    public struct Node: Equatable, Sendable {
        public var id: String
        public var kind: Kind
        public var name: String
        /// Identity of the node's output: its parents' hashes and its effective settings.
        public var hash: String
        public var parents: [String]
        /// The ids of the jobs that run this node.
        public var sharedBy: [String]
        public var stage: StagePlan?
    }

    public struct JobPlan: Equatable, Sendable {
        public var id: String
        public var overrides: [String]
        /// The job's nodes in execution order.
        public var nodes: [String]
    }

    public var jobs: [JobPlan]
    /// Every distinct node, in a deterministic topological order.
    public var nodes: [Node]

    public func node(_ id: String) -> Node? {
        nodes.first { $0.id == id }
    }
}
