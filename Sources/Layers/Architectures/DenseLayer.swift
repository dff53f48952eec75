// DenseLayer: torchvision's _DenseLayer — BN, ReLU, 1×1 conv, BN, ReLU, 3×3 conv; its input and new features concatenated.
//   input: (N, C, H, W)   output: (N, C + growthRate, H, W)

import Tensors

/// torchvision's layer takes the list of earlier feature maps and concatenates them first; here the
/// input is that concatenation already, and the layer appends its own features, so a chain of
/// layers hands each one the concatenation of everything before it and ends with
/// `torch.cat(features, 1)` (drop_rate is 0 in every torchvision DenseNet, so there is no dropout).
public final class DenseLayer: Module {
    public let typeName = "_DenseLayer"
    public let norm1: BatchNormLayer
    public let relu1 = ReLULayer()
    public let conv1: Conv2dLayer
    public let norm2: BatchNormLayer
    public let relu2 = ReLULayer()
    public let conv2: Conv2dLayer
    public var isTraining = true
    private var inputShape: [Int]?

    public init(inputFeatures: Int, growthRate: Int, bottleneckSize: Int = 4, rng: inout RandomGenerator) {
        let width = bottleneckSize * growthRate
        norm1 = BatchNormLayer(channels: inputFeatures)
        conv1 = Conv2dLayer(inChannels: inputFeatures, outChannels: width, kernelSize: (1, 1), bias: false, rng: &rng)
        norm2 = BatchNormLayer(channels: width)
        conv2 = Conv2dLayer(inChannels: width, outChannels: growthRate, kernelSize: (3, 3), padding: (1, 1), bias: false,
                            rng: &rng)
    }

    public var children: [(name: String, module: any Module)] {
        [("norm1", norm1), ("relu1", relu1), ("conv1", conv1), ("norm2", norm2), ("relu2", relu2), ("conv2", conv2)]
    }

    private var path: [any Module] { [norm1, relu1, conv1, norm2, relu2, conv2] }

    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        return ChannelConcat.forward([input, Chain.forward(path, input)])
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let inputShape else { preconditionFailure("DenseLayer.backward before forward") }
        let counts = [inputShape[1], conv2.outChannels]
        var newShape = inputShape
        newShape[1] = counts[1]
        var gradNew = Tensor(zeros: newShape)
        ChannelConcat.backward(gradOutput, part: 1, channelCounts: counts, into: &gradNew)
        let gradPath = Chain.backward(path, gradNew, needsInputGradient: needsInputGradient)
        guard needsInputGradient, var gradInput = gradPath else { return nil }
        // The input also reaches the output unchanged, through the concatenation.
        ChannelConcat.backward(gradOutput, part: 0, channelCounts: counts, into: &gradInput)
        return gradInput
    }
}
