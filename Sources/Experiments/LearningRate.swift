// LearningRate: a stage's learning rate as written (number, per-group list, or slice) and fastai's rule for spreading it over groups.

import Foundation

public enum LearningRate: Equatable, Sendable, CustomStringConvertible {
    /// The same rate for every layer group.
    case constant(Double)
    /// One rate per layer group, first group first.
    case perGroup([Double])
    /// fastai's `slice(end)` (start nil) or `slice(start, end)`.
    case slice(start: Double?, end: Double)

    public enum SpreadError: Error, Equatable, Sendable, CustomStringConvertible {
        case noGroups
        case countMismatch(rates: Int, groups: Int)
        case startAboveEnd(start: Double, end: Double)

        public var description: String {
            switch self {
            case .noGroups: return "a model has at least one layer group"
            case let .countMismatch(rates, groups):
                return "\(rates) learning rates for \(groups) layer groups; give one per group or a single value"
            case let .startAboveEnd(start, end):
                return "slice(\(ConfigNode.format(start)), \(ConfigNode.format(end))) starts above its end"
            }
        }
    }

    /// One rate per group, exactly as fastai's `lr_range` (v1) and `set_hyper` (v2) compute it:
    /// a number or one-element list is broadcast; a longer list must match; `slice(b)` gives
    /// `[b/10]*(N−1) + [b]`; `slice(a, b)` is geometric from a to b, and `[b]` for one group (v2).
    public func values(groups: Int) throws(SpreadError) -> [Double] {
        guard groups >= 1 else { throw .noGroups }
        switch self {
        case let .constant(rate):
            return Array(repeating: rate, count: groups)
        case let .perGroup(rates):
            if rates.count == 1 { return Array(repeating: rates[0], count: groups) }
            guard rates.count == groups else { throw .countMismatch(rates: rates.count, groups: groups) }
            return rates
        case let .slice(start, end):
            // fastai treats any falsy start, slice(0, b) included, as slice(b).
            guard let start, start != 0 else {
                return Array(repeating: end / 10, count: groups - 1) + [end]
            }
            guard start <= end else { throw .startAboveEnd(start: start, end: end) }
            guard groups > 1 else { return [end] }
            // fastcore's even_mults: a step raised to a power, not a·(b/a)^(i/(N−1)) evaluated directly,
            // so the last bits agree with fastai.
            let step = pow(end / start, 1 / Double(groups - 1))
            return (0..<groups).map { start * pow(step, Double($0)) }
        }
    }

    /// The count of rates when the list fixes it; nil when any count of groups is accepted.
    var fixedCount: Int? {
        if case let .perGroup(rates) = self, rates.count > 1 { return rates.count }
        return nil
    }

    public var description: String {
        switch self {
        case let .constant(rate): return ConfigNode.format(rate)
        case let .perGroup(rates): return "[" + rates.map(ConfigNode.format).joined(separator: ", ") + "]"
        case let .slice(nil, end): return "slice(\(ConfigNode.format(end)))"
        case let .slice(start?, end): return "slice(\(ConfigNode.format(start)), \(ConfigNode.format(end)))"
        }
    }

    var node: ConfigNode {
        switch self {
        case let .constant(rate): return .number(rate)
        case let .perGroup(rates): return .numbers(rates)
        case .slice: return .string(description)
        }
    }

    static let expected = "a learning rate > 0: a number, a list of numbers, slice(b), slice(a, b) or {slice: [a, b]}"

    /// Reads every accepted spelling; reports through `reader` and returns nil on any mistake.
    static func read(_ node: ConfigNode, _ path: ConfigPath, _ reader: ConfigReader) -> LearningRate? {
        switch node.kind {
        case .scalar(let s) where s.type == .string:
            guard let bounds = parseSlice(s.text) else {
                reader.fail(node, path, expected: expected,
                            suggestion: s.text.hasPrefix("slice") ? "write slice(1e-6, 1e-4) or slice(1e-4)" : nil)
                return nil
            }
            return slice(bounds, node, path, reader)
        case .scalar:
            guard let rate = reader.number(node, path, .positive) else { return nil }
            return .constant(rate)
        case let .sequence(items):
            guard !items.isEmpty else {
                reader.fail(node, path, expected: expected)
                return nil
            }
            guard let rates = reader.numbers(node, path, .positive) else { return nil }
            return .perGroup(rates)
        case let .mapping(entries):
            guard entries.count == 1, entries[0].key == "slice" else {
                reader.fail(node, path, expected: expected,
                            suggestion: "a mapping form is {slice: [a, b]} or {slice: [b]}")
                return nil
            }
            let value = entries[0].value
            let slicePath = path + "slice"
            if value.scalar != nil {
                guard let end = reader.number(value, slicePath, .positive) else { return nil }
                return .slice(start: nil, end: end)
            }
            guard let items = value.items, items.count == 1 || items.count == 2 else {
                reader.fail(value, slicePath, expected: "a list [a, b] or [b] of numbers > 0")
                return nil
            }
            guard let bounds = reader.numbers(value, slicePath, count: items.count, .positive) else { return nil }
            return slice(bounds.count == 1 ? (nil, bounds[0]) : (bounds[0], bounds[1]), node, path, reader)
        }
    }

    private static func slice(_ bounds: (Double?, Double), _ node: ConfigNode, _ path: ConfigPath,
                              _ reader: ConfigReader) -> LearningRate? {
        // fastai reads slice(0, b) as slice(b); keeping that form would render differently for the same rates.
        let start = bounds.0 == 0 ? nil : bounds.0
        let end = bounds.1
        guard end > 0, start.map({ $0 > 0 }) ?? true else {
            reader.fail(node, path, expected: "slice bounds > 0")
            return nil
        }
        if let start, start > end {
            reader.fail(at: node.location, path, expected: "slice(a, b) with a ≤ b", found: node.summary,
                        problem: "slice start \(ConfigNode.format(start)) is above its end \(ConfigNode.format(end))",
                        suggestion: "write slice(\(ConfigNode.format(end)), \(ConfigNode.format(start)))")
            return nil
        }
        return .slice(start: start, end: end)
    }

    /// `slice(b)`, `slice(a, b)` and `slice(None, b)`; nil for anything else.
    static func parseSlice(_ text: String) -> (Double?, Double)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("slice("), trimmed.hasSuffix(")") else { return nil }
        let inner = trimmed.dropFirst("slice(".count).dropLast()
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        func value(_ part: String) -> Double? {
            guard let x = Double(part), x.isFinite else { return nil }
            return x
        }
        switch parts.count {
        case 1:
            return value(parts[0]).map { (nil, $0) }
        case 2:
            guard let end = value(parts[1]) else { return nil }
            if parts[0] == "None" { return (nil, end) }
            guard let start = value(parts[0]) else { return nil }
            return (start, end)
        default:
            return nil
        }
    }
}
