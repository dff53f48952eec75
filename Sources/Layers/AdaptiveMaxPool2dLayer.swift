// AdaptiveMaxPool2dLayer: torch.nn.AdaptiveMaxPool2d — input (N, C, H, W), output (N, C, OH, OW).

import Tensors

public final class AdaptiveMaxPool2dLayer: ContextualLayer {
    public let typeName = "AdaptiveMaxPool2d"
    public let outputSize: (Int, Int)
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var state: (shape: [Int], indices: [Int32])?

    public init(outputSize: (Int, Int)) {
        self.outputSize = outputSize
    }

    public func forward(_ input: Tensor) -> Tensor {
        let (output, indices) = AdaptiveMaxPool2d.forward(input, outputSize: outputSize)
        state = (input.shape, indices)
        return observed(output)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let state else { preconditionFailure("AdaptiveMaxPool2dLayer.backward before forward") }
        self.state = nil
        guard needsInputGradient else { return nil }
        var gradInput = Tensor(zeros: state.shape)
        AdaptiveMaxPool2d.backward(gradOutput, indices: state.indices, into: &gradInput)
        return gradInput
    }
}
