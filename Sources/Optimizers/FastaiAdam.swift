// FastaiAdam: fastai v2's `Adam` — decoupled weight decay, dampened averages, debiased step, eps 1e-5.

import Foundation
import Tensors

/// fastai2 runs its callbacks in the order weight_decay (or l2_reg), average_grad, average_sqr_grad,
/// step_stat, adam_step. Norm-layer parameters and biases have `do_wd = False` unless the rule's
/// `decaysNormAndBias` (`wd_bn_bias`) is set.
public final class FastaiAdam: Optimizer {
    public var groups: [ParameterGroup]
    public let weightDecay: WeightDecayRule
    private let moments: MomentStore

    public init(groups: [ParameterGroup], weightDecay: WeightDecayRule = .fastai2) throws(OptimizerError) {
        self.groups = groups
        self.weightDecay = weightDecay
        moments = try MomentStore(groups: groups, firstName: "grad_avg", secondName: "sqr_avg")
    }

    public func step() {
        moments.forEachUpdate(of: groups, weightDecay: weightDecay) { member, hyper, gradient, decay, entry in
            let count = member.parameter.count
            let t = Double(entry.step)
            let mom = hyper.momentum, sqrMom = hyper.beta2
            let constants = UpdateKernels.FastaiAdam(
                decay: decay,
                mom: Float(mom), oneMinusMom: Float(1 - mom), sqrMom: Float(sqrMom), oneMinusSqrMom: Float(1 - sqrMom),
                debias2: Float(Self.debias(sqrMom, t)), eps: Float(hyper.eps),
                negativeStepSize: Float(-hyper.learningRate / Self.debias(mom, t)))
            member.parameter.value.withUnsafeMutablePointer { p in
                gradient.withUnsafePointer { g in
                    entry.first.withUnsafeMutablePointer { gradAvg in
                        entry.second.withUnsafeMutablePointer { sqrAvg in
                            UpdateKernels.fastaiAdam(p, g, gradAvg, sqrAvg, count: count, constants)
                        }
                    }
                }
            }
        }
    }

    /// fastai's `debias(mom, 1-mom, step)`, written as fastai does so the last bits agree: it equals 1 − mom^step.
    static func debias(_ mom: Double, _ step: Double) -> Double {
        let damp = 1 - mom
        return damp * (1 - pow(mom, step)) / (1 - mom)
    }

    public func state() -> [String: Tensor] { moments.serialised() }

    public func load(state: [String: Tensor]) throws(OptimizerError) { try moments.load(state, groups: groups) }

    public func resetState() { moments.reset() }
}
