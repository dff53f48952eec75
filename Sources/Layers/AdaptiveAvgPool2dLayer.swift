// AdaptiveAvgPool2dLayer: torch.nn.AdaptiveAvgPool2d — input (N, C, H, W), output (N, C, OH, OW).

import Tensors

public final class AdaptiveAvgPool2dLayer: ContextualLayer {
    public let typeName = "AdaptiveAvgPool2d"
    public let outputSize: (Int, Int)
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var inputShape: [Int]?

    public init(outputSize: (Int, Int)) {
        self.outputSize = outputSize
    }

    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        return observed(AdaptiveAvgPool2d.forward(input, outputSize: outputSize))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let shape = inputShape else { preconditionFailure("AdaptiveAvgPool2dLayer.backward before forward") }
        guard needsInputGradient else { return nil }
        var gradInput = Tensor(zeros: shape)
        AdaptiveAvgPool2d.backward(gradOutput, inputShape: shape, into: &gradInput)
        return gradInput
    }
}
