// BasicBlock: torchvision's ResNet block — conv3×3, bn, relu, conv3×3, bn, + identity or downsample, relu.
//   input: (N, C, H, W)   output: (N, planes, H/stride, W/stride)

import Tensors

public final class BasicBlock: Module {
    public let typeName = "BasicBlock"
    public let conv1: Conv2dLayer
    public let bn1: BatchNormLayer
    public let conv2: Conv2dLayer
    public let bn2: BatchNormLayer
    /// torchvision registers one `relu` module and calls it twice; each call needs its own cached
    /// output, so the block keeps two and lists one.
    private let relu = ReLULayer()
    private let reluOut = ReLULayer()
    public let downsample: Sequential?
    public var isTraining = true

    public init(inPlanes: Int, planes: Int, stride: Int = 1, downsample: Sequential? = nil, rng: inout RandomGenerator) {
        conv1 = Conv2dLayer(inChannels: inPlanes, outChannels: planes, kernelSize: (3, 3), stride: (stride, stride),
                            padding: (1, 1), bias: false, rng: &rng)
        bn1 = BatchNormLayer(channels: planes)
        conv2 = Conv2dLayer(inChannels: planes, outChannels: planes, kernelSize: (3, 3), padding: (1, 1),
                            bias: false, rng: &rng)
        bn2 = BatchNormLayer(channels: planes)
        self.downsample = downsample
    }

    public var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [("conv1", conv1), ("bn1", bn1), ("relu", relu),
                                                            ("conv2", conv2), ("bn2", bn2)]
        if let downsample { result.append(("downsample", downsample)) }
        return result
    }

    /// The children's layers and the ReLU torchvision calls without registering it as a child.
    public func use(_ context: ExecutionContext) {
        for child in children { child.module.use(context) }
        reluOut.use(context)
    }

    public func forward(_ input: Tensor) -> Tensor {
        let main = Chain.forward([conv1, bn1, relu, conv2, bn2], input)
        let identity = downsample?.forward(input) ?? input
        return reluOut.forward(Residual.forward(main, identity))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        ResidualBackward.run(gradOutput, through: reluOut, main: [conv1, bn1, relu, conv2, bn2],
                             shortcut: downsample, needsInputGradient: needsInputGradient)
    }
}

/// Backward of `relu(main(x) + shortcut(x))`, shared by BasicBlock and Bottleneck.
enum ResidualBackward {
    static func run(_ gradOutput: Tensor, through outputReLU: ReLULayer, main: [any Module], shortcut: Sequential?,
                    needsInputGradient: Bool) -> Tensor? {
        // A frozen block whose input needs no gradient kept no activations (Recording).
        guard needsInputGradient || main.contains(where: \.hasTrainableParameters)
                || shortcut?.hasTrainableParameters == true else { return nil }
        guard let gradSum = outputReLU.backward(gradOutput, needsInputGradient: true) else { return nil }
        let gradMain = Chain.backward(main, gradSum, needsInputGradient: needsInputGradient)
        guard needsInputGradient || shortcut?.hasTrainableParameters == true else { return nil }
        let gradShortcut = shortcut.map { $0.backward(gradSum, needsInputGradient: needsInputGradient) } ?? gradSum
        guard needsInputGradient, var total = gradMain, let gradShortcut else { return nil }
        Residual.backward(gradShortcut, into: &total)
        return total
    }
}
