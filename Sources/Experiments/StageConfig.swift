// StageConfig: one entry of the freeze schedule — which groups train, for how long, at what rates, under which policy.

public struct StageConfig: Equatable, Sendable {
    public enum PolicyName: String, CaseIterable, Sendable {
        case oneCycle = "one_cycle"
        case constant, cosine
    }

    /// fastai's one-cycle: warm up from lr/div to lr over `pctStart`, then anneal to lr/finalDiv;
    /// momentum goes through `moms` (two values: down and back up; three: v2's explicit end).
    public struct OneCycle: Equatable, Sendable {
        public var pctStart: Double
        public var div: Double
        public var finalDiv: Double
        public var moms: [Double]

        public init(pctStart: Double, div: Double, finalDiv: Double, moms: [Double]) {
            self.pctStart = pctStart
            self.div = div
            self.finalDiv = finalDiv
            self.moms = moms
        }
    }

    public enum Policy: Equatable, Sendable {
        case oneCycle(OneCycle)
        case constant
        case cosine

        public var name: PolicyName {
            switch self {
            case .oneCycle: return .oneCycle
            case .constant: return .constant
            case .cosine: return .cosine
            }
        }
    }

    public var name: String
    /// fastai `freeze_to(n)`: groups before n are frozen; negative counts from the end.
    public var freezeTo: Int
    public var epochs: Int
    public var lr: LearningRate
    public var policy: Policy

    enum Key: String, ConfigKey {
        case name
        case freezeTo = "freeze_to"
        case epochs, lr, policy
        case pctStart = "pct_start"
        case div
        case finalDiv = "final_div"
        case moms
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, index: Int, _ r: ConfigReader,
                     preset: Preset) -> StageConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        // Names become parts of checkpoint file names and node ids, so they stay simple.
        let name = f[.name].flatMap {
            r.fileName($0, f.path(.name), extra: "-_", maxBytes: 64, names: "its checkpoint file")
        } ?? "stage\(index)"

        var freezeTo: Int?
        if let n = f[.freezeTo] {
            freezeTo = r.int(n, f.path(.freezeTo))
        } else {
            r.missing(.freezeTo, in: f, suggestion: "-1 trains only the head, 0 trains everything")
        }
        var epochs: Int?
        if let n = f[.epochs] {
            epochs = r.int(n, f.path(.epochs), min: 1)
        } else {
            r.missing(.epochs, in: f)
        }

        var lr = preset.learningRate
        if let n = f[.lr] {
            lr = LearningRate.read(n, f.path(.lr), r)
        } else if lr == nil {
            r.missing(.lr, in: f, suggestion: "the \(preset.rawValue) preset has no default learning rate")
        }

        let policy = readPolicy(f, r, preset: preset)

        guard let freezeTo, let epochs, let lr else { return nil }
        return StageConfig(name: name, freezeTo: freezeTo, epochs: epochs, lr: lr, policy: policy)
    }

    /// The policy's own settings, taken from the preset where not given; refused under another policy.
    private static func readPolicy(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader, preset: Preset) -> Policy {
        let policyName: PolicyName? = f[.policy].map { r.choice($0, f.path(.policy), PolicyName.self) } ?? preset.policy
        switch policyName {
        case .oneCycle?:
            let div = f[.div].flatMap { r.number($0, f.path(.div), .positive) } ?? preset.div
            let moms = f[.moms].map { readMoms($0, f, r, preset: preset) } ?? preset.moms
            return .oneCycle(OneCycle(
                pctStart: f[.pctStart].flatMap { r.number($0, f.path(.pctStart), .unitOpen) } ?? preset.pctStart,
                div: div,
                finalDiv: f[.finalDiv].flatMap { r.number($0, f.path(.finalDiv), .positive) }
                    ?? preset.finalDiv(div: div),
                moms: moms))
        case let other?:
            for key in [Key.pctStart, .div, .finalDiv, .moms] where f.has(key) {
                r.notApplicable(key, in: f, because: "by policy \(other.rawValue)")
            }
            return other == .constant ? .constant : .cosine
        case nil:
            return .constant
        }
    }

    /// fastai1's one-cycle has a start and a middle momentum (it returns to the start); fastai2's
    /// combined_cos also takes the end. A third value under fastai1 would be ignored, so it is refused.
    private static func readMoms(_ n: ConfigNode, _ f: ConfigReader.Fields<Key>, _ r: ConfigReader,
                                 preset: Preset) -> [Double] {
        var moms = preset.moms
        let counts = preset == .fastai2 ? [2, 3] : [2]
        if let items = n.items, counts.contains(items.count) {
            moms = r.numbers(n, f.path(.moms), count: items.count, .unitOpen) ?? moms
            // fastai2 with two values ends where it started, as fastai1 does.
            if moms.count == 2 && preset == .fastai2 { moms.append(moms[0]) }
        } else {
            r.fail(n, f.path(.moms), expected: preset == .fastai2
                        ? "a list of 2 or 3 momentums in [0, 1): start, middle[, end]"
                        : "a list of 2 momentums in [0, 1): start and middle (preset \(preset.rawValue))",
                   suggestion: preset == .fastai2 ? "e.g. [0.95, 0.85, 0.95]"
                        : "e.g. [0.95, 0.85]; an end momentum needs preset fastai2")
        }
        return moms
    }

    var node: ConfigNode {
        var pairs: [(String, ConfigNode?)] = [
            ("name", .string(name)),
            ("freeze_to", .int(freezeTo)),
            ("epochs", .int(epochs)),
            ("lr", lr.node),
            ("policy", .string(policy.name.rawValue)),
        ]
        if case let .oneCycle(c) = policy {
            pairs += [("pct_start", .number(c.pctStart)), ("div", .number(c.div)),
                      ("final_div", .number(c.finalDiv)), ("moms", .numbers(c.moms))]
        }
        return .map(pairs)
    }
}
