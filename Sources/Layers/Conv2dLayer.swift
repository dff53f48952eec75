// Conv2dLayer: torch.nn.Conv2d — weight (O, C/groups, KH, KW), optional bias (O).

import Tensors

public final class Conv2dLayer: ContextualLayer {
    public let typeName = "Conv2d"
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let groups: Int
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var cachedInput: Tensor?
    private var geometry: Conv2dGeometry?
    /// The weight as the kernel multiplies by it, with the weight version and input plane it was made
    /// for (the unrolled form depends on the plane): a frozen body prepares its weights once, a
    /// trained one once per step instead of twice.
    private var prepared: (version: Int, plane: [Int], weight: Tensor?)?

    /// Weights and bias drawn as torch's default (kaiming-uniform with a = √5, bias U(±1/√fan_in)).
    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), groups: Int = 1, bias: Bool = true, rng: inout RandomGenerator) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "channels not divisible by groups")
        let shape = [outChannels, inChannels / groups, kernelSize.0, kernelSize.1]
        weight = Parameter(Tensor.kaimingUniform(shape, a: Float(5).squareRoot(), rng: &rng))
        if bias {
            let bound = 1 / Float(Tensor.fans(shape).fanIn).squareRoot()
            self.bias = Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, rng: &rng))
        } else {
            self.bias = nil
        }
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var outChannels: Int { weight.shape[0] }

    public func forward(_ input: Tensor) -> Tensor {
        let g = Conv2dGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding,
                               groups: groups)
        geometry = g
        cachedInput = weight.requiresGrad ? input : nil
        if weight.requiresGrad || bias?.requiresGrad == true { context.trainableLayerRan() }
        return observed(Conv2d.forward(input, weight: weight.value, bias: bias?.value, geometry: g,
                                       prepared: preparedWeight(g), context: context.kernels))
    }

    private func preparedWeight(_ g: Conv2dGeometry) -> Tensor? {
        let plane = [g.height, g.width]
        if let prepared, prepared.version == weight.version, prepared.plane == plane,
           prepared.weight?.shape == Conv2d.preparedShape(g, context: context.kernels) {
            return prepared.weight
        }
        // Taken out of the cache first, so that its storage is uniquely held and refilled in place.
        var storage = prepared?.weight
        prepared = nil
        let fresh = Conv2d.prepare(weight.value, geometry: g, context: context.kernels, reusing: &storage)
        prepared = (weight.version, plane, fresh)
        return fresh
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let g = geometry else { preconditionFailure("Conv2dLayer.backward before forward") }
        var gradWeight = cachedInput == nil ? nil : weight.takeGradientIfTrainable()
        var gradInput: Tensor? = needsInputGradient ? Tensor(zeros: g.inputShape) : nil
        Conv2d.backward(gradOutput, input: cachedInput, weight: weight.value, geometry: g,
                        prepared: needsInputGradient ? preparedWeight(g) : nil, context: context.kernels,
                        gradWeight: &gradWeight, gradInput: &gradInput)
        if let gradWeight { weight.gradient = gradWeight }
        if let bias, bias.requiresGrad {
            bias.accumulateGradient { Conv2d.backwardBias(gradOutput, geometry: g, into: &$0) }
        }
        cachedInput = nil
        return gradInput
    }
}
