// StateDictSelection: which part of a checkpoint is the state dict, and which key prefix to drop.

/// `key` names the entry of a top-level dict that holds the state dict (fastai's `learn.save`
/// writes `{"model": …, "opt": …}`, training scripts `{"state_dict": …}`); `stripPrefix` is removed
/// from every key that has it (`module.` from DataParallel). Both nil: a plain state dict is used
/// as it is, one nested under a usual wrapper key is found, and a `module.` prefix on every key is
/// dropped — `detected` says which of these happened.
public struct StateDictSelection: Equatable, Sendable {
    public var key: String?
    public var stripPrefix: String?

    /// Keys that commonly wrap a state dict, tried in this order when `key` is not given.
    public static let wrapperKeys = ["state_dict", "model", "model_state_dict", "net", "network"]
    public static let dataParallelPrefix = "module."

    public init(key: String? = nil, stripPrefix: String? = nil) {
        self.key = key
        self.stripPrefix = stripPrefix
    }

    /// Drops the prefix from keys: the configured one (an error if no key has it), or `module.`
    /// when every key has it. Returns the renamed keys and what was detected.
    func strip(_ keys: [String], path: String) throws -> (keys: [String], detected: String?) {
        let (renamed, detected) = try dropPrefix(keys, path: path)
        var seen = Set<String>()
        for (index, key) in renamed.enumerated() where !seen.insert(key).inserted {
            throw WeightsError.badTensor(path: path, key: key, reason: "`\(keys[index])` and another tensor both become"
                                         + " `\(key)` once the prefix is dropped")
        }
        return (renamed, detected)
    }

    private func dropPrefix(_ keys: [String], path: String) throws -> (keys: [String], detected: String?) {
        if let prefix = stripPrefix, !prefix.isEmpty {
            guard keys.contains(where: { $0.hasPrefix(prefix) }) else {
                throw WeightsError.unknownLayout(path: path, keys: Array(keys.sorted().prefix(8)),
                                                 reason: "no key starts with strip_prefix `\(prefix)`")
            }
            return (keys.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }, nil)
        }
        let prefix = Self.dataParallelPrefix
        if stripPrefix == nil, !keys.isEmpty, keys.allSatisfy({ $0.hasPrefix(prefix) }) {
            return (keys.map { String($0.dropFirst(prefix.count)) }, "dropped the `module.` prefix of every key")
        }
        return (keys, nil)
    }
}
