// TinyResNet: the small residual network of tools/make_fixtures.py, built from Runner's layers.

import Layers
import Tensors

enum TinyResNet {
    static func make(classes: Int, rng: inout RandomGenerator) -> Sequential {
        let downsample = Sequential([
            Conv2dLayer(inChannels: 8, outChannels: 16, kernelSize: (1, 1), stride: (2, 2), bias: false, rng: &rng),
            BatchNormLayer(channels: 16),
        ])
        return Sequential(named: [
            ("conv1", Conv2dLayer(inChannels: 3, outChannels: 8, kernelSize: (3, 3), padding: (1, 1), bias: false,
                                  rng: &rng)),
            ("bn1", BatchNormLayer(channels: 8)),
            ("relu", ReLULayer()),
            ("maxpool", MaxPool2dLayer(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))),
            ("layer1", BasicBlock(inPlanes: 8, planes: 8, rng: &rng)),
            ("layer2", Bottleneck(inPlanes: 8, planes: 4, stride: 2, downsample: downsample, rng: &rng)),
            ("pool", AdaptiveConcatPool2dLayer()),
            ("flatten", FlattenLayer()),
            ("fc", LinearLayer(inFeatures: 32, outFeatures: classes, rng: &rng)),
        ], typeName: "TinyResNet")
    }
}
