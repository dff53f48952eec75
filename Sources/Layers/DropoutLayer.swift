// DropoutLayer: torch.nn.Dropout — any shape; identity in evaluation mode.

import Tensors

public final class DropoutLayer: ContextualLayer {
    public let typeName = "Dropout"
    public let p: Float
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    /// Its own stream, so adding or removing a dropout layer does not shift any other randomness.
    public var rng: RandomGenerator
    private var mask: Tensor?

    public init(p: Float, rng: RandomGenerator) {
        precondition(p >= 0 && p <= 1, "dropout probability \(p) outside [0, 1]")
        self.p = p
        self.rng = rng
    }

    public func forward(_ input: Tensor) -> Tensor {
        guard isTraining && p > 0 else {
            mask = nil
            return observed(input)
        }
        let drawn = Dropout.mask(shape: input.shape, p: p, rng: &rng)
        mask = drawn
        return observed(Dropout.forward(input, mask: drawn))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let mask else { return gradOutput }
        var gradInput = Tensor(zeros: gradOutput.shape)
        Dropout.backward(gradOutput, mask: mask, into: &gradInput)
        return gradInput
    }
}
