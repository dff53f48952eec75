// NormalizeConfig: `data.normalize` — the per-channel mean and std applied to images after resizing.

public enum NormalizeConfig: Equatable, Sendable {
    /// torchvision's ImageNet statistics, which pretrained weights expect.
    case imagenet
    case none
    case stats(mean: [Double], std: [Double])

    public var mean: [Double]? {
        switch self {
        case .imagenet: return [0.485, 0.456, 0.406]
        case .none: return nil
        case let .stats(mean, _): return mean
        }
    }

    public var std: [Double]? {
        switch self {
        case .imagenet: return [0.229, 0.224, 0.225]
        case .none: return nil
        case let .stats(_, std): return std
        }
    }

    enum Key: String, ConfigKey {
        case mean, std
    }

    enum Keyword: String, CaseIterable {
        case imagenet, none
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> NormalizeConfig {
        if node.scalar != nil {
            switch r.choice(node, path, Keyword.self) {
            case .none?: return .none
            case .imagenet?, nil: return .imagenet
            }
        }
        guard let f = r.fields(node, path, Key.self) else { return .imagenet }
        guard let meanNode = f[.mean] else {
            r.missing(.mean, in: f, suggestion: "give three channel means, e.g. [0.485, 0.456, 0.406]")
            return .imagenet
        }
        guard let stdNode = f[.std] else {
            r.missing(.std, in: f, suggestion: "give three channel standard deviations, e.g. [0.229, 0.224, 0.225]")
            return .imagenet
        }
        let mean = r.numbers(meanNode, f.path(.mean), count: 3)
        let std = r.numbers(stdNode, f.path(.std), count: 3, .positive)
        guard let mean, let std else { return .imagenet }
        return .stats(mean: mean, std: std)
    }

    var node: ConfigNode {
        switch self {
        case .imagenet: return .string(Keyword.imagenet.rawValue)
        case .none: return .string(Keyword.none.rawValue)
        case let .stats(mean, std): return .map([("mean", .numbers(mean)), ("std", .numbers(std))])
        }
    }
}
