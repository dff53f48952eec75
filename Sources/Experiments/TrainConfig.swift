// TrainConfig: the `train` section — loss, metrics, optimizer, and how BatchNorm behaves in frozen groups.

public struct TrainConfig: Equatable, Sendable {
    public enum Loss: String, CaseIterable, Sendable {
        case crossEntropy = "cross_entropy"
    }

    /// `freeze` puts BatchNorm layers whose parameters are frozen into eval mode (fastai BnFreeze).
    public enum BNStats: String, CaseIterable, Sendable {
        case update, freeze
    }

    /// fastai 0.7's `precompute`: the frozen prefix's activations computed once per image and
    /// the stage trained from them. `auto` does it where it is exact; `true` insists on it.
    public enum Precompute: String, CaseIterable, Sendable {
        case auto
        case on = "true"
        case off = "false"
    }

    public var loss: Loss
    public var labelSmoothing: Double
    public var metrics: [Metric]
    public var optimizer: OptimizerConfig
    /// BatchNorm parameters stay trainable in frozen groups (fastai `train_bn`).
    public var trainBN: Bool
    public var bnStats: BNStats
    /// Nil means every core.
    public var threads: Int?
    /// Nil trains every epoch of every stage.
    public var earlyStopping: EarlyStoppingConfig?
    public var precompute: Precompute

    /// The k of `top_k_accuracy` when it is listed; the preset's otherwise (early stopping may still
    /// monitor it).
    public var topK: Int {
        for metric in metrics { if case let .topKAccuracy(k) = metric { return k } }
        return Preset.topK
    }

    enum Key: String, ConfigKey {
        case loss
        case labelSmoothing = "label_smoothing"
        case metrics, optimizer
        case trainBN = "train_bn"
        case bnStats = "bn_stats"
        case threads
        case earlyStopping = "early_stopping"
        case precompute
    }

    static let schema = ConfigSchema.fields(Key.self, [.optimizer: OptimizerConfig.schema,
                                                       .earlyStopping: EarlyStoppingConfig.schema])

    static func defaults(_ preset: Preset) -> TrainConfig {
        TrainConfig(loss: Preset.loss, labelSmoothing: Preset.labelSmoothing, metrics: Preset.metrics,
                    optimizer: preset.optimizer(named: preset.optimizerName), trainBN: preset.trainBN,
                    bnStats: preset.bnStats, threads: nil, earlyStopping: nil, precompute: .auto)
    }

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, preset: Preset) -> TrainConfig {
        var t = defaults(preset)
        guard let f = r.fields(node, path, Key.self) else { return t }
        if let n = f[.loss] { t.loss = r.choice(n, f.path(.loss), Loss.self) ?? t.loss }
        if let n = f[.labelSmoothing] {
            t.labelSmoothing = r.number(n, f.path(.labelSmoothing), .unitOpen) ?? t.labelSmoothing
        }
        if let n = f[.metrics], let items = r.list(n, f.path(.metrics), expected: "a list of metrics") {
            var metrics: [Metric] = []
            for (i, item) in items.enumerated() {
                guard let metric = Metric.read(item, f.path(.metrics) + i, r) else { continue }
                if metrics.contains(metric) {
                    r.fail(item, f.path(.metrics) + i, expected: "each metric once",
                           suggestion: "`\(metric)` is listed twice")
                } else if case .topKAccuracy = metric, metrics.contains(where: { if case .topKAccuracy = $0 { return true }; return false }) {
                    r.fail(item, f.path(.metrics) + i, expected: "one top_k_accuracy",
                           suggestion: "the validation pass counts one k")
                } else {
                    metrics.append(metric)
                }
            }
            t.metrics = metrics
        }
        if let n = f[.optimizer] { t.optimizer = OptimizerConfig.read(n, f.path(.optimizer), r, preset: preset) }
        if let n = f[.trainBN] { t.trainBN = r.bool(n, f.path(.trainBN)) ?? t.trainBN }
        if let n = f[.bnStats] { t.bnStats = r.choice(n, f.path(.bnStats), BNStats.self) ?? t.bnStats }
        if let n = f[.threads] { t.threads = r.int(n, f.path(.threads), min: 1) }
        if let n = f[.earlyStopping] { t.earlyStopping = EarlyStoppingConfig.read(n, f.path(.earlyStopping), r) }
        if let n = f[.precompute] { t.precompute = r.choice(n, f.path(.precompute), Precompute.self) ?? t.precompute }
        return t
    }

    var node: ConfigNode {
        .map([
            ("loss", .string(loss.rawValue)),
            ("label_smoothing", .number(labelSmoothing)),
            ("metrics", .list(metrics.map(\.node))),
            ("optimizer", optimizer.node),
            ("train_bn", .bool(trainBN)),
            ("bn_stats", .string(bnStats.rawValue)),
            ("threads", threads.map(ConfigNode.int)),
            ("early_stopping", earlyStopping?.node),
            ("precompute", precompute == .auto ? .string("auto") : .bool(precompute == .on)),
        ])
    }
}
