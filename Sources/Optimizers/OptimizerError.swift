// OptimizerError: what can go wrong building an optimiser or loading its saved state.

public enum OptimizerError: Error, Equatable, Sendable, CustomStringConvertible {
    case learningRateCount(rates: Int, groups: Int)
    /// A state entry whose key names no parameter of this optimiser, or a slot it does not keep.
    case unknownStateKey(String)
    case stateShape(key: String, expected: [Int], found: [Int])
    /// A parameter's saved state lacks one of its slots, or its step count is not a positive integer.
    case missingStateSlot(String)
    case duplicateParameter(String)

    public var description: String {
        switch self {
        case let .learningRateCount(rates, groups):
            return "\(rates) learning rates for \(groups) parameter groups"
        case let .unknownStateKey(key):
            return "optimiser state `\(key)` belongs to no parameter of this model"
        case let .stateShape(key, expected, found):
            return "optimiser state `\(key)` has shape \(found), expected \(expected)"
        case let .missingStateSlot(key):
            return "optimiser state `\(key)` is missing or invalid"
        case let .duplicateParameter(key):
            return "parameter `\(key)` appears in more than one parameter group"
        }
    }
}
