// ExperimentConfig: a whole experiment file after presets and defaults — what the planner compiles into a job graph.

public struct ExperimentConfig: Equatable, Sendable {
    public var version: Int
    public var name: String
    public var seed: Int
    public var preset: Preset
    public var data: DataConfig
    public var model: ModelConfig
    public var train: TrainConfig
    public var schedule: [StageConfig]
    /// Another task to train on first; `model.weights: pretrain` starts the body from its result.
    public var pretrain: PretrainConfig?
    public var sweep: SweepConfig?
    /// How `runner submit` asks Slurm for each node; `runner run` does not read it.
    public var cluster: ClusterConfig?
    /// Where the run logs while it trains (an MLflow server); nothing is sent without it.
    public var tracking: TrackingConfig?

    public static let currentVersion = 1

    enum Key: String, ConfigKey {
        case version, name, seed, preset, data, model, train, schedule, pretrain, sweep, cluster, tracking
    }

    static let schema = ConfigSchema.fields(Key.self, [
        .data: DataConfig.schema, .model: ModelConfig.schema, .train: TrainConfig.schema,
        .schedule: .list(StageConfig.schema), .pretrain: PretrainConfig.schema, .cluster: ClusterConfig.schema,
        .tracking: TrackingConfig.schema,
    ])

    static func read(_ root: ConfigNode, _ r: ConfigReader, defaultName: String) -> ExperimentConfig? {
        if root.entries == nil {
            r.fail(root, ConfigPath(), expected: "a mapping with version, name, data, model, train and schedule")
            return nil
        }
        guard let f = r.fields(root, ConfigPath(), Key.self) else { return nil }

        let version = readVersion(f, r)
        let name = f[.name].flatMap {
            r.fileName($0, f.path(.name), extra: "._-", maxBytes: 100, names: "the run directory")
        } ?? defaultName
        let seed = f[.seed].flatMap { r.int($0, f.path(.seed), min: 0) } ?? Preset.seed
        let preset = f[.preset].flatMap { r.choice($0, f.path(.preset), Preset.self) } ?? .default

        var data: DataConfig?
        if let n = f[.data] { data = DataConfig.read(n, f.path(.data), r) } else { r.missing(.data, in: f) }
        var model: ModelConfig?
        if let n = f[.model] {
            model = ModelConfig.read(n, f.path(.model), r, preset: preset)
        } else {
            r.missing(.model, in: f, suggestion: "at least `model: {arch: resnet34}`")
        }
        checkClasses(f, r, data: data, model: model)
        let train = f[.train].map { TrainConfig.read($0, f.path(.train), r, preset: preset) }
            ?? TrainConfig.defaults(preset)
        if let data, let n = f[.train]?["precompute"] { checkPrecompute(n, f.path(.train) + "precompute", r, train: train, data: data) }
        let schedule = readSchedule(f, r, preset: preset, model: model)
        let pretrain = f[.pretrain].flatMap {
            PretrainConfig.read($0, f.path(.pretrain), r, preset: preset, dataNode: f[.data])
        }
        checkPretrainWeights(f, r, model: model)
        let sweep = f[.sweep].flatMap { SweepConfig.read($0, f.path(.sweep), r) }
        let cluster = f[.cluster].flatMap { ClusterConfig.read($0, f.path(.cluster), r) }
        let tracking = f[.tracking].flatMap { TrackingConfig.read($0, f.path(.tracking), r) }

        guard let version, let data, let model, let schedule else { return nil }
        return ExperimentConfig(version: version, name: name, seed: seed, preset: preset, data: data, model: model,
                                train: train, schedule: schedule, pretrain: pretrain, sweep: sweep,
                                cluster: cluster, tracking: tracking)
    }

    private static func readVersion(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader) -> Int? {
        guard let n = f.raw(.version) else {
            r.missing(.version, in: f, suggestion: "add `version: \(currentVersion)` at the top")
            return nil
        }
        return r.int(n, f.path(.version), min: currentVersion, max: currentVersion)
    }

