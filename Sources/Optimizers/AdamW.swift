// AdamW: fastai v1's optimiser — torch Adam with betas (0.9, 0.99), eps 1e-8, and fastai1's weight-decay rules.

import Foundation
import Tensors

/// With decoupled decay (`true_wd`) every stepped parameter is first scaled by `1 − lr·wd` and Adam
/// runs without weight decay; with L2 the decay enters Adam's gradient. Norm and bias parameters
/// (fastai1's "nowd" groups) are decayed only when the rule's `decaysNormAndBias` (`bn_wd`) is set.
public final class AdamW: Optimizer {
    public var groups: [ParameterGroup]
    public let weightDecay: WeightDecayRule
    private let moments: MomentStore

    public init(groups: [ParameterGroup], weightDecay: WeightDecayRule = .fastai1) throws(OptimizerError) {
        self.groups = groups
        self.weightDecay = weightDecay
        moments = try MomentStore(groups: groups, firstName: "exp_avg", secondName: "exp_avg_sq")
    }

    public func step() {
        moments.forEachUpdate(of: groups, weightDecay: weightDecay) { member, hyper, gradient, decay, entry in
            let count = member.parameter.count
            let t = Double(entry.step)
            let beta1 = hyper.momentum, beta2 = hyper.beta2
            // torch computes the bias corrections in Python floats, then hands the kernels float scalars.
            let stepSize = hyper.learningRate / (1 - pow(beta1, t))
            let constants = UpdateKernels.TorchAdam(
                decay: decay,
                lerpWeight: Float(1 - beta1), beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
                biasCorrection2Sqrt: Float((1 - pow(beta2, t)).squareRoot()), eps: Float(hyper.eps),
                negativeStepSize: Float(-stepSize))
            member.parameter.value.withUnsafeMutablePointer { p in
                gradient.withUnsafePointer { g in
                    entry.first.withUnsafeMutablePointer { m in
                        entry.second.withUnsafeMutablePointer { v in
                            UpdateKernels.torchAdam(p, g, m, v, count: count, constants)
                        }
                    }
                }
            }
        }
    }

    public func state() -> [String: Tensor] { moments.serialised() }

    public func load(state: [String: Tensor]) throws(OptimizerError) { try moments.load(state, groups: groups) }

    public func resetState() { moments.reset() }
}
