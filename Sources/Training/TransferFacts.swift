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
        // Jobs that differ only in schedule or training settings have the same model; the key holds
        // the model and data settings, so the class count (which may list the data) is asked once.
        let key = config.modelKey
        let model: TransferModel
        if let cached = models[key] {
            model = cached
        } else {
            model = try ModelFactory.build(config, classes: try classes(config), loadWeights: false)
            models[key] = model
        }
        try ModelFactory.prepare(model, for: stage)
        return StageFacts(groups: model.groups.map { group in
            StageFacts.Group(parameters: group.parameterCount, trainable: group.trainableParameterCount,
                             trainableKeys: group.parameters.filter { $0.parameter.requiresGrad }.map(\.key).sorted())
        })
    }
}
