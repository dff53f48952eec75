// Architecture: the torchvision classifiers Runner can build, by torchvision's constructor name.
//   input: (N, 3, H, W)   output: (N, numClasses)

import Tensors

public enum Architecture: String, CaseIterable, Sendable {
    case resnet18, resnet34, resnet50, resnet101, resnet152
    case vgg11BN = "vgg11_bn", vgg13BN = "vgg13_bn", vgg16BN = "vgg16_bn", vgg19BN = "vgg19_bn"
    case alexnet
    case squeezenet1_0, squeezenet1_1
    case densenet121, densenet161, densenet169, densenet201
    case mobilenetV2 = "mobilenet_v2"

    /// A freshly initialised network with torchvision's module tree and its per-family random
    /// initialisation (the distributions, not torch's random stream). Dropout layers get streams
    /// derived from `rng` without drawing from it, so they shift no other randomness.
    public func build(numClasses: Int = 1000, rng: inout RandomGenerator) -> TorchvisionModel {
        precondition(numClasses > 0, "a classifier needs at least one class")
        var dropout = DropoutStreams(root: rng.derived(0x6472_6F70))
        switch self {
        case .resnet18: return ResNet.make(block: .basic, layers: [2, 2, 2, 2], numClasses: numClasses, rng: &rng)
        case .resnet34: return ResNet.make(block: .basic, layers: [3, 4, 6, 3], numClasses: numClasses, rng: &rng)
        case .resnet50: return ResNet.make(block: .bottleneck, layers: [3, 4, 6, 3], numClasses: numClasses, rng: &rng)
        case .resnet101:
            return ResNet.make(block: .bottleneck, layers: [3, 4, 23, 3], numClasses: numClasses, rng: &rng)
        case .resnet152:
            return ResNet.make(block: .bottleneck, layers: [3, 8, 36, 3], numClasses: numClasses, rng: &rng)
        case .vgg11BN: return VGG.make(config: VGG.configA, numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .vgg13BN: return VGG.make(config: VGG.configB, numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .vgg16BN: return VGG.make(config: VGG.configD, numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .vgg19BN: return VGG.make(config: VGG.configE, numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .alexnet: return AlexNet.make(numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .squeezenet1_0:
            return SqueezeNet.make(version: .v1_0, numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .squeezenet1_1:
            return SqueezeNet.make(version: .v1_1, numClasses: numClasses, rng: &rng, dropout: &dropout)
        case .densenet121:
            return DenseNet.make(growthRate: 32, blocks: [6, 12, 24, 16], initialFeatures: 64, numClasses: numClasses,
                                 rng: &rng)
        case .densenet161:
            return DenseNet.make(growthRate: 48, blocks: [6, 12, 36, 24], initialFeatures: 96, numClasses: numClasses,
                                 rng: &rng)
        case .densenet169:
            return DenseNet.make(growthRate: 32, blocks: [6, 12, 32, 32], initialFeatures: 64, numClasses: numClasses,
                                 rng: &rng)
        case .densenet201:
            return DenseNet.make(growthRate: 32, blocks: [6, 12, 48, 32], initialFeatures: 64, numClasses: numClasses,
                                 rng: &rng)
        case .mobilenetV2: return MobileNetV2.make(numClasses: numClasses, rng: &rng, dropout: &dropout)
        }
    }
}
