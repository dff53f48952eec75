// FlattenLayer: torch.nn.Flatten — input (N, …), output (N, product of the rest).

import Tensors

public final class FlattenLayer: ContextualLayer {
    public let typeName = "Flatten"
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var inputShape: [Int]?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        return observed(Flatten.forward(input))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let shape = inputShape else { preconditionFailure("FlattenLayer.backward before forward") }
        guard needsInputGradient else { return nil }
        var gradInput = Tensor(zeros: shape)
        Flatten.backward(gradOutput, inputShape: shape, into: &gradInput)
        return gradInput
    }
}
