// CrossEntropyLoss: torch.nn.CrossEntropyLoss (mean reduction, optional label smoothing) — logits (N, K), targets (N).

import Tensors

public final class CrossEntropyLoss {
    public let labelSmoothing: Float
    private var cached: (probabilities: Tensor, targets: [Int])?

    public init(labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label smoothing \(labelSmoothing) outside [0, 1]")
        self.labelSmoothing = labelSmoothing
    }

    public func forward(_ logits: Tensor, targets: [Int]) -> Float {
        let (loss, probabilities) = CrossEntropy.forward(logits, targets: targets, labelSmoothing: labelSmoothing)
        cached = (probabilities, targets)
        return loss
    }

    /// ∂loss/∂logits.
    public func backward() -> Tensor {
        guard let cached else { preconditionFailure("CrossEntropyLoss.backward before forward") }
        var grad = Tensor(zeros: cached.probabilities.shape)
        CrossEntropy.backward(probabilities: cached.probabilities, targets: cached.targets,
                              labelSmoothing: labelSmoothing, into: &grad)
        return grad
    }
}
