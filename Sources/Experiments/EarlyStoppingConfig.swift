// EarlyStoppingConfig: `train.early_stopping` — which metric to watch, by how much it must improve, for how many epochs.

/// fastai's EarlyStoppingCallback: after each epoch the monitored value is compared with the best
/// so far; `patience` epochs in a row without an improvement of more than `min_delta` end the
/// stage. Counters start afresh with every stage, as fastai resets them on each fit.
public struct EarlyStoppingConfig: Equatable, Sendable {
    public enum Monitor: String, CaseIterable, Sendable {
        case validLoss = "valid_loss"
        case trainLoss = "train_loss"
        case accuracy
        case errorRate = "error_rate"
        case topKAccuracy = "top_k_accuracy"

        /// Losses and error rates improve downwards, accuracies upwards.
        public var lowerIsBetter: Bool {
            switch self {
            case .validLoss, .trainLoss, .errorRate: return true
            case .accuracy, .topKAccuracy: return false
            }
        }
    }

    public var monitor: Monitor
    public var patience: Int
    public var minDelta: Double

    public init(monitor: Monitor = .validLoss, patience: Int = 1, minDelta: Double = 0) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
    }

    enum Key: String, ConfigKey {
        case monitor, patience
        case minDelta = "min_delta"
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> EarlyStoppingConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        var e = EarlyStoppingConfig()
        if let n = f[.monitor] { e.monitor = r.choice(n, f.path(.monitor), Monitor.self) ?? e.monitor }
        if let n = f[.patience] { e.patience = r.int(n, f.path(.patience), min: 1) ?? e.patience }
        if let n = f[.minDelta] { e.minDelta = r.number(n, f.path(.minDelta), .nonNegative) ?? e.minDelta }
        return e
    }

    var node: ConfigNode {
        .map([("monitor", .string(monitor.rawValue)), ("patience", .int(patience)), ("min_delta", .number(minDelta))])
    }
}
