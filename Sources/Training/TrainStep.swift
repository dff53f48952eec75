// TrainStep: one optimisation step on a batch — forward, loss, backward, update — for fit, lr-find and the benchmark.

import Layers
import Optimizers
import Tensors

/// The input needs no gradient (it is an image batch), so the forward pass records none for it and
/// backward stops at the first layer. A batch whose loss is not finite updates nothing: its gradient
/// is of no use, and skipping the update keeps the weights as they were for the caller to decide
/// (a stage stops, the learning-rate finder ends its sweep).
public struct TrainStep {
    public let model: any Module
    /// The model's context, whose recording mode the step's forward pass sets.
    public let context: ExecutionContext
    public let loss: CrossEntropyLoss
    public let optimizer: any Optimizer

    public init(model: any Module, context: ExecutionContext, loss: CrossEntropyLoss, optimizer: any Optimizer) {
        self.model = model
        self.context = context
        self.loss = loss
        self.optimizer = optimizer
    }

    /// Trains on one batch; returns the logits and the loss they gave before the update.
    @discardableResult
    public func callAsFunction(_ images: Tensor, labels: [Int]) -> (logits: Tensor, loss: Float) {
        let logits = context.withoutInputGradient { model.forward(images) }
        let value = loss.forward(logits, targets: labels)
        if value.isFinite {
            _ = model.backward(loss.backward(), needsInputGradient: false)
            optimizer.step()
            optimizer.zeroGradients()
        }
        return (logits, value)
    }
}
