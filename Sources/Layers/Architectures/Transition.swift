// Transition: torchvision's _Transition between dense blocks — BN, ReLU, 1×1 conv, 2×2 average pool.
//   input: (N, C, H, W)   output: (N, outputFeatures, H/2, W/2)

import Tensors

public final class Transition: Module {
    public let typeName = "_Transition"
    public let norm: BatchNormLayer
    public let relu = ReLULayer()
    public let conv: Conv2dLayer
    public let pool = AvgPool2dLayer(kernelSize: (2, 2), stride: (2, 2))
    public var isTraining = true

    public init(inputFeatures: Int, outputFeatures: Int, rng: inout RandomGenerator) {
        norm = BatchNormLayer(channels: inputFeatures)
        conv = Conv2dLayer(inChannels: inputFeatures, outChannels: outputFeatures, kernelSize: (1, 1), bias: false,
                           rng: &rng)
    }

    public var children: [(name: String, module: any Module)] {
        [("norm", norm), ("relu", relu), ("conv", conv), ("pool", pool)]
    }

    public func forward(_ input: Tensor) -> Tensor {
        Chain.forward(children.map(\.module), input)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        Chain.backward(children.map(\.module), gradOutput, needsInputGradient: needsInputGradient)
    }
}
