// NodeIdentity: what decides a node's output — its kind, its parents' identities and its settings by name.

/// Two nodes with equal identities produce the same output, so the planner merges them and the
/// stage cache reuses one for the other. `plan.json` lists every node's fields, so two plans can be
/// compared to see why a node was (or was not) trained again.
public struct NodeIdentity: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var kind: JobGraph.Kind
    /// The parents' hashes.
    public var parents: [String]
    public var fields: [Field]

    public init(kind: JobGraph.Kind, parents: [String], fields: [Field]) {
        self.kind = kind
        self.parents = parents
        self.fields = fields
    }

    public var hash: String {
        StableHash.hex(([kind.rawValue] + parents + fields.map { "\($0.name)=\($0.value)" }).joined(separator: "\u{1F}"))
    }
}
