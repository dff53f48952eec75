// HeadConfig: the classifier put on the cut body (fastai `create_head` options).

public struct HeadConfig: Equatable, Sendable {
    /// Dropout as written: fastai v1/v2 halve a single value for hidden blocks, 0.7 repeats it.
    public enum Dropout: Equatable, Sendable {
        case single(Double)
        case perLayer([Double])
    }

    public var linFtrs: [Int]
    public var ps: Dropout
    public var concatPool: Bool
    public var bnFinal: Bool
    public var firstBN: Bool
    public var linFirst: Bool

    enum Key: String, ConfigKey {
        case linFtrs = "lin_ftrs"
        case ps
        case concatPool = "concat_pool"
        case bnFinal = "bn_final"
        case firstBN = "first_bn"
        case linFirst = "lin_first"
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func defaults(_ preset: Preset) -> HeadConfig {
        HeadConfig(linFtrs: Preset.linFtrs, ps: preset.headDropout(linFtrs: Preset.linFtrs),
                   concatPool: Preset.concatPool, bnFinal: Preset.bnFinal, firstBN: Preset.firstBN,
                   linFirst: Preset.linFirst)
    }

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, preset: Preset) -> HeadConfig {
        guard let f = r.fields(node, path, Key.self) else { return defaults(preset) }
        var linFtrs = Preset.linFtrs
        if let n = f[.linFtrs], let items = r.list(n, f.path(.linFtrs), expected: "a list of integers ≥ 1") {
            let values = items.enumerated().compactMap { r.int($1, f.path(.linFtrs) + $0, min: 1) }
            if values.count == items.count { linFtrs = values }
        }
        var ps = preset.headDropout(linFtrs: linFtrs)
        if let n = f[.ps] {
            if n.items != nil {
                if let values = r.numbers(n, f.path(.ps), .unitOpen) {
                    if values.count == linFtrs.count + 1 {
                        ps = .perLayer(values)
                    } else {
                        r.fail(n, f.path(.ps), expected: "\(linFtrs.count + 1) dropout probabilities "
                               + "(one per linear layer: lin_ftrs has \(linFtrs.count), plus the last)",
                               suggestion: "or give a single value")
                    }
                }
            } else if let p = r.number(n, f.path(.ps), .unitOpen) {
                ps = .single(p)
            }
        }
        return HeadConfig(
            linFtrs: linFtrs, ps: ps,
            concatPool: f[.concatPool].flatMap { r.bool($0, f.path(.concatPool)) } ?? Preset.concatPool,
            bnFinal: f[.bnFinal].flatMap { r.bool($0, f.path(.bnFinal)) } ?? Preset.bnFinal,
            firstBN: f[.firstBN].flatMap { r.bool($0, f.path(.firstBN)) } ?? Preset.firstBN,
            linFirst: f[.linFirst].flatMap { r.bool($0, f.path(.linFirst)) } ?? Preset.linFirst)
    }

    var node: ConfigNode {
        let psNode: ConfigNode
        switch ps {
        case let .single(p): psNode = .number(p)
        case let .perLayer(values): psNode = .numbers(values)
        }
        return .map([("lin_ftrs", .ints(linFtrs)), ("ps", psNode), ("concat_pool", .bool(concatPool)),
                     ("bn_final", .bool(bnFinal)), ("first_bn", .bool(firstBN)), ("lin_first", .bool(linFirst))])
    }
}
