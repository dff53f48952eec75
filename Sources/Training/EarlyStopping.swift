// EarlyStopping: the hook that ends a stage when its monitored metric stops improving (fastai EarlyStoppingCallback).

import Experiments

public final class EarlyStopping: TrainingHook {
    /// Carried in checkpoints, so a resumed stage stops where the uninterrupted one would.
    public struct State: Equatable, Sendable {
        public var best: Double?
        public var wait = 0
        public var stopped = false

        public init(best: Double? = nil, wait: Int = 0, stopped: Bool = false) {
            self.best = best
            self.wait = wait
            self.stopped = stopped
        }
    }

    public let config: EarlyStoppingConfig
    /// Called when the stage is ended early, with a line for the log.
    public var onStop: ((String) -> Void)?

    public init(_ config: EarlyStoppingConfig) {
        self.config = config
    }

    public func epochEnded(_ record: EpochRecord, position: inout StagePosition) -> HookDecision {
        let value: Double
        switch config.monitor {
        case .validLoss: value = record.validLoss
        case .trainLoss: value = record.trainLoss
        case .accuracy: value = record.accuracy
        case .errorRate: value = record.errorRate
        case .topKAccuracy: value = record.topKAccuracy
        }
        var state = position.earlyStopping
        // fastai's TrackerCallback: the value must beat the best by more than min_delta.
        let improved = state.best.map { best in
            config.monitor.lowerIsBetter ? value + config.minDelta < best : value - config.minDelta > best
        } ?? true
        if improved {
            state.best = value
            state.wait = 0
        } else {
            state.wait += 1
        }
        state.stopped = state.wait >= config.patience
        position.earlyStopping = state
        guard state.stopped else { return .proceed }
        onStop?("  early stopping: \(config.monitor.rawValue) has not improved on \(state.best.map { String($0) } ?? "-")"
                + " for \(state.wait) epoch\(state.wait == 1 ? "" : "s") (patience \(config.patience))")
        return .endStage
    }
}
