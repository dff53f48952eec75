// Metric: what is measured on the validation set after each epoch.

public enum Metric: Equatable, Sendable, CustomStringConvertible {
    case errorRate
    case accuracy
    case topKAccuracy(k: Int)
    case validLoss

    enum Name: String, CaseIterable {
        case errorRate = "error_rate"
        case accuracy
        case topKAccuracy = "top_k_accuracy"
        case validLoss = "valid_loss"
    }

    enum Key: String, ConfigKey {
        case name, k
    }

    public var description: String {
        switch self {
        case .errorRate: return Name.errorRate.rawValue
        case .accuracy: return Name.accuracy.rawValue
        case let .topKAccuracy(k): return "top_\(k)_accuracy"
        case .validLoss: return Name.validLoss.rawValue
        }
    }

    /// `error_rate`, or `{name: top_k_accuracy, k: 3}` for the one metric with a parameter.
    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> Metric? {
        if node.scalar != nil {
            guard let name = r.choice(node, path, Name.self) else { return nil }
            return make(name, k: Preset.topK)
        }
        guard let f = r.fields(node, path, Key.self) else { return nil }
        guard let nameNode = f[.name] else {
            r.missing(.name, in: f, suggestion: "one of " + Name.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        guard let name = r.choice(nameNode, f.path(.name), Name.self) else { return nil }
        var k = Preset.topK
        if let kNode = f[.k] {
            guard name == .topKAccuracy else {
                r.notApplicable(.k, in: f, because: "by \(name.rawValue)")
                return nil
            }
            k = r.int(kNode, f.path(.k), min: 1) ?? k
        }
        return make(name, k: k)
    }

    private static func make(_ name: Name, k: Int) -> Metric {
        switch name {
        case .errorRate: return .errorRate
        case .accuracy: return .accuracy
        case .topKAccuracy: return .topKAccuracy(k: k)
        case .validLoss: return .validLoss
        }
    }

    var node: ConfigNode {
        switch self {
        case let .topKAccuracy(k) where k != Preset.topK:
            return .map([("name", .string(Name.topKAccuracy.rawValue)), ("k", .int(k))])
        case .topKAccuracy: return .string(Name.topKAccuracy.rawValue)
        default: return .string(description)
        }
    }
}
