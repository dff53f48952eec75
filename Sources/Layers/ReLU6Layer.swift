// ReLU6Layer: torch.nn.ReLU6 — any shape.

import Tensors

public final class ReLU6Layer: ContextualLayer {
    public let typeName = "ReLU6"
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var cachedInput: Tensor?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        cachedInput = context.inputGradients ? input : nil
        return observed(ReLU6.forward(input))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        defer { cachedInput = nil }
        guard needsInputGradient else { return nil }
        guard let input = cachedInput else { preconditionFailure("ReLU6Layer.backward before forward") }
        var gradInput = Tensor(zeros: input.shape)
        ReLU6.backward(gradOutput, input: input, into: &gradInput)
        return gradInput
    }
}
