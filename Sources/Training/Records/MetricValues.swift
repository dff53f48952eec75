// MetricValues: an epoch's losses and its configured metrics, written as flat keys (train_loss, valid_loss, error_rate, …).

import Experiments

/// The columns of `metrics.jsonl`, `final.json` and the sweep table: the two losses, then
/// `train.metrics` in order, each under its name (`Metric.description`).
public struct MetricValues: Equatable, Sendable {
    public var trainLoss: Double
    public var validLoss: Double
    /// By metric name, in `train.metrics` order.
    public var metrics: [(name: String, value: Double)]

    static let trainLossKey = "train_loss", validLossKey = "valid_loss"

    public init(_ record: EpochRecord, metrics: [Metric]) {
        trainLoss = record.trainLoss
        validLoss = record.validLoss
        // valid_loss is a column already when it is listed as a metric.
        self.metrics = metrics.filter { $0 != .validLoss }.map { ($0.description, record.value(of: $0)) }
    }

    public init(trainLoss: Double, validLoss: Double, metrics: [(name: String, value: Double)]) {
        self.trainLoss = trainLoss
        self.validLoss = validLoss
        self.metrics = metrics
    }

    public static func == (a: MetricValues, b: MetricValues) -> Bool {
        a.trainLoss == b.trainLoss && a.validLoss == b.validLoss && a.metrics.map(\.name) == b.metrics.map(\.name)
            && a.metrics.map(\.value) == b.metrics.map(\.value)
    }

    /// Every value by name.
    public var byName: [String: Double] {
        var result = [Self.trainLossKey: trainLoss, Self.validLossKey: validLoss]
        for (name, value) in metrics { result[name] = value }
        return result
    }

    func encode(into container: inout KeyedEncodingContainer<RecordKey>) throws {
        try container.encode(trainLoss, forKey: RecordKey(Self.trainLossKey))
        try container.encode(validLoss, forKey: RecordKey(Self.validLossKey))
        for (name, value) in metrics { try container.encode(value, forKey: RecordKey(name)) }
    }

    /// Every key but `ignoring` as a number; metrics in key order (the file does not keep the config's).
    init(from container: KeyedDecodingContainer<RecordKey>, ignoring: Set<String> = []) throws {
        trainLoss = try container.decode(Double.self, forKey: RecordKey(Self.trainLossKey))
        validLoss = try container.decode(Double.self, forKey: RecordKey(Self.validLossKey))
        let others = container.allKeys.map(\.stringValue).filter {
            $0 != Self.trainLossKey && $0 != Self.validLossKey && !ignoring.contains($0)
        }.sorted()
        metrics = try others.map { ($0, try container.decode(Double.self, forKey: RecordKey($0))) }
    }
}
