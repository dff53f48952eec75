// TransferFacts: the facts a run needs before it trains — each model built once, each data section listed once, each input's content digest.

import Datasets
import Experiments
import Layers
import Tensors

/// One instance serves a command from its checks through planning to execution, so nothing is
/// worked out twice: `ModelCheck` checks the models and weights it builds, the planner asks it for
/// groups and content digests, and the executor takes the data it listed and the models it built
/// (with the weights the check loaded) instead of listing and building them again.
public final class TransferFacts: PlanFacts {
    /// The class count when neither the config nor its data gives one (data not there yet).
    let fallbackClasses: (ExperimentConfig) throws -> Int
    /// False plans from the config alone where files are missing (`runner plan` before the data is
    /// there): such nodes have no content digest and change identity once the files exist.
    private let requireFiles: Bool
    private var models: [String: TransferModel] = [:]
    /// What loading each model's `model.weights` noted, for models that have them loaded.
    private var weightNotes: [String: [String]] = [:]
    private var listed: [String: SplitItems] = [:]
    /// How many models were built and data sections listed or drawn: each once, or a step repeats work.
    public private(set) var modelsBuilt = 0
    public private(set) var dataListings = 0

    /// The thread count a run trains with (`--threads`); nil: `train.threads`, else the default.
    private let threads: Int?

    public init(requireFiles: Bool = true, threads: Int? = nil,
                classes: @escaping (ExperimentConfig) throws -> Int = { _ in 2 }) {
        self.requireFiles = requireFiles
        self.threads = threads
        self.fallbackClasses = classes
    }

    static func dataKey(_ config: ExperimentConfig) -> String { "\(config.data)|\(config.seed)" }

    /// The items of `config`'s data when they can be listed without drawing or downloading; listed once.
    public func items(_ config: ExperimentConfig) throws -> SplitItems? {
        if let items = listed[Self.dataKey(config)] { return items }
        guard config.data.generated == nil, let items = try DataFactory.items(config.data) else { return nil }
        dataListings += 1
        listed[Self.dataKey(config)] = items
        return items
    }

    /// The items, drawing a generated dataset or fetching a remote one first if needed.
    public func preparedItems(_ config: ExperimentConfig) throws -> SplitItems {
        if let items = listed[Self.dataKey(config)] { return items }
        let items = try DataFactory.prepareItems(config)
        dataListings += 1
        listed[Self.dataKey(config)] = items
        return items
    }

    /// `model.classes`, a generated dataset's, the data's class list, or a named dataset's known count.
    public func classCount(_ config: ExperimentConfig) throws -> Int? {
        if let declared = ModelFactory.declaredClasses(config) { return declared }
        if let counted = try items(config)?.classes.count { return counted }
        if case let .fastai(dataset)? = config.data.remote { return dataset.classes }
        return nil
    }

    /// The model of `config` without its weights, built once per distinct model and class count.
    public func model(_ config: ExperimentConfig) throws -> TransferModel {
        try model(config, classes: try classCount(config) ?? fallbackClasses(config))
    }

    public func model(_ config: ExperimentConfig, classes: Int) throws -> TransferModel {
        let key = "\(config.modelKey)|classes=\(classes)"
        if let model = models[key] { return model }
        let model = try ModelFactory.build(config, classes: classes, loadWeights: false)
        modelsBuilt += 1
        models[key] = model
        return model
    }

    /// Loads `model.weights` into the model of `config` once; throws what loading finds wrong.
    /// `readOnly` (checks) reads what the cache holds and writes nothing.
    func loadWeights(_ config: ExperimentConfig, classes: Int, readOnly: Bool) throws {
        let key = "\(config.modelKey)|classes=\(classes)"
        guard weightNotes[key] == nil, let weights = config.model.weights else { return }
        let model = try model(config, classes: classes)
        var notes: [String] = []
        if let (state, label) = try PretrainedWeights.stateDict(weights, arch: config.model.arch, quiet: readOnly,
                                                                readOnly: readOnly, log: { notes.append($0) }) {
            try model.loadPretrained(state, path: label)
        }
        weightNotes[key] = notes
    }

    /// The model of `config` with its weights, for training: handed over, so a later call builds
    /// another. What reading the weights noted (a wrapper key, a `module.` prefix) goes to `log`.
    public func takeModel(_ config: ExperimentConfig, classes: Int, log: (String) -> Void) throws -> TransferModel {
        let key = "\(config.modelKey)|classes=\(classes)"
        guard let model = models[key] else {
            modelsBuilt += 1
            return try ModelFactory.build(config, classes: classes, log: log)
        }
        try loadWeights(config, classes: classes, readOnly: false)
        weightNotes[key]?.forEach(log)
        models[key] = nil
        weightNotes[key] = nil
        return model
    }

    public func stage(_ stage: StageConfig, of config: ExperimentConfig) throws -> StageFacts {
        let model = try model(config)
        try ModelFactory.prepare(model, for: stage)
        return Self.stageFacts(of: model)
    }

    /// The groups of `model` as it is frozen now, and which of their parameters train.
    public static func stageFacts(of model: TransferModel) -> StageFacts {
        StageFacts(groups: model.groups.map { group in
            StageFacts.Group(parameters: group.parameterCount, trainable: group.trainableParameterCount,
                             trainableKeys: group.parameters.filter { $0.parameter.requiresGrad }.map(\.key).sorted())
        }, fixedPrefix: model.fixedPrefix)
    }

    public func dataContent(_ config: ExperimentConfig) throws -> String? {
        let archive = config.data.remote.flatMap(RemoteDataset.unpackedHash).map { "archive:" + $0 }
        do {
            guard let items = try items(config) else { return archive }
            return [archive, try ContentDigest.items(items)].compactMap { $0 }.joined(separator: ",")
        } catch where !requireFiles {
            return archive
        }
    }

    public func weightsContent(_ config: ExperimentConfig) throws -> String? {
        guard case let .file(file)? = config.model.weights else { return nil }
        do {
            return try ContentDigest.weightsFile(file.path)
        } catch where !requireFiles {
            return nil
        }
    }

    public func numerics(_ config: ExperimentConfig) -> String {
        Numerics.identity(threads: threads ?? config.train.threads ?? ExperimentRunner.defaultThreads)
    }
}
