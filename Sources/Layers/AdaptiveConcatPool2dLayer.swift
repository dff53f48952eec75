// AdaptiveConcatPool2dLayer: fastai's AdaptiveConcatPool2d — input (N, C, H, W), output (N, 2C, OH, OW), max first.

import Tensors

public final class AdaptiveConcatPool2dLayer: ContextualLayer {
    public let typeName = "AdaptiveConcatPool2d"
    public let outputSize: (Int, Int)
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
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
        if context.observer != nil { reportHalves(output) }
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

    /// fastai's layer calls its `mp` and `ap` children, so their hooks fire: report each half.
    private func reportHalves(_ output: Tensor) {
        let channels = output.shape[1] / 2
        let plane = output.count / max(1, output.shape[0] * output.shape[1])
        var halves = [Tensor(zeros: [output.shape[0], channels] + output.shape.dropFirst(2)),
                      Tensor(zeros: [output.shape[0], channels] + output.shape.dropFirst(2))]
        for n in 0..<output.shape[0] {
            for half in 0..<2 {
                for i in 0..<(channels * plane) {
                    halves[half].data[n * channels * plane + i] = output.data[(n * 2 + half) * channels * plane + i]
                }
            }
        }
        _ = maxPool.observed(halves[0])
        _ = averagePool.observed(halves[1])
    }
}
