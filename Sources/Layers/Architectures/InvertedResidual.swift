// InvertedResidual: torchvision's MobileNetV2 block — 1×1 expand, 3×3 depthwise, 1×1 linear projection, + input when shapes allow.
//   input: (N, C, H, W)   output: (N, outChannels, H/stride, W/stride)

import Tensors

public final class InvertedResidual: Module {
    public let typeName = "InvertedResidual"
    /// torchvision's `conv`: [expand (when t ≠ 1), depthwise, project conv, BN] indexed "0", "1", ….
    public let conv: Sequential
    /// torchvision's `use_res_connect`: stride 1 and as many output channels as input channels.
    public let usesResidual: Bool
    public var isTraining = true

    public init(inChannels: Int, outChannels: Int, stride: Int, expandRatio: Int, rng: inout RandomGenerator) {
        precondition(stride == 1 || stride == 2, "InvertedResidual stride must be 1 or 2, got \(stride)")
        let hidden = inChannels * expandRatio
        var layers: [any Module] = []
        if expandRatio != 1 {
            layers.append(Conv2dNormActivation(inChannels: inChannels, outChannels: hidden, kernelSize: 1, rng: &rng))
        }
        layers.append(Conv2dNormActivation(inChannels: hidden, outChannels: hidden, stride: stride, groups: hidden,
                                           rng: &rng))
        layers.append(Conv2dLayer(inChannels: hidden, outChannels: outChannels, kernelSize: (1, 1), bias: false,
                                  rng: &rng))
        layers.append(BatchNormLayer(channels: outChannels))
        conv = Sequential(layers)
        usesResidual = stride == 1 && inChannels == outChannels
    }

    public var children: [(name: String, module: any Module)] {
        [("conv", conv)]
    }

    public func forward(_ input: Tensor) -> Tensor {
        let output = conv.forward(input)
        return usesResidual ? Residual.forward(output, input) : output
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        let gradConv = conv.backward(gradOutput, needsInputGradient: needsInputGradient)
        guard usesResidual, needsInputGradient, var gradInput = gradConv else { return gradConv }
        Residual.backward(gradOutput, into: &gradInput)
        return gradInput
    }
}
