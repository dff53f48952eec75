// DenseNet: torchvision's densenet121/161/169/201 — stem, dense blocks with transitions, norm5, Linear classifier.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

enum DenseNet {
    static func make(growthRate: Int, blocks: [Int], initialFeatures: Int, numClasses: Int,
                     rng: inout RandomGenerator) -> TorchvisionModel {
        var features: [(name: String, module: any Module)] = [
            ("conv0", Conv2dLayer(inChannels: 3, outChannels: initialFeatures, kernelSize: (7, 7), stride: (2, 2),
                                  padding: (3, 3), bias: false, rng: &rng)),
            ("norm0", BatchNormLayer(channels: initialFeatures)),
            ("relu0", ReLULayer()),
            ("pool0", MaxPool2dLayer(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))),
        ]
        var width = initialFeatures
        for (index, layers) in blocks.enumerated() {
            features.append(("denseblock\(index + 1)",
                             DenseBlock(layers: layers, inputFeatures: width, growthRate: growthRate, rng: &rng)))
            width += layers * growthRate
            if index != blocks.count - 1 {
                features.append(("transition\(index + 1)",
                                 Transition(inputFeatures: width, outputFeatures: width / 2, rng: &rng)))
                width /= 2
            }
        }
        features.append(("norm5", BatchNormLayer(channels: width)))
        let classifier = LinearLayer(inFeatures: width, outFeatures: numClasses, rng: &rng)
        // forward's `F.relu`, `F.adaptive_avg_pool2d(·, (1, 1))` and `torch.flatten(·, 1)` after features:
        // a body cut from features ends at norm5, without the ReLU.
        let model = TorchvisionModel(typeName: "DenseNet",
                                     children: [("features", Sequential(named: features)), ("classifier", classifier)],
                                     stepsAfter: [0: [ReLULayer(), AdaptiveAvgPool2dLayer(outputSize: (1, 1)),
                                                      FlattenLayer()]])
        // torchvision's init loop: kaiming-normal (fan in) convs, BatchNorm 1 and 0, Linear bias 0
        // (its weight keeps torch's default).
        for conv in model.modules(of: Conv2dLayer.self) {
            conv.weight.value = Tensor.kaimingNormal(conv.weight.shape, rng: &rng)
        }
        classifier.bias?.value = Tensor(zeros: [numClasses])
        return model
    }
}
