// LinearLayer: torch.nn.Linear — input (N, in), weight (out, in), bias (out).

import Tensors

public final class LinearLayer: ContextualLayer {
    public let typeName = "Linear"
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var cachedInput: Tensor?

    /// torch's default init: kaiming-uniform (a = √5) weight, bias U(±1/√in).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
        weight = Parameter(Tensor.kaimingUniform([outFeatures, inFeatures], a: Float(5).squareRoot(), rng: &rng))
        let bound = 1 / Float(inFeatures).squareRoot()
        self.bias = bias ? Parameter(Tensor.uniform([outFeatures], low: -bound, high: bound, rng: &rng)) : nil
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == weight.shape[1],
                     "Linear(\(weight.shape[1]), \(weight.shape[0])) got input \(input.shape)")
        cachedInput = weight.requiresGrad ? input : nil
        if weight.requiresGrad || bias?.requiresGrad == true { context.trainableLayerRan() }
        return observed(Linear.forward(input, weight: weight.value, bias: bias?.value))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        if weight.requiresGrad, let input = cachedInput {
            weight.accumulateGradient { Linear.backwardWeight(gradOutput, input: input, into: &$0) }
        }
        if let bias, bias.requiresGrad {
            bias.accumulateGradient { Linear.backwardBias(gradOutput, into: &$0) }
        }
        cachedInput = nil
        guard needsInputGradient else { return nil }
        var gradInput = Tensor(zeros: [gradOutput.shape[0], weight.shape[1]])
        Linear.backwardInput(gradOutput, weight: weight.value, into: &gradInput)
        return gradInput
    }
}
