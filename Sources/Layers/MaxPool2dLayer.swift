// MaxPool2dLayer: torch.nn.MaxPool2d — input (N, C, H, W).

import Tensors

public final class MaxPool2dLayer: ContextualLayer {
    public let typeName = "MaxPool2d"
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let ceilMode: Bool
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var state: (geometry: Pool2dGeometry, indices: [Int32])?

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
    }

    public func forward(_ input: Tensor) -> Tensor {
        let g = Pool2dGeometry(input: input.shape, kernel: kernelSize, stride: stride, padding: padding,
                               ceilMode: ceilMode)
        let (output, indices) = MaxPool2d.forward(input, geometry: g)
        state = context.inputGradients ? (g, indices) : nil
        return observed(output)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        defer { self.state = nil }
        guard needsInputGradient else { return nil }
        guard let state else { preconditionFailure("MaxPool2dLayer.backward before forward") }
        var gradInput = Tensor(zeros: state.geometry.inputShape)
        MaxPool2d.backward(gradOutput, indices: state.indices, geometry: state.geometry, into: &gradInput)
        return gradInput
    }
}
