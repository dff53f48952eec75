// BatchPoint: one training batch as TensorBoard and the report plot it — its loss and the rates and momentum it was trained at.

/// Kept with the epoch's record (in checkpoints and in runs/.cache too), so a stage that is resumed
/// or reused logs the same per-batch curve as when it was trained.
public struct BatchPoint: Equatable, Sendable {
    public var loss: Double
    /// One per layer group, as scheduled for this batch.
    public var learningRates: [Double]
    /// Adam's β1 or SGD's momentum, as scheduled (one for every group, as fastai does).
    public var momentum: Double

    public init(loss: Double, learningRates: [Double], momentum: Double) {
        self.loss = loss
        self.learningRates = learningRates
        self.momentum = momentum
    }
}
