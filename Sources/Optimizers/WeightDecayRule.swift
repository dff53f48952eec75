// WeightDecayRule: how weight decay is applied (decoupled or L2) and whether norm and bias parameters get it.

public struct WeightDecayRule: Equatable, Sendable {
    public enum Mode: String, Equatable, Sendable {
        /// `p ← p·(1 − lr·wd)` before the optimiser's own update (AdamW; fastai1 true_wd, fastai2 decouple_wd).
        case decoupled
        /// `g ← g + wd·p` before the update (torch's `weight_decay`; fastai2's `l2_reg`).
        case l2
    }

    public var mode: Mode
    /// fastai1's `bn_wd`, fastai2's `wd_bn_bias`: whether BatchNorm parameters and biases are decayed too.
    public var decaysNormAndBias: Bool

    public init(mode: Mode, decaysNormAndBias: Bool) {
        self.mode = mode
        self.decaysNormAndBias = decaysNormAndBias
    }

    /// fastai v1 Learner defaults: `true_wd=True`, `bn_wd=True` (BN and biases are decayed).
    public static let fastai1 = WeightDecayRule(mode: .decoupled, decaysNormAndBias: true)
    /// fastai v2 defaults: `decouple_wd=True`, `wd_bn_bias=False`.
    public static let fastai2 = WeightDecayRule(mode: .decoupled, decaysNormAndBias: false)
    /// fastai 0.7 and torch SGD: `weight_decay` is L2 on every parameter of the group.
    public static let l2Everywhere = WeightDecayRule(mode: .l2, decaysNormAndBias: true)

    /// The decay a member of a group gets: 0 when its kind is excluded.
    func weightDecay(_ hyper: HyperParameters, isNormOrBias: Bool) -> Double {
        isNormOrBias && !decaysNormAndBias ? 0 : hyper.weightDecay
    }
}

/// The decay of one parameter in one step, the part every optimiser shares: `factor` scales p
/// before the update (decoupled: 1 − lr·wd; 1 when none), `l2` times p joins the gradient (L2; 0
/// when none). The update kernels multiply by the factor first, which is torch's `p.mul_` with the
/// same rounding, done in the update's own pass over p instead of one of its own.
struct Decay {
    var factor: Float
    var l2: Float
}

extension WeightDecayRule {
    func decay(of member: ParameterGroup.Member, _ hyper: HyperParameters) -> Decay {
        let wd = weightDecay(hyper, isNormOrBias: member.isNormOrBias)
        guard mode == .decoupled else { return Decay(factor: 1, l2: Float(wd)) }
        return Decay(factor: wd == 0 ? 1 : Float(1 - hyper.learningRate * wd), l2: 0)
    }
}
