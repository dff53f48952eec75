// ResNet: torchvision's resnet18/34/50/101/152 — stem, four stages of BasicBlock or Bottleneck, pool, fc.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

enum ResNet {
    enum Block {
        case basic, bottleneck

        var expansion: Int { self == .basic ? 1 : Bottleneck.expansion }
    }

    static func make(block: Block, layers: [Int], numClasses: Int, rng: inout RandomGenerator) -> TorchvisionModel {
        precondition(layers.count == 4, "ResNet has four stages")
        var inPlanes = 64
        let conv1 = Conv2dLayer(inChannels: 3, outChannels: inPlanes, kernelSize: (7, 7), stride: (2, 2), padding: (3, 3),
                                bias: false, rng: &rng)
        var children: [(String, any Module)] = [
            ("conv1", conv1),
            ("bn1", BatchNormLayer(channels: inPlanes)),
            ("relu", ReLULayer()),
            ("maxpool", MaxPool2dLayer(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))),
        ]
        for (stage, (planes, blocks)) in zip([64, 128, 256, 512], layers).enumerated() {
            let stride = stage == 0 ? 1 : 2
            children.append(("layer\(stage + 1)",
                             makeLayer(block, inPlanes: &inPlanes, planes: planes, blocks: blocks, stride: stride,
                                       rng: &rng)))
        }
        children.append(("avgpool", AdaptiveAvgPool2dLayer(outputSize: (1, 1))))
        children.append(("fc", LinearLayer(inFeatures: 512 * block.expansion, outFeatures: numClasses, rng: &rng)))
        // `torch.flatten(x, 1)` between avgpool and fc.
        let model = TorchvisionModel(typeName: "ResNet", children: children, stepsAfter: [8: [FlattenLayer()]])
        // As torchvision's init loop: every conv redrawn, BatchNorm already weight 1 and bias 0,
        // and fc keeps torch's default.
        for conv in model.modules(of: Conv2dLayer.self) {
            conv.weight.value = Tensor.kaimingNormal(conv.weight.shape, mode: .fanOut, rng: &rng)
        }
        return model
    }

    /// torchvision's `_make_layer`: the first block carries the stride, and gets a 1×1 conv + BN
    /// shortcut whenever the stride or the width changes.
    private static func makeLayer(_ block: Block, inPlanes: inout Int, planes: Int, blocks: Int, stride: Int,
                                  rng: inout RandomGenerator) -> Sequential {
        let outPlanes = planes * block.expansion
        var downsample: Sequential?
        if stride != 1 || inPlanes != outPlanes {
            downsample = Sequential([
                Conv2dLayer(inChannels: inPlanes, outChannels: outPlanes, kernelSize: (1, 1), stride: (stride, stride),
                            bias: false, rng: &rng),
                BatchNormLayer(channels: outPlanes),
            ])
        }
        var modules: [any Module] = []
        for index in 0..<blocks {
            let blockStride = index == 0 ? stride : 1
            let shortcut = index == 0 ? downsample : nil
            switch block {
            case .basic:
                modules.append(BasicBlock(inPlanes: inPlanes, planes: planes, stride: blockStride, downsample: shortcut,
                                          rng: &rng))
            case .bottleneck:
                modules.append(Bottleneck(inPlanes: inPlanes, planes: planes, stride: blockStride, downsample: shortcut,
                                          rng: &rng))
            }
            inPlanes = outPlanes
        }
        return Sequential(modules)
    }
}
