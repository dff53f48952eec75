// SqueezeNet: torchvision's squeezenet1_0 and squeezenet1_1 — conv, Fire modules between max pools, conv classifier.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

enum SqueezeNet {
    enum Version {
        case v1_0, v1_1
    }

    static func make(version: Version, numClasses: Int, rng: inout RandomGenerator,
                     dropout: inout DropoutStreams) -> TorchvisionModel {
        func fire(_ inPlanes: Int, _ squeeze: Int, _ expand1x1: Int, _ expand3x3: Int) -> Fire {
            Fire(inPlanes: inPlanes, squeezePlanes: squeeze, expand1x1Planes: expand1x1, expand3x3Planes: expand3x3,
                 rng: &rng)
        }
        func pool() -> MaxPool2dLayer { MaxPool2dLayer(kernelSize: (3, 3), stride: (2, 2), ceilMode: true) }
        let features: Sequential
        switch version {
        case .v1_0:
            features = Sequential([
                Conv2dLayer(inChannels: 3, outChannels: 96, kernelSize: (7, 7), stride: (2, 2), rng: &rng),
                ReLULayer(), pool(),
                fire(96, 16, 64, 64), fire(128, 16, 64, 64), fire(128, 32, 128, 128), pool(),
                fire(256, 32, 128, 128), fire(256, 48, 192, 192), fire(384, 48, 192, 192), fire(384, 64, 256, 256),
                pool(),
                fire(512, 64, 256, 256),
            ])
        case .v1_1:
            features = Sequential([
                Conv2dLayer(inChannels: 3, outChannels: 64, kernelSize: (3, 3), stride: (2, 2), rng: &rng),
                ReLULayer(), pool(),
                fire(64, 16, 64, 64), fire(128, 16, 64, 64), pool(),
                fire(128, 32, 128, 128), fire(256, 32, 128, 128), pool(),
                fire(256, 48, 192, 192), fire(384, 48, 192, 192), fire(384, 64, 256, 256), fire(512, 64, 256, 256),
            ])
        }
        let finalConv = Conv2dLayer(inChannels: 512, outChannels: numClasses, kernelSize: (1, 1), rng: &rng)
        let classifier = Sequential([dropout.layer(p: 0.5), finalConv, ReLULayer(),
                                     AdaptiveAvgPool2dLayer(outputSize: (1, 1))])
        // `torch.flatten(x, 1)` after the classifier.
        let model = TorchvisionModel(typeName: "SqueezeNet",
                                     children: [("features", features), ("classifier", classifier)],
                                     stepsAfter: [1: [FlattenLayer()]])
        // torchvision's init loop: kaiming-uniform (a = 0, fan in) except the final conv, every bias 0.
        for conv in model.modules(of: Conv2dLayer.self) {
            conv.weight.value = conv === finalConv
                ? Tensor.normal(conv.weight.shape, std: 0.01, rng: &rng)
                : Tensor.kaimingUniform(conv.weight.shape, rng: &rng)
            conv.bias?.value = Tensor(zeros: [conv.outChannels])
        }
        return model
    }
}
