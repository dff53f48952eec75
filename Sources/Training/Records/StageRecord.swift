// StageRecord: one entry of stages.json — a stage's groups with parameter and trainable counts and rates, and its wall time.

public struct StageRecord: Codable, Equatable, Sendable {
    public struct Group: Codable, Equatable, Sendable {
        public var index: Int
        public var params: Int
        public var trainable: Int
        public var lr: Double
    }

    public var name: String
    public var freezeTo: Int
    public var epochs: Int
    public var epochsRun: Int
    public var totalParams: Int
    public var trainableParams: Int
    public var groups: [Group]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case name
        case freezeTo = "freeze_to"
        case epochs
        case epochsRun = "epochs_run"
        case totalParams = "total_params"
        case trainableParams = "trainable_params"
        case groups, seconds
    }
}
