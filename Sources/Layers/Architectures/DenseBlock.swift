// DenseBlock: torchvision's _DenseBlock — denselayer1…N, each fed every feature map before it, all concatenated.
//   input: (N, C, H, W)   output: (N, C + layers · growthRate, H, W)

import Tensors

public final class DenseBlock: Module {
    public let typeName = "_DenseBlock"
    public let layers: [DenseLayer]
    public var isTraining = true

    public init(layers count: Int, inputFeatures: Int, growthRate: Int, bottleneckSize: Int = 4,
                rng: inout RandomGenerator) {
        var layers: [DenseLayer] = []
        for index in 0..<count {
            layers.append(DenseLayer(inputFeatures: inputFeatures + index * growthRate, growthRate: growthRate,
                                     bottleneckSize: bottleneckSize, rng: &rng))
        }
        self.layers = layers
    }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { ("denselayer\($0.offset + 1)", $0.element) }
    }

    /// Each DenseLayer appends its features to its input, so running them in turn reproduces
    /// torchvision's growing list of features and its final concatenation.
    public func forward(_ input: Tensor) -> Tensor {
        Chain.forward(layers, input)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        Chain.backward(layers, gradOutput, needsInputGradient: needsInputGradient)
    }
}
