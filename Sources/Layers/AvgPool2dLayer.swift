// AvgPool2dLayer: torch.nn.AvgPool2d — input (N, C, H, W).

import Tensors

public final class AvgPool2dLayer: ContextualLayer {
    public let typeName = "AvgPool2d"
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let ceilMode: Bool
    public let countIncludePad: Bool
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var geometry: Pool2dGeometry?

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public func forward(_ input: Tensor) -> Tensor {
        let g = Pool2dGeometry(input: input.shape, kernel: kernelSize, stride: stride, padding: padding,
                               ceilMode: ceilMode)
        geometry = g
        return observed(AvgPool2d.forward(input, geometry: g, countIncludePad: countIncludePad))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let g = geometry else { preconditionFailure("AvgPool2dLayer.backward before forward") }
        guard needsInputGradient else { return nil }
        var gradInput = Tensor(zeros: g.inputShape)
        AvgPool2d.backward(gradOutput, geometry: g, countIncludePad: countIncludePad, into: &gradInput)
        return gradInput
    }
}
