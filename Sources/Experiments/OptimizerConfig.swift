// OptimizerConfig: the optimizer and its hyper-parameters, shared by every layer group unless a schedule says otherwise.

public struct OptimizerConfig: Equatable, Sendable {
    public enum Name: String, CaseIterable, Sendable {
        case adam, adamw, sgd
    }

    public var name: Name
    public var wd: Double
    /// Adam's (β1, β2); β1 is what one-cycle's momentum schedule drives.
    public var betas: [Double]
    public var eps: Double
    /// Decoupled weight decay (`p ← p·(1 − lr·wd)`) instead of L2 in the gradient.
    public var trueWD: Bool
    /// Whether BatchNorm parameters and biases are decayed too.
    public var bnWD: Bool
    /// SGD momentum.
    public var momentum: Double

    enum Key: String, ConfigKey {
        case name, wd, betas, eps
        case trueWD = "true_wd"
        case bnWD = "bn_wd"
        case momentum
    }

    static let schema = ConfigSchema.fields(Key.self)

    var isAdam: Bool { name != .sgd }

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, preset: Preset) -> OptimizerConfig {
        guard let f = r.fields(node, path, Key.self) else { return preset.optimizer(named: preset.optimizerName) }
        let written = f[.name].map { r.choice($0, f.path(.name), Name.self) }
        let name = (written ?? preset.optimizerName) ?? preset.optimizerName
        var o = preset.optimizer(named: name)
        // Settings another optimizer would use are mistakes, not silently ignored values; with a misspelt
        // name we cannot tell which optimizer was meant.
        let adamOnly: [Key] = [.betas, .eps], sgdOnly: [Key] = [.momentum]
        let nameIsKnown = written.map { $0 != nil } ?? true
        for key in (o.isAdam ? sgdOnly : adamOnly) where nameIsKnown && f.has(key) {
            r.notApplicable(key, in: f, because: "by \(name.rawValue)"
                            + (key == .momentum ? " (its momentum is betas[0])" : ""))
        }
        if let n = f[.wd] { o.wd = r.number(n, f.path(.wd), .nonNegative) ?? o.wd }
        if o.isAdam, let n = f[.betas] { o.betas = r.numbers(n, f.path(.betas), count: 2, .unitOpen) ?? o.betas }
        if o.isAdam, let n = f[.eps] { o.eps = r.number(n, f.path(.eps), .positive) ?? o.eps }
        if let n = f[.trueWD], let value = r.bool(n, f.path(.trueWD)) {
            if name == .adamw, !value {
                r.fail(n, f.path(.trueWD), expected: "true (AdamW is decoupled weight decay)",
                       suggestion: "use `name: adam` for L2 weight decay")
            }
            o.trueWD = value
        }
        if let n = f[.bnWD] { o.bnWD = r.bool(n, f.path(.bnWD)) ?? o.bnWD }
        if !o.isAdam, let n = f[.momentum] { o.momentum = r.number(n, f.path(.momentum), .unitOpen) ?? o.momentum }
        return o
    }

    /// Only the settings this optimizer uses, so the rendered file reloads without complaints.
    var node: ConfigNode {
        .map([
            ("name", .string(name.rawValue)),
            ("wd", .number(wd)),
            ("betas", isAdam ? .numbers(betas) : nil),
            ("eps", isAdam ? .number(eps) : nil),
            ("true_wd", .bool(trueWD)),
            ("bn_wd", .bool(bnWD)),
            ("momentum", isAdam ? nil : .number(momentum)),
        ])
    }
}
