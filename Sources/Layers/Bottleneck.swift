// Bottleneck: torchvision's ResNet-50+ block — 1×1 reduce, 3×3 (carries the stride), 1×1 expand ×4, + shortcut, relu.
//   input: (N, C, H, W)   output: (N, 4·planes, H/stride, W/stride)

import Tensors

public final class Bottleneck: Module {
    public static let expansion = 4
    public let typeName = "Bottleneck"
    public let conv1: Conv2dLayer
    public let bn1: BatchNormLayer
    public let conv2: Conv2dLayer
    public let bn2: BatchNormLayer
    public let conv3: Conv2dLayer
    public let bn3: BatchNormLayer
    /// One listed `relu` as in torchvision; the private ones hold each call's cached output.
    private let relu = ReLULayer()
    private let relu2 = ReLULayer()
    private let reluOut = ReLULayer()
    public let downsample: Sequential?
    public var isTraining = true

    public init(inPlanes: Int, planes: Int, stride: Int = 1, downsample: Sequential? = nil, rng: inout RandomGenerator) {
        let width = planes
        conv1 = Conv2dLayer(inChannels: inPlanes, outChannels: width, kernelSize: (1, 1), bias: false, rng: &rng)
        bn1 = BatchNormLayer(channels: width)
        conv2 = Conv2dLayer(inChannels: width, outChannels: width, kernelSize: (3, 3), stride: (stride, stride),
                            padding: (1, 1), bias: false, rng: &rng)
        bn2 = BatchNormLayer(channels: width)
        conv3 = Conv2dLayer(inChannels: width, outChannels: planes * Self.expansion, kernelSize: (1, 1), bias: false,
                            rng: &rng)
        bn3 = BatchNormLayer(channels: planes * Self.expansion)
        self.downsample = downsample
    }

    public var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [
            ("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3),
            ("relu", relu),
        ]
        if let downsample { result.append(("downsample", downsample)) }
        return result
    }

    private var mainPath: [any Module] { [conv1, bn1, relu, conv2, bn2, relu2, conv3, bn3] }

    /// The children's layers and the ReLUs torchvision calls without registering them as children.
    public func use(_ context: ExecutionContext) {
        for child in children { child.module.use(context) }
        relu2.use(context)
        reluOut.use(context)
    }

    public func forward(_ input: Tensor) -> Tensor {
        let main = Chain.forward(mainPath, input)
        let identity = downsample?.forward(input) ?? input
        return reluOut.forward(Residual.forward(main, identity))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        ResidualBackward.run(gradOutput, through: reluOut, main: mainPath, shortcut: downsample,
                             needsInputGradient: needsInputGradient)
    }
}
