// PretrainConfig: the `pretrain` section — another task to train the whole network on first, whose body `model.weights: pretrain` then starts from.

/// The embedded dataset's answer to ImageNet weights: train the same architecture, cut and head,
/// unfrozen, on `data` (its keys laid over the experiment's `data`), then transfer the body.
public struct PretrainConfig: Equatable, Sendable {
    public var data: DataConfig
    /// Always named `pretrain` and unfrozen (`freeze_to: 0`); epochs, lr and policy as written.
    public var stage: StageConfig

    public static let stageName = "pretrain"

    enum Key: String, ConfigKey {
        case data, epochs, lr, policy
        case pctStart = "pct_start"
        case div
        case finalDiv = "final_div"
        case moms
    }

    static let schema = ConfigSchema.fields(Key.self, [.data: DataConfig.schema])

    /// `dataNode` is the experiment's own `data` mapping, which `pretrain.data` edits.
    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, preset: Preset,
                     dataNode: ConfigNode?) -> PretrainConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        var merged = dataNode?.entries ?? []
        if let n = f[.data] {
            guard let entries = n.entries else {
                r.fail(n, f.path(.data), expected: "a mapping of data keys that differ from `data`",
                       suggestion: "e.g. {variant: source, classes: 10}")
                return nil
            }
            // Another source means other items: only how images are shaped and batched carries over.
            let source = entries.first { $0.key == DataConfig.Key.source.rawValue }?.value.scalar?.text
            if let source, source != dataNode?["source"]?.scalar?.text {
                let shared: Set<DataConfig.Key> = [.size, .resize, .batchSize, .augment, .normalize, .badFiles, .maxPixels]
                merged = merged.filter { entry in DataConfig.Key(rawValue: entry.key).map(shared.contains) ?? false }
            }
            for entry in entries {
                if let i = merged.firstIndex(where: { $0.key == entry.key }) { merged[i] = entry } else { merged.append(entry) }
            }
        }
        guard dataNode != nil else { return nil }
        let data = DataConfig.read(ConfigNode(.mapping(merged), at: f[.data]?.location ?? node.location), f.path(.data), r)

        // The stage keys read as a schedule entry does, so they mean exactly what they mean there.
        var stageEntries = [ConfigNode.Entry(key: "name", value: .string(stageName)),
                            ConfigNode.Entry(key: "freeze_to", value: .int(0))]
        // Unknown keys were reported above; only the stage's own keys go on.
        let stageKeys = Set(Key.allCases.filter { $0 != .data }.map(\.rawValue))
        stageEntries += (node.entries ?? []).filter { stageKeys.contains($0.key) }
        let stage = StageConfig.read(ConfigNode(.mapping(stageEntries), at: node.location), path, index: 0, r,
                                     preset: preset)
        guard let data, let stage else { return nil }
        return PretrainConfig(data: data, stage: stage)
    }

    /// `data` as written back out: the whole merged mapping, so resolved.yaml says exactly what ran.
    var node: ConfigNode {
        var stageNode = stage.node
        if case let .mapping(entries) = stageNode.kind {
            stageNode.kind = .mapping(entries.filter { $0.key != "name" && $0.key != "freeze_to" })
        }
        return ConfigNode(.mapping([ConfigNode.Entry(key: "data", value: data.node)] + (stageNode.entries ?? [])))
    }
}

extension ExperimentConfig {
    /// The experiment itself and, when it pretrains, the pretraining experiment: every config
    /// whose weights and data a run needs.
    public var withPretraining: [ExperimentConfig] { [self] + (pretrainExperiment.map { [$0] } ?? []) }

    /// The experiment that pretrains this one's body: the `pretrain` data and stage, the same
    /// architecture, cut, head, seed and optimiser, random initial weights, classes from its data.
    public var pretrainExperiment: ExperimentConfig? {
        guard model.weights == .pretrain, let pretrain else { return nil }
        var config = self
        config.data = pretrain.data
        config.schedule = [pretrain.stage]
        config.model.weights = nil
        config.model.classes = nil
        config.pretrain = nil
        config.sweep = nil
        config.train.earlyStopping = nil
        return config
    }
}
