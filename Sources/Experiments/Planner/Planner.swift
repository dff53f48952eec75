// Planner: a pure function from a loaded experiment to its job graph, merging identical work.

/// Each node is identified by what determines its output — its parents' identities, the settings
/// whose `NodeRole` is its kind, and the content of the files it reads — not by the text that asked
/// for it. A stage's settings are its trainable parameter set and each trainable parameter's rate,
/// so jobs of a split-point sweep whose frozen stage trains the same parameters at the same rates
/// share that stage. Of the top-level keys, `seed` enters the data, model and stage nodes and
/// `preset` the model and stage nodes; `version`, `name` and `sweep` shape no node's output
/// (SchemaWalkTests checks every key's effect).
public enum Planner {
    public static func plan(_ loaded: LoadedConfig, facts: PlanFacts) throws -> JobGraph {
        var builder = Builder(facts: facts)
        for job in loaded.jobs {
            builder.job = job.id
            builder.jobs.append(JobGraph.JobPlan(id: job.id, overrides: job.overrides.map(\.description),
                                                 config: job.config, nodes: try builder.nodes(of: job.config)))
        }
        return JobGraph(jobs: builder.jobs, nodes: builder.nodes)
    }

    private struct Builder {
        let facts: PlanFacts
        var nodes: [JobGraph.Node] = []
        var index: [String: Int] = [:]
        var jobs: [JobGraph.JobPlan] = []
        var job = ""
        /// Set while the pretrain chain's nodes are added.
        var pretraining = false

        /// pretrain's data → cache → model → stage, then data → cache → model → stages → evaluate.
        mutating func nodes(of config: ExperimentConfig) throws -> [String] {
            var ids: [String] = []
            var weightsFrom: [String] = []
            if let pretrain = config.pretrainExperiment {
                pretraining = true
                defer { pretraining = false }
                ids += try modelNodes(pretrain, weightsFrom: [], prefix: "pretrain-")
                let node = try stageNode(pretrain.schedule[0], of: pretrain, kind: .pretrain, after: ids[ids.count - 1])
                ids.append(node)
                weightsFrom = [node]
            }
            ids += try modelNodes(config, weightsFrom: weightsFrom)
            var previous = ids[ids.count - 1]
            for stage in config.schedule {
                previous = try stageNode(stage, of: config, kind: .stage, after: previous)
                ids.append(previous)
            }
            let metrics = config.train.node.entries(TrainConfig.Key.self, role: TrainConfig.role, .evaluate)
            ids.append(add(.evaluate, "evaluate", [.init("train", text(metrics))], parents: [previous]))
            return ids
        }

        mutating func add(_ kind: JobGraph.Kind, _ name: String, _ fields: [NodeIdentity.Field], parents: [String],
                          stage: JobGraph.StagePlan? = nil) -> String {
            let identity = NodeIdentity(kind: kind, parents: parents.compactMap { index[$0].map { nodes[$0].hash } },
                                        fields: fields)
            let id = "\(kind.rawValue)-\(identity.hash.prefix(10))"
            if let existing = index[id] {
                if !nodes[existing].sharedBy.contains(job) { nodes[existing].sharedBy.append(job) }
            } else {
                index[id] = nodes.count
                nodes.append(JobGraph.Node(id: id, kind: kind, name: name, identity: identity, parents: parents,
                                           sharedBy: [job], pretraining: pretraining, stage: stage))
            }
            return id
        }

        /// data → cache → model, the model's parents extended by `weightsFrom`.
        mutating func modelNodes(_ config: ExperimentConfig, weightsFrom: [String], prefix: String = "") throws
            -> [String] {
            let dataNode = config.data.node
            var data: [NodeIdentity.Field] = [
                .init("data", text(dataNode.entries(DataConfig.Key.self, role: DataConfig.role, .data))),
                .init("seed", "\(config.seed)"),
            ]
            if config.data.generated != nil { data.append(.init("drawing", "\(DataConfig.Generated.drawing)")) }
            if let content = try facts.dataContent(config) { data.append(.init("content", content)) }
            let dataID = add(.data, prefix + "data", data, parents: [])
            let images = text(dataNode.entries(DataConfig.Key.self, role: DataConfig.role, .images))
            let cache = add(.cache, prefix + "cache", [.init("data", images)], parents: [dataID])
            var model = [NodeIdentity.Field("model", modelSettings(config.model)), .init("preset", config.preset.rawValue),
                         .init("seed", "\(config.seed)")]
            if let content = try facts.weightsContent(config) { model.append(.init("weights_content", content)) }
            let modelID = add(.model, prefix + "model", model, parents: [cache] + weightsFrom)
            return [dataID, cache, modelID]
        }

        /// A stage node: which parameters train at which rate, and everything else that shapes the result.
        mutating func stageNode(_ stage: StageConfig, of config: ExperimentConfig, kind: JobGraph.Kind,
                                after previous: String) throws -> String {
            let plan = try JobGraph.StagePlan.make(stage, facts: try facts.stage(stage, of: config), config: config)
            // Which parameters train, at which rate: the group structure itself does not matter.
            let perParameter = plan.groups.flatMap { group in group.trainableKeys.map { "\($0)=\(group.lr)" } }
            let fields: [NodeIdentity.Field] = [
                .init("trainable", perParameter.joined(separator: ",")),
                .init("stage", text(stage.node.entries(StageConfig.Key.self, role: StageConfig.role, .stage))),
                .init("train", text(config.train.node.entries(TrainConfig.Key.self, role: TrainConfig.role, .stage))),
                .init("data", text(config.data.node.entries(DataConfig.Key.self, role: DataConfig.role, .stage))),
                // A node stores its epochs' metrics, and top-k accuracy depends on k.
                .init("top_k", "\(config.train.topK)"),
                .init("preset", config.preset.rawValue), .init("seed", "\(config.seed)"),
                .init("numerics", facts.numerics(config)),
            ]
            return add(kind, stage.name, fields, parents: [previous], stage: plan)
        }

        /// The model's settings; of `meta` only its cut decides the body, its lr_cut only the groups.
        func modelSettings(_ model: ModelConfig) -> String {
            var node = model.node.entries(ModelConfig.Key.self, role: ModelConfig.role, .model)
            if let meta = model.meta, case let .mapping(entries) = node.kind {
                node.kind = .mapping(entries.map { entry in
                    entry.key == ModelConfig.Key.meta.rawValue
                        ? ConfigNode.Entry(key: "meta_cut", value: .int(meta.cut)) : entry
                })
            }
            return text(node)
        }

        func text(_ node: ConfigNode) -> String {
            YAMLWriter.flow(node)
        }
    }
}

extension ExperimentConfig {
    /// Everything that decides the built model and its freezing behaviour, as one string; equal
    /// strings mean the same model (used to build it once).
    public var modelKey: String {
        [YAMLWriter.flow(model.node), preset.rawValue, "seed=\(seed)", "train_bn=\(train.trainBN)",
         "bn_stats=\(train.bnStats.rawValue)", YAMLWriter.flow(data.node)].joined(separator: "|")
    }
}
