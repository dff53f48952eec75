// Fire: torchvision's SqueezeNet block — 1×1 squeeze + ReLU, then 1×1 and 3×3 expands + ReLU, concatenated.
//   input: (N, C, H, W)   output: (N, expand1x1 + expand3x3, H, W)

import Tensors

public final class Fire: Module {
    public let typeName = "Fire"
    public let squeeze: Conv2dLayer
    public let squeezeActivation = ReLULayer()
    public let expand1x1: Conv2dLayer
    public let expand1x1Activation = ReLULayer()
    public let expand3x3: Conv2dLayer
    public let expand3x3Activation = ReLULayer()
    public var isTraining = true

    public init(inPlanes: Int, squeezePlanes: Int, expand1x1Planes: Int, expand3x3Planes: Int,
                rng: inout RandomGenerator) {
        squeeze = Conv2dLayer(inChannels: inPlanes, outChannels: squeezePlanes, kernelSize: (1, 1), rng: &rng)
        expand1x1 = Conv2dLayer(inChannels: squeezePlanes, outChannels: expand1x1Planes, kernelSize: (1, 1), rng: &rng)
        expand3x3 = Conv2dLayer(inChannels: squeezePlanes, outChannels: expand3x3Planes, kernelSize: (3, 3),
                                padding: (1, 1), rng: &rng)
    }

    public var children: [(name: String, module: any Module)] {
        [("squeeze", squeeze), ("squeeze_activation", squeezeActivation),
         ("expand1x1", expand1x1), ("expand1x1_activation", expand1x1Activation),
         ("expand3x3", expand3x3), ("expand3x3_activation", expand3x3Activation)]
    }

    private var squeezePath: [any Module] { [squeeze, squeezeActivation] }
    private var path1x1: [any Module] { [expand1x1, expand1x1Activation] }
    private var path3x3: [any Module] { [expand3x3, expand3x3Activation] }

    public func forward(_ input: Tensor) -> Tensor {
        let squeezed = Chain.forward(squeezePath, input)
        return ChannelConcat.forward([Chain.forward(path1x1, squeezed), Chain.forward(path3x3, squeezed)])
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        let counts = [expand1x1.outChannels, expand3x3.outChannels]
        var parts: [Tensor] = []
        for part in counts.indices {
            var shape = gradOutput.shape
            shape[1] = counts[part]
            var grad = Tensor(zeros: shape)
            ChannelConcat.backward(gradOutput, part: part, channelCounts: counts, into: &grad)
            parts.append(grad)
        }
        // The squeezed activations need a gradient only if the squeeze conv trains or the caller wants one.
        let needsSqueezed = needsInputGradient || squeeze.hasTrainableParameters
        let grad1x1 = Chain.backward(path1x1, parts[0], needsInputGradient: needsSqueezed)
        let grad3x3 = Chain.backward(path3x3, parts[1], needsInputGradient: needsSqueezed)
        guard needsSqueezed, var gradSqueezed = grad1x1, let grad3x3 else { return nil }
        Residual.backward(grad3x3, into: &gradSqueezed)
        return Chain.backward(squeezePath, gradSqueezed, needsInputGradient: needsInputGradient)
    }
}
