// MobileNetV2: torchvision's mobilenet_v2 — stem, 17 InvertedResidual blocks, 1×1 conv to 1280, dropout + Linear.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

enum MobileNetV2 {
    /// torchvision's `inverted_residual_setting` (t, c, n, s) at width 1.0, where every channel
    /// count is already a multiple of 8, so `_make_divisible` leaves them unchanged.
    private static let settings: [(expand: Int, channels: Int, repeats: Int, stride: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]
    private static let lastChannels = 1280

    static func make(numClasses: Int, rng: inout RandomGenerator, dropout: inout DropoutStreams) -> TorchvisionModel {
        var inChannels = 32
        var features: [any Module] = [Conv2dNormActivation(inChannels: 3, outChannels: inChannels, stride: 2, rng: &rng)]
        for setting in settings {
            for index in 0..<setting.repeats {
                features.append(InvertedResidual(inChannels: inChannels, outChannels: setting.channels,
                                                 stride: index == 0 ? setting.stride : 1, expandRatio: setting.expand,
                                                 rng: &rng))
                inChannels = setting.channels
            }
        }
        features.append(Conv2dNormActivation(inChannels: inChannels, outChannels: lastChannels, kernelSize: 1, rng: &rng))
        let classifier = Sequential([dropout.layer(p: 0.2),
                                     LinearLayer(inFeatures: lastChannels, outFeatures: numClasses, rng: &rng)])
        // forward's `adaptive_avg_pool2d(·, (1, 1))` and `torch.flatten(·, 1)` between features and classifier.
        let model = TorchvisionModel(typeName: "MobileNetV2",
                                     children: [("features", Sequential(features)), ("classifier", classifier)],
                                     stepsAfter: [0: [AdaptiveAvgPool2dLayer(outputSize: (1, 1)), FlattenLayer()]])
        // torchvision's init loop: kaiming-normal (fan out) convs, BatchNorm 1 and 0, Linear N(0, 0.01) and bias 0.
        for conv in model.modules(of: Conv2dLayer.self) {
            conv.weight.value = Tensor.kaimingNormal(conv.weight.shape, mode: .fanOut, rng: &rng)
        }
        for linear in model.modules(of: LinearLayer.self) {
            linear.weight.value = Tensor.normal(linear.weight.shape, std: 0.01, rng: &rng)
            linear.bias?.value = Tensor(zeros: [linear.weight.shape[0]])
        }
        return model
    }
}