    /// The runner sizes the head from the data, so a different `model.classes` would be ignored.
    private static func checkClasses(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader, data: DataConfig?,
                                     model: ModelConfig?) {
        guard let generated = data?.generated, let classes = model?.classes, classes != generated.classes,
              let n = f[.model]?["classes"] else { return }
        r.fail(n, f.path(.model) + "classes",
               expected: "\(generated.classes), the generated dataset's data.classes (or no `classes`)",
               suggestion: "the data decides the class count; remove `model.classes` or change `data.classes`")
    }

    /// `weights: pretrain` starts the body from the `pretrain` section's result, so it needs one.
    private static func checkPretrainWeights(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader, model: ModelConfig?) {
        guard model?.weights == .pretrain, !f.has(.pretrain), let n = f[.model]?["weights"] else { return }
        r.fail(n, f.path(.model) + "weights", expected: "a .safetensors path or `none` without a `pretrain` section",
               suggestion: "add a top-level `pretrain:` section (its data, epochs and lr) to train the body first")
    }

    private static func readSchedule(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader, preset: Preset,
                                     model: ModelConfig?) -> [StageConfig]? {
        guard let n = f[.schedule] else {
            r.missing(.schedule, in: f, suggestion: "a list of stages, e.g. [{freeze_to: -1, epochs: 1}]")
            return nil
        }
        let path = f.path(.schedule)
        guard let items = r.list(n, path, expected: "a non-empty list of stages") else { return nil }
        guard !items.isEmpty else {
            r.fail(n, path, expected: "a non-empty list of stages", suggestion: "add at least one stage")
            return nil
        }
        var stages: [StageConfig] = []
        var nodes: [ConfigNode] = []
        for (i, item) in items.enumerated() {
            guard let stage = StageConfig.read(item, path + i, index: i, r, preset: preset) else { continue }
            if let first = stages.firstIndex(where: { $0.name == stage.name }) {
                let at = item["name"] ?? item
                r.fail(at: at.location, path + i + "name", expected: "a name not used by another stage",
                       found: "\"\(stage.name)\"", problem: "duplicate stage name `\(stage.name)`",
                       suggestion: "stage \(first) is already called that")
            }
            stages.append(stage)
            nodes.append(item)
        }
        checkRateCounts(stages, nodes, path, r, model: model)
        return stages.count == items.count ? stages : nil
    }

    /// Per-group rate lists must agree with each other, and with the group count that `meta` or `split`
    /// fixes (3 groups for meta; one more than the split points, plus the head, for split).
    private static func checkRateCounts(_ stages: [StageConfig], _ nodes: [ConfigNode], _ path: ConfigPath,
                                        _ r: ConfigReader, model: ModelConfig?) {
        var reference: (count: Int, why: String)?
        if let groups = model?.declaredGroupCount {
            reference = (groups, model?.meta != nil ? "meta gives 3 layer groups"
                : "split gives \(groups) layer groups (\(groups - 1) in the body, plus the head)")
        }
        for (i, stage) in stages.enumerated() {
            guard let count = stage.lr.fixedCount else { continue }
            let lrNode = nodes[i]["lr"] ?? nodes[i]
            if let reference, reference.count != count {
                r.fail(at: lrNode.location, path + i + "lr", expected: "\(reference.count) learning rates",
                       found: "\(count)", problem: "\(count) learning rates, but \(reference.why)",
                       suggestion: "give \(reference.count) values, one number, or a slice")
            } else if reference == nil {
                reference = (count, "stage \(i) (`\(stage.name)`) lists \(count)")
            }
        }
    }

    var node: ConfigNode {
        .map([
            ("version", .int(version)),
            ("name", .string(name)),
            ("seed", .int(seed)),
            ("preset", .string(preset.rawValue)),
            ("data", data.node),
            ("model", model.node),
            ("train", train.node),
            ("schedule", .list(schedule.map(\.node))),
            ("pretrain", pretrain?.node),
            ("sweep", sweep?.node),
            ("cluster", cluster?.node),
            ("tracking", tracking?.node),
        ])
    }
}
