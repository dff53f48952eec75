// EpochLine: one line of metrics.jsonl — an epoch's stage, index, losses and configured metrics.

public struct EpochLine: Codable, Equatable, Sendable {
    public var stage: String
    public var epoch: Int
    public var values: MetricValues

    static let eventKey = "event", stageKey = "stage", epochKey = "epoch"

    public init(stage: String, epoch: Int, values: MetricValues) {
        self.stage = stage
        self.epoch = epoch
        self.values = values
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: RecordKey.self)
        try container.encode("epoch", forKey: RecordKey(Self.eventKey))
        try container.encode(stage, forKey: RecordKey(Self.stageKey))
        try container.encode(epoch, forKey: RecordKey(Self.epochKey))
        try values.encode(into: &container)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: RecordKey.self)
        stage = try container.decode(String.self, forKey: RecordKey(Self.stageKey))
        epoch = try container.decode(Int.self, forKey: RecordKey(Self.epochKey))
        values = try MetricValues(from: container, ignoring: [Self.eventKey, Self.stageKey, Self.epochKey])
    }
}
