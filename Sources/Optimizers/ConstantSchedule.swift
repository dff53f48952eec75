// ConstantSchedule: every batch at the group's learning rate, momentum left as the optimiser has it.

/// fastai's plain `fit(n, lr)`.
public struct ConstantSchedule: Schedule {
    public init() {}

    public func learningRate(at batch: Int, max: Double) -> Double { max }

    public func momentum(at batch: Int) -> Double? { nil }
}
