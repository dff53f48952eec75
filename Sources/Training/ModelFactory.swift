// ModelFactory: the model an experiment file describes — arch, cut, split, head, weights, BN settings.

import Experiments
import Layers
import Tensors

public enum ModelFactory {
    public static func version(_ preset: Preset) -> FastaiVersion {
        switch preset {
        case .fastai1: return .v1
        case .fastai2: return .v2
        case .fastai07: return .v07
        }
    }

    /// The class count when the config alone determines it (`model.classes`, or a generated dataset).
    public static func declaredClasses(_ config: ExperimentConfig) -> Int? {
        config.model.classes ?? config.data.generated?.classes
    }

    public static func spec(_ config: ExperimentConfig, classes: Int) throws -> TransferSpec {
        let model = config.model
        guard let architecture = Architecture(rawValue: model.arch.rawValue) else {
            preconditionFailure("the config schema admitted architecture \(model.arch.rawValue) that Layers lacks")
        }
        let cut: BodyCut? = model.cut.map {
            switch $0 {
            case let .index(index): return .index(index)
            case let .name(name): return .name(name)
            }
        }
        var split = SplitRule.automatic
        if let meta = model.meta {
            split = .legacy(LegacyMeta(cut: meta.cut, lrCut: meta.lrCut))
        } else if let rule = model.split {
            switch rule {
            case let .indices(indices): split = .indices(indices)
            case let .names(names): split = .names(names)
            }
        }
        let ps: [Float]
        switch model.head.ps {
        case let .single(p): ps = [Float(p)]
        case let .perLayer(values): ps = values.map(Float.init)
        }
        let head = HeadOptions(linFtrs: model.head.linFtrs, ps: ps, concatPool: model.head.concatPool,
                               bnFinal: model.head.bnFinal, firstBN: model.head.firstBN, linFirst: model.head.linFirst)
        return TransferSpec(architecture: architecture, classes: classes, version: version(config.preset), cut: cut,
                            split: split, head: head)
    }

    /// Builds the model with the config's seed, loads `model.weights` into the body when asked, and
    /// applies `train_bn` and `bn_stats`. Nothing is frozen yet.
    public static func build(_ config: ExperimentConfig, classes: Int, loadWeights: Bool = true,
                             log: (String) -> Void = { _ in }) throws -> TransferModel {
        var rng = RandomGenerator(seed: UInt64(truncatingIfNeeded: config.seed), purpose: "init")
        let model = try TransferModel.build(try spec(config, classes: classes), rng: &rng)
        model.trainBN = config.train.trainBN
        model.bnStats = config.train.bnStats == .freeze ? .freeze : .update
        if loadWeights, let weights = config.model.weights,
           let (state, label) = try PretrainedWeights.stateDict(weights, arch: config.model.arch, log: log) {
            try model.loadPretrained(state, path: label)
        }
        return model
    }

    /// Starts `model`'s body from another transfer model's state (the pretrain stage's): its
    /// torchvision keys load by name, its head (`head.…`, sized for the other task) is left out.
    public static func loadBody(of state: SafeTensors, into model: TransferModel) throws {
        var body = state
        body.tensors = state.tensors.filter { !$0.key.hasPrefix("head.") }
        try model.loadPretrained(body, path: "the pretrain stage's weights")
    }

    /// The model as it stands when `stage` starts: frozen to its `freeze_to`.
    public static func prepare(_ model: TransferModel, for stage: StageConfig) throws {
        try model.freeze(to: stage.freezeTo)
    }

    /// The model frozen as a planned stage says; the parameters that then train must be exactly
    /// those the plan lists, or the model is not the one the plan was made for.
    public static func prepare(_ model: TransferModel, for plan: JobGraph.StagePlan) throws {
        try model.freeze(to: plan.frozenGroups)
        let trainable = Set(model.namedParameters().filter { $0.parameter.requiresGrad }.map(\.key))
        guard trainable == plan.trainableKeys else {
            throw PlanError.modelDiffers(stage: plan.stage.name, missing: plan.trainableKeys.subtracting(trainable).sorted(),
                                         unexpected: trainable.subtracting(plan.trainableKeys).sorted())
        }
    }
}
