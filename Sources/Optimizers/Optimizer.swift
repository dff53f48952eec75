// Optimizer: the protocol every optimiser follows — step, zero gradients, per-group hyper-parameters, saved state.

import Tensors

/// An optimiser owns per-parameter state (moments, step counts) keyed by parameter key. Training
/// builds a fresh one, or calls `resetState()`, at each stage, as fastai1 rebuilds its optimiser and
/// fastai2 calls `clear_state()` on `freeze_to`.
public protocol Optimizer: AnyObject {
    /// Only `hyper` may change after construction; the members fix which parameters are optimised.
    var groups: [ParameterGroup] { get set }

    /// Updates every member that is trainable and has a gradient; others are left untouched.
    func step()

    /// Moments and step counts under `<parameter key>.<slot>` (torch's slot names where torch has
    /// the optimiser), for checkpoints. Parameters never stepped have no entries.
    func state() -> [String: Tensor]

    /// Replaces the whole state with `state` (entries absent there start fresh).
    func load(state: [String: Tensor]) throws(OptimizerError)

    /// Forgets every moment and step count.
    func resetState()
}

extension Optimizer {
    public func zeroGradients() {
        for group in groups {
            for member in group.members { member.parameter.zeroGradient() }
        }
    }

    public var learningRates: [Double] { groups.map(\.hyper.learningRate) }

    /// One rate per group, already spread over groups (fastai's lr_range / set_hyper).
    public func setLearningRates(_ rates: [Double]) throws(OptimizerError) {
        guard rates.count == groups.count else {
            throw .learningRateCount(rates: rates.count, groups: groups.count)
        }
        for index in groups.indices { groups[index].hyper.learningRate = rates[index] }
    }

    /// fastai schedules one momentum for all groups (Adam's β1, SGD's momentum).
    public func setMomentum(_ momentum: Double) {
        for index in groups.indices { groups[index].hyper.momentum = momentum }
    }

    /// Sets the hyper-parameters `schedule` gives for training batch `batch`, from each group's
    /// maximum learning rate; momentum is left alone when the schedule does not drive it.
    public func apply(_ schedule: any Schedule, batch: Int, maxLearningRates: [Double]) throws(OptimizerError) {
        try setLearningRates(schedule.learningRates(at: batch, max: maxLearningRates))
        if let momentum = schedule.momentum(at: batch) { setMomentum(momentum) }
    }
}
