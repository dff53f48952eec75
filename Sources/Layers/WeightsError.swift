// WeightsError: what went wrong reading a weights file or matching it to a model, naming the key.

import Diagnostics

public enum WeightsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case truncated(path: String, needed: Int, actual: Int)
    case badHeader(path: String, reason: String)
    case badTensor(path: String, key: String, reason: String)
    case unsupportedDType(path: String, key: String, dtype: String)
    case mismatch(path: String, missing: [String], unexpected: [String], shapes: [ShapeMismatch])
    /// A torch checkpoint (.pth) that is damaged or not one.
    case badCheckpoint(path: String, reason: String)
    /// A pickle naming a global outside the allow-list: never imported or called.
    case forbiddenGlobal(path: String, name: String)
    /// A tensor holding NaN or infinite values, which would train to nothing.
    case nonFinite(path: String, key: String, count: Int, total: Int)
    /// No state dict where one was looked for; `keys` are the top-level keys found.
    case unknownLayout(path: String, keys: [String], reason: String)

    public struct ShapeMismatch: Equatable, Sendable {
        public var key: String
        public var expected: [Int]
        public var found: [Int]

        public init(key: String, expected: [Int], found: [Int]) {
            self.key = key
            self.expected = expected
            self.found = found
        }
    }

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(TerminalText.name(path)): cannot read weights file: \(reason)"
        case let .truncated(path, needed, actual):
            return "\(TerminalText.name(path)): file is truncated: needs \(needed) bytes, has \(actual)"
        case let .badHeader(path, reason):
            return "\(TerminalText.name(path)): not a valid safetensors file: \(reason)"
        case let .badTensor(path, key, reason):
            return "\(TerminalText.name(path)): tensor `\(TerminalText.name(key))`: \(reason)"
        case let .unsupportedDType(path, key, dtype):
            return "\(TerminalText.name(path)): tensor `\(TerminalText.name(key))` has dtype \(dtype); supported: F32, F16, BF16, F64, I64, I32"
        case let .badCheckpoint(path, reason):
            return "\(TerminalText.name(path)): not a readable torch checkpoint: \(reason)"
        case let .forbiddenGlobal(path, name):
            return "\(TerminalText.name(path)): the checkpoint's pickle names `\(name)`, which Runner refuses to import or call;"
                + " a weights file may only hold tensors, OrderedDicts and plain values"
                + " (re-save the state dict alone: torch.save(model.state_dict(), path))"
        case let .nonFinite(path, key, count, total):
            return "\(TerminalText.name(path)): tensor `\(TerminalText.name(key))` has \(count) non-finite value\(count == 1 ? "" : "s") (NaN or ±inf) of \(total);"
                + " the file is damaged or was saved from a diverged model"
        case let .unknownLayout(path, keys, reason):
            return "\(TerminalText.name(path)): \(reason); its top-level keys are: "
                + (keys.isEmpty ? "(none)" : Self.list(keys.map { "`\($0)`" }))
                + ". Say which holds the state dict with `weights: {path: …, key: NAME}`"
        case let .mismatch(path, missing, unexpected, shapes):
            var lines = ["\(TerminalText.name(path)): weights do not match the model:"]
            if !missing.isEmpty {
                lines.append("  missing keys (\(missing.count)): " + Self.list(missing))
            }
            if !unexpected.isEmpty {
                lines.append("  unexpected keys (\(unexpected.count)): " + Self.list(unexpected))
            }
            for s in shapes {
                lines.append("  shape mismatch for `\(s.key)`: model expects \(s.expected), file has \(s.found)")
            }
            lines.append("  (is the file for this architecture and number of classes? keys are torchvision's)")
            return lines.joined(separator: "\n")
        }
    }

    private static func list(_ keys: [String]) -> String {
        keys.prefix(8).map(TerminalText.name).joined(separator: ", ") + (keys.count > 8 ? ", … (\(keys.count - 8) more)" : "")
    }
}
