// SmoothedLoss: fastai's exponentially weighted moving average of the training loss, with bias correction.

import Foundation

/// fastai1's `SmoothenValue` (and fastai2's `AvgSmoothLoss`): `avg ← β·avg + (1−β)·loss`, reported
/// as `avg / (1 − β^n)` so the first values are not pulled towards 0.
public struct SmoothedLoss: Sendable {
    public let beta: Double
    public private(set) var count = 0
    private var average = 0.0

    public init(beta: Double = 0.98) {
        self.beta = beta
    }

    public var value: Double {
        count == 0 ? .nan : average / (1 - pow(beta, Double(count)))
    }

    /// Adds one batch's loss and returns the new smoothed value.
    @discardableResult
    public mutating func add(_ loss: Double) -> Double {
        count += 1
        average = beta * average + (1 - beta) * loss
        return value
    }
}
