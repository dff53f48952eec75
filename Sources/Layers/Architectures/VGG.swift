// VGG: torchvision's vgg11_bn/13_bn/16_bn/19_bn — conv/BN/ReLU features with max pools, avgpool to 7×7, three Linears.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

enum VGG {
    /// torchvision's `cfgs`: output channels of each 3×3 conv, nil where it has "M" (a 2×2 max pool).
    static let configA: [Int?] = [64, nil, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
    static let configB: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
    static let configD: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil,
                                  512, 512, 512, nil]
    static let configE: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, 256, nil, 512, 512, 512, 512, nil,
                                  512, 512, 512, 512, nil]

    static func make(config: [Int?], numClasses: Int, rng: inout RandomGenerator,
                     dropout: inout DropoutStreams) -> TorchvisionModel {
        var features: [any Module] = []
        var inChannels = 3
        for item in config {
            guard let channels = item else {
                features.append(MaxPool2dLayer(kernelSize: (2, 2), stride: (2, 2)))
                continue
            }
            features.append(Conv2dLayer(inChannels: inChannels, outChannels: channels, kernelSize: (3, 3),
                                        padding: (1, 1), rng: &rng))
            features.append(BatchNormLayer(channels: channels))
            features.append(ReLULayer())
            inChannels = channels
        }
        let classifier = Sequential([
            LinearLayer(inFeatures: 512 * 7 * 7, outFeatures: 4096, rng: &rng),
            ReLULayer(),
            dropout.layer(p: 0.5),
            LinearLayer(inFeatures: 4096, outFeatures: 4096, rng: &rng),
            ReLULayer(),
            dropout.layer(p: 0.5),
            LinearLayer(inFeatures: 4096, outFeatures: numClasses, rng: &rng),
        ])
        // `torch.flatten(x, 1)` between avgpool and classifier.
        let model = TorchvisionModel(typeName: "VGG",
                                     children: [("features", Sequential(features)),
                                                ("avgpool", AdaptiveAvgPool2dLayer(outputSize: (7, 7))),
                                                ("classifier", classifier)],
                                     stepsAfter: [1: [FlattenLayer()]])
        // torchvision's init loop (`init_weights=True`); BatchNorm is already weight 1 and bias 0.
        for (_, module) in model.namedModules() {
            if let conv = module as? Conv2dLayer {
                conv.weight.value = Tensor.kaimingNormal(conv.weight.shape, mode: .fanOut, rng: &rng)
                conv.bias?.value = Tensor(zeros: [conv.outChannels])
            } else if let linear = module as? LinearLayer {
                linear.weight.value = Tensor.normal(linear.weight.shape, std: 0.01, rng: &rng)
                linear.bias?.value = Tensor(zeros: [linear.weight.shape[0]])
            }
        }
        return model
    }
}
