// AdaptiveConcatPool2dLayer: fastai's AdaptiveConcatPool2d — input (N, C, H, W), output (N, 2C, OH, OW), max first.

import Tensors

public final class AdaptiveConcatPool2dLayer: Module {
    public let typeName = "AdaptiveConcatPool2d"
    public let outputSize: (Int, Int)
    public var isTraining = true
    /// fastai registers `ap` then `mp`; both are parameter-free, listed for the module tree.
    public let averagePool: AdaptiveAvgPool2dLayer
    public let maxPool: AdaptiveMaxPool2dLayer
    private var state: (shape: [Int], indices: [Int32])?

    public init(outputSize: (Int, Int) = (1, 1)) {
        self.outputSize = outputSize
        averagePool = AdaptiveAvgPool2dLayer(outputSize: outputSize)
        maxPool = AdaptiveMaxPool2dLayer(outputSize: outputSize)
    }

    public var children: [(name: String, module: any Module)] {
        [("ap", averagePool), ("mp", maxPool)]
    }

    public func forward(_ input: Tensor) -> Tensor {
        let (output, indices) = AdaptiveConcatPool2d.forward(input, outputSize: outputSize)
        state = (input.shape, indices)
        return output
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let state else { preconditionFailure("AdaptiveConcatPool2dLayer.backward before forward") }
        self.state = nil
        guard needsInputGradient else { return nil }
        var gradInput = Tensor(zeros: state.shape)
        AdaptiveConcatPool2d.backward(gradOutput, maxIndices: state.indices, inputShape: state.shape, into: &gradInput)
        return gradInput
    }
}
