// HyperParameters: one parameter group's learning rate, momenta, eps and weight decay.

/// Doubles, as fastai keeps them in Python floats; kernels round each derived scalar to Float once,
/// where torch does.
public struct HyperParameters: Equatable, Sendable {
    public var learningRate: Double
    /// Adam's β1 (fastai's `mom`), or SGD's momentum.
    public var momentum: Double
    /// Adam's β2 (fastai2's `sqr_mom`); unused by SGD.
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double

    public init(learningRate: Double, momentum: Double, beta2: Double, eps: Double, weightDecay: Double) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// fastai v1 `AdamW`: torch Adam with betas (0.9, 0.99), eps 1e-8; Learner's wd 1e-2.
    public static func fastai1Adam(learningRate: Double, weightDecay: Double = 1e-2) -> HyperParameters {
        HyperParameters(learningRate: learningRate, momentum: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: weightDecay)
    }

    /// fastai v2 `Adam(mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01)`.
    public static func fastai2Adam(learningRate: Double, weightDecay: Double = 1e-2) -> HyperParameters {
        HyperParameters(learningRate: learningRate, momentum: 0.9, beta2: 0.99, eps: 1e-5, weightDecay: weightDecay)
    }

    /// fastai 0.7 `SGD_Momentum(0.9)`; its `wds` default to 0.
    public static func sgd(learningRate: Double, momentum: Double = 0.9, weightDecay: Double = 0) -> HyperParameters {
        HyperParameters(learningRate: learningRate, momentum: momentum, beta2: 0, eps: 0, weightDecay: weightDecay)
    }
}
