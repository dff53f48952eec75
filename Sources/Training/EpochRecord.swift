// EpochRecord: one epoch of a stage — its losses, its validation metrics and its wall time.

import Experiments

public struct EpochRecord: Equatable, Sendable {
    public var stage: String
    public var epoch: Int
    public var trainLoss: Double
    public var validLoss: Double
    public var accuracy: Double
    public var errorRate: Double
    public var topKAccuracy: Double
    public var seconds: Double
    /// The epoch's training batches, in order (empty for records written before they were kept).
    public var batches: [BatchPoint] = []

    public init(stage: String, epoch: Int, trainLoss: Double, validLoss: Double, accuracy: Double, errorRate: Double,
                topKAccuracy: Double, seconds: Double) {
        (self.stage, self.epoch, self.trainLoss, self.validLoss) = (stage, epoch, trainLoss, validLoss)
        (self.accuracy, self.errorRate, self.topKAccuracy, self.seconds) = (accuracy, errorRate, topKAccuracy, seconds)
    }

    /// The value of a configured metric in this epoch.
    public func value(of metric: Metric) -> Double {
        switch metric {
        case .errorRate: return errorRate
        case .accuracy: return accuracy
        case .topKAccuracy: return topKAccuracy
        case .validLoss: return validLoss
        }
    }
}
