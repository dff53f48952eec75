// ReLULayer: torch.nn.ReLU — any shape.

import Tensors

public final class ReLULayer: ContextualLayer {
    public let typeName = "ReLU"
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var cachedOutput: Tensor?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        let output = ReLU.forward(input)
        cachedOutput = context.inputGradients ? output : nil
        return observed(output)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        defer { cachedOutput = nil }
        guard needsInputGradient else { return nil }
        guard let output = cachedOutput else { preconditionFailure("ReLULayer.backward before forward") }
        var gradInput = Tensor(zeros: output.shape)
        ReLU.backward(gradOutput, output: output, into: &gradInput)
        return gradInput
    }
}
