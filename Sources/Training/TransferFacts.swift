// TransferFacts: the planner's questions about a model, answered by building it (once per model).

import Experiments
import Layers

public final class TransferFacts: ModelFacts {
    private let classes: (ExperimentConfig) throws -> Int
    private var models: [String: TransferModel] = [:]

    /// `classes` gives each job's class count (from the config or its data).
    public init(classes: @escaping (ExperimentConfig) throws -> Int) {
        self.classes = classes
    }

    public func stage(_ stage: StageConfig, of config: ExperimentConfig) throws -> StageFacts {
        let count = try classes(config)
        // Jobs that differ only in schedule or training settings have the same model.
        let key = config.modelKey + "|\(count)"
        let model: TransferModel
        if let cached = models[key] {
            model = cached
        } else {
            model = try ModelFactory.build(config, classes: count, loadWeights: false)
            models[key] = model
        }
        try ModelFactory.prepare(model, for: stage)
        return StageFacts(groups: model.groups.map { group in
            StageFacts.Group(parameters: group.parameterCount, trainable: group.trainableParameterCount,
                             trainableKeys: group.parameters.filter { $0.parameter.requiresGrad }.map(\.key).sorted())
        })
    }
}
