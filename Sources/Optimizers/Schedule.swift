// Schedule: the learning rate and momentum a stage uses at each training batch, as a shape over each group's maximum rate.

/// Batches are counted from 0 over the whole stage (all epochs). `learningRate(at:max:)` is computed
/// per group from that group's maximum, as fastai evaluates its schedules on arrays of rates.
public protocol Schedule: Sendable {
    /// The learning rate for training batch `batch` of a group whose maximum rate is `max`.
    func learningRate(at batch: Int, max: Double) -> Double
    /// The momentum (Adam β1, SGD momentum) for training batch `batch`; nil leaves the optimiser's.
    func momentum(at batch: Int) -> Double?
}

extension Schedule {
    public func learningRates(at batch: Int, max: [Double]) -> [Double] {
        max.map { learningRate(at: batch, max: $0) }
    }

    /// The shape of the schedule: the rate of a group whose maximum is 1.
    public func multiplier(at batch: Int) -> Double {
        learningRate(at: batch, max: 1)
    }
}
