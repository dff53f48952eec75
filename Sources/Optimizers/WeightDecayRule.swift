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

extension WeightDecayRule {
    /// Applies decoupled decay `p ← p·(1 − lr·wd)` to `member` when this rule decouples, and returns
    /// the coefficient to add to the gradient when it is L2 (0 otherwise): the part every optimiser shares.
    func applyDecoupled(to member: ParameterGroup.Member, _ hyper: HyperParameters) -> Float {
        let wd = weightDecay(hyper, isNormOrBias: member.isNormOrBias)
        guard mode == .decoupled else { return Float(wd) }
        if wd != 0 {
            let factor = Float(1 - hyper.learningRate * wd)
            let count = member.parameter.count
            member.parameter.value.withUnsafeMutablePointer { UpdateKernels.scale($0, count: count, by: factor) }
        }
        return 0
    }
}
