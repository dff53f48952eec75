// AlexNet: torchvision's alexnet — five convs with ReLU and max pools, avgpool to 6×6, dropout/Linear classifier.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

enum AlexNet {
    /// torchvision's AlexNet has no init loop: every layer keeps torch's default initialisation.
    static func make(numClasses: Int, rng: inout RandomGenerator, dropout: inout DropoutStreams) -> TorchvisionModel {
        func conv(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int) -> Conv2dLayer {
            Conv2dLayer(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernel, kernel),
                        stride: (stride, stride), padding: (padding, padding), rng: &rng)
        }
        func pool() -> MaxPool2dLayer { MaxPool2dLayer(kernelSize: (3, 3), stride: (2, 2)) }
        let features = Sequential([
            conv(3, 64, kernel: 11, stride: 4, padding: 2), ReLULayer(), pool(),
            conv(64, 192, kernel: 5, padding: 2), ReLULayer(), pool(),
            conv(192, 384, kernel: 3, padding: 1), ReLULayer(),
            conv(384, 256, kernel: 3, padding: 1), ReLULayer(),
            conv(256, 256, kernel: 3, padding: 1), ReLULayer(), pool(),
        ])
        let classifier = Sequential([
            dropout.layer(p: 0.5),
            LinearLayer(inFeatures: 256 * 6 * 6, outFeatures: 4096, rng: &rng),
            ReLULayer(),
            dropout.layer(p: 0.5),
            LinearLayer(inFeatures: 4096, outFeatures: 4096, rng: &rng),
            ReLULayer(),
            LinearLayer(inFeatures: 4096, outFeatures: numClasses, rng: &rng),
        ])
        // `torch.flatten(x, 1)` between avgpool and classifier.
        return TorchvisionModel(typeName: "AlexNet",
                                children: [("features", features),
                                           ("avgpool", AdaptiveAvgPool2dLayer(outputSize: (6, 6))),
                                           ("classifier", classifier)],
                                stepsAfter: [1: [FlattenLayer()]])
    }
}
