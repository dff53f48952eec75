// OptimizerFactory: the optimiser and schedule a stage of an experiment file asks for.

import Experiments
import Layers
import Optimizers

public enum OptimizerFactory {
    /// One parameter group per layer group, each at its own learning rate; fastai2's Adam under the
    /// fastai2 preset, torch-style AdamW otherwise, or SGD with momentum.
    public static func make(_ config: ExperimentConfig, groups: [LayerGroup], learningRates: [Double]) throws
        -> any Optimizer {
        precondition(groups.count == learningRates.count, "one learning rate per layer group")
        let settings = config.train.optimizer
        let rule = WeightDecayRule(mode: settings.trueWD ? .decoupled : .l2, decaysNormAndBias: settings.bnWD)
        let parameterGroups = zip(groups, learningRates).map { group, lr -> ParameterGroup in
            let hyper: HyperParameters
            switch settings.name {
            case .sgd:
                hyper = .sgd(learningRate: lr, momentum: settings.momentum, weightDecay: settings.wd)
            case .adam, .adamw:
                hyper = HyperParameters(learningRate: lr, momentum: settings.betas.first ?? 0.9,
                                        beta2: settings.betas.last ?? 0.99, eps: settings.eps, weightDecay: settings.wd)
            }
            return ParameterGroup(layerGroup: group, hyper: hyper)
        }
        switch settings.name {
        case .sgd:
            // fastai1's OptimWrapper decouples the decay (`p.mul_(1 - lr·wd)`) for any optimiser when
            // true_wd is on; fastai07's SGD has it off and decays as L2.
            return try SGD(groups: parameterGroups, weightDecay: rule)
        case .adam, .adamw:
            return config.preset == .fastai2 ? try FastaiAdam(groups: parameterGroups, weightDecay: rule)
                                             : try AdamW(groups: parameterGroups, weightDecay: rule)
        }
    }

    public static func schedule(_ stage: StageConfig, preset: Preset, batches: Int) -> any Schedule {
        switch stage.policy {
        case let .oneCycle(settings):
            // The config holds exactly the preset's number of momentums (3 for fastai2, 2 otherwise).
            let moms = settings.moms
            if preset == .fastai2 {
                return OneCycleV2Schedule(batchCount: batches, div: settings.div, divFinal: settings.finalDiv,
                                          pctStart: settings.pctStart, moms: (moms[0], moms[1], moms[2]))
            }
            return OneCycleV1Schedule(batchCount: batches, divFactor: settings.div, pctStart: settings.pctStart,
                                      finalDiv: settings.finalDiv, moms: (moms[0], moms[1]))
        case .constant:
            return ConstantSchedule()
        case .cosine:
            return CosineSchedule(batchCount: batches)
        }
    }
}
