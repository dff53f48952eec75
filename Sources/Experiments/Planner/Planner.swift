// Planner: a pure function from a loaded experiment to its job graph, merging identical work.

/// Each node is identified by a hash of what determines its output — its parents' hashes and its
/// effective settings — not by the text that asked for it. A stage's settings are its trainable
/// parameter set and each trainable parameter's hyper-parameters, so jobs of a split-point sweep
/// whose frozen stage trains the same parameters at the same rates share that stage.
public enum Planner {
    /// `archives` maps a downloaded dataset's URL to its archive's SHA-256 where it is known, so
    /// the data node is identified by the archive's content, not only by its address.
    public static func plan(_ loaded: LoadedConfig, facts: ModelFacts, archives: [String: String] = [:]) throws -> JobGraph {
        var nodes: [JobGraph.Node] = []
        var index: [String: Int] = [:]
        var jobs: [JobGraph.JobPlan] = []

        func add(_ kind: JobGraph.Kind, _ name: String, settings: String, parents: [String], job: String,
                 stage: JobGraph.StagePlan? = nil) -> String {
            let parentHashes = parents.compactMap { index[$0].map { nodes[$0].hash } }
            let hash = StableHash.hex(([kind.rawValue] + parentHashes + [settings]).joined(separator: "\u{1F}"))
            let id = "\(kind.rawValue)-\(hash.prefix(10))"
            if let existing = index[id] {
                if !nodes[existing].sharedBy.contains(job) { nodes[existing].sharedBy.append(job) }
            } else {
                index[id] = nodes.count
                nodes.append(JobGraph.Node(id: id, kind: kind, name: name, hash: hash, parents: parents,
                                           sharedBy: [job], stage: stage))
            }
            return id
        }

        /// A stage node: which parameters train at which rate, and everything else that shapes the result.
        func stageNode(_ stage: StageConfig, of config: ExperimentConfig, kind: JobGraph.Kind, after previous: String,
                       job: String) throws -> String {
            let facts = try facts.stage(stage, of: config)
            let lrs = try stage.lr.values(groups: facts.groups.count)
            let plan = JobGraph.StagePlan(
                freezeTo: stage.freezeTo, epochs: stage.epochs, lrs: lrs, parameters: facts.parameters,
                trainable: facts.trainable,
                groups: facts.groups.enumerated().map { i, group in
                    JobGraph.StagePlan.Group(index: i, parameters: group.parameters, trainable: group.trainable,
                                             lr: lrs[i])
                })
            // Which parameters train, at which rate: the group structure itself does not matter.
            let perParameter = facts.groups.enumerated().flatMap { i, group in
                group.trainableKeys.map { "\($0)=\(lrs[i])" }
            }.joined(separator: ",")
            let settings = [perParameter, "epochs=\(stage.epochs)", text(stage.policy.nodeIdentity),
                            text(config.train.optimizer.node), "train_bn=\(config.train.trainBN)",
                            "bn_stats=\(config.train.bnStats.rawValue)", "batch=\(config.data.batchSize)",
                            text(config.data.augment.node), text(config.data.normalize.node),
                            "loss=\(config.train.loss.rawValue)/\(config.train.labelSmoothing)",
                            // A node stores its epochs' metrics, and top-k accuracy depends on k.
                            "top_k=\(config.train.topK)",
                            "seed=\(config.seed)"] + (config.train.earlyStopping.map { [text($0.node)] } ?? [])
            return add(kind, stage.name, settings: settings.joined(separator: "|"), parents: [previous], job: job,
                       stage: plan)
        }

        /// data → cache → model, the model's parents extended by `weightsFrom`.
        func modelNodes(_ config: ExperimentConfig, weightsFrom: [String], job: String, prefix: String = "") -> [String] {
            let data = add(.data, prefix + "data", settings: text(dataIdentity(config.data, archives: archives)),
                           parents: [], job: job)
            let cache = add(.cache, prefix + "cache", settings: "\(config.data.size)|\(config.data.resize.rawValue)",
                            parents: [data], job: job)
            let model = add(.model, prefix + "model", settings: modelIdentity(config), parents: [cache] + weightsFrom,
                            job: job)
            return [data, cache, model]
        }

        for job in loaded.jobs {
            let config = job.config
            var ids: [String] = []
            var weightsFrom: [String] = []
            if let pretrain = config.pretrainExperiment {
                ids += modelNodes(pretrain, weightsFrom: [], job: job.id, prefix: "pretrain-")
                let node = try stageNode(pretrain.schedule[0], of: pretrain, kind: .pretrain, after: ids[ids.count - 1],
                                         job: job.id)
                ids.append(node)
                weightsFrom = [node]
            }
            ids += modelNodes(config, weightsFrom: weightsFrom, job: job.id)
            var previous = ids[ids.count - 1]
            for stage in config.schedule {
                previous = try stageNode(stage, of: config, kind: .stage, after: previous, job: job.id)
                ids.append(previous)
            }
            let metrics = config.train.metrics.map { text($0.node) }.joined(separator: ",")
            ids.append(add(.evaluate, "evaluate", settings: metrics, parents: [previous], job: job.id))
            jobs.append(JobGraph.JobPlan(id: job.id, overrides: job.overrides.map(\.description), nodes: ids))
        }
        return JobGraph(jobs: jobs, nodes: nodes)
    }

    private static func text(_ node: ConfigNode) -> String {
        YAMLWriter.flow(node)
    }

    /// What decides the items and the split — not the image size or augmentation.
    private static func dataIdentity(_ data: DataConfig, archives: [String: String]) -> ConfigNode {
        var node = data.node
        if case let .mapping(entries) = node.kind {
            let kept: Set<String> = ["source", "path", "labels", "valid", "bad_files", "variant", "classes",
                                     "images_per_class", "url", "sha256", "name", "max_pixels"]
            var identity = entries.filter { kept.contains($0.key) }
            if let url = data.remote?.url, let hash = archives[url] {
                identity.append(ConfigNode.Entry(key: "archive_sha256", value: .string(hash)))
            }
            if data.generated != nil {
                identity.append(ConfigNode.Entry(key: "drawing", value: .int(DataConfig.Generated.drawing)))
            }
            node.kind = .mapping(identity)
        }
        return node
    }

    /// What decides the initial weights: the split does not, so split sweeps share the model node.
    private static func modelIdentity(_ config: ExperimentConfig) -> String {
        let model = config.model
        var node = model.node
        if case let .mapping(entries) = node.kind {
            node.kind = .mapping(entries.filter { $0.key != "split" })
        }
        // meta's cut decides the body; its lr_cut only the groups.
        let cut = model.meta.map { "cut=\($0.cut)" } ?? ""
        var identity = text(node)
        if model.meta != nil, case let .mapping(entries) = node.kind {
            identity = text(ConfigNode(.mapping(entries.filter { $0.key != "meta" }))) + cut
        }
        return [identity, "preset=\(config.preset.rawValue)", "seed=\(config.seed)"].joined(separator: "|")
    }
}

extension StageConfig.Policy {
    var nodeIdentity: ConfigNode {
        switch self {
        case let .oneCycle(settings):
            return .map([("policy", .string("one_cycle")), ("pct_start", .number(settings.pctStart)),
                         ("div", .number(settings.div)), ("final_div", .number(settings.finalDiv)),
                         ("moms", .numbers(settings.moms))])
        case .constant: return .string("constant")
        case .cosine: return .string("cosine")
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
