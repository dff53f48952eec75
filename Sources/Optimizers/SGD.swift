// SGD: fastai 0.7's optimiser — torch SGD with momentum 0.9, no dampening, weight decay as L2.

import Tensors

/// The momentum buffer starts as a copy of the first gradient, as in torch. 0.7 has no "nowd"
/// groups, so by default (`.l2Everywhere`) every parameter of a group gets its `wd`.
public final class SGD: Optimizer {
    public var groups: [ParameterGroup]
    public let weightDecay: WeightDecayRule
    private let moments: MomentStore

    public init(groups: [ParameterGroup], weightDecay: WeightDecayRule = .l2Everywhere) throws(OptimizerError) {
        self.groups = groups
        self.weightDecay = weightDecay
        moments = try MomentStore(groups: groups, firstName: "momentum_buffer", secondName: nil)
    }

    public func step() {
        moments.forEachUpdate(of: groups, weightDecay: weightDecay) { member, hyper, gradient, decay, entry in
            let count = member.parameter.count
            // torch starts the momentum buffer as a copy of the first gradient.
            let firstStep = entry.step == 1
            member.parameter.value.withUnsafeMutablePointer { p in
                gradient.withUnsafePointer { g in
                    entry.first.withUnsafeMutablePointer { buffer in
                        UpdateKernels.sgd(p, g, buffer, count: count, decay: decay, momentum: Float(hyper.momentum),
                                          negativeLearningRate: Float(-hyper.learningRate), firstStep: firstStep)
                    }
                }
            }
        }
    }

    public func state() -> [String: Tensor] { moments.serialised() }

    public func load(state: [String: Tensor]) throws(OptimizerError) { try moments.load(state, groups: groups) }

    public func resetState() { moments.reset() }
}
