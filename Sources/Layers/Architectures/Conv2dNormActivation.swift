// Conv2dNormActivation: torchvision's conv + BatchNorm + ReLU6 unit (ConvBNReLU in older releases), children "0", "1", "2".
//   input: (N, C, H, W)   output: (N, outChannels, H/stride, W/stride)

import Tensors

public final class Conv2dNormActivation: Module {
    public let typeName = "Conv2dNormActivation"
    public let conv: Conv2dLayer
    public let norm: BatchNormLayer
    public let activation = ReLU6Layer()
    public var isTraining = true

    /// torchvision's defaults for MobileNetV2: padding (k − 1) / 2, no conv bias (the BN has one),
    /// BatchNorm2d with eps 1e-5 and momentum 0.1.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int = 3, stride: Int = 1, groups: Int = 1,
                rng: inout RandomGenerator) {
        let padding = (kernelSize - 1) / 2
        conv = Conv2dLayer(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize),
                           stride: (stride, stride), padding: (padding, padding), groups: groups, bias: false, rng: &rng)
        norm = BatchNormLayer(channels: outChannels)
    }

    public var children: [(name: String, module: any Module)] {
        [("0", conv), ("1", norm), ("2", activation)]
    }

    public func forward(_ input: Tensor) -> Tensor {
        Chain.forward([conv, norm, activation], input)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        Chain.backward([conv, norm, activation], gradOutput, needsInputGradient: needsInputGradient)
    }
}
