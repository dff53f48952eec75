// WeightsFile: reading a state dict from a safetensors file or a torch checkpoint (.pth / .pt), chosen by content.

import Foundation
import Tensors

public enum WeightsFile {
    /// A state dict read from either format; `notes` says what was detected about the layout.
    public struct Loaded {
        public var stateDict: SafeTensors
        public var notes: [String]
    }

    /// Whether `path` is a torch checkpoint rather than a safetensors file (by its first bytes).
    public static func isTorchCheckpoint(path: String) -> Bool { TorchCheckpoint.looksLikeTorch(path: path) }

    public static func read(path: String, selection: StateDictSelection = StateDictSelection()) throws -> Loaded {
        // Foundation reports a folder or a FIFO as a permission problem; say what it is instead.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : (info.st_mode & S_IFMT) == S_IFIFO ? "a FIFO"
                : "not a regular file"
            throw WeightsError.unreadable(path: path, reason: "\(kind), not a weights file")
        }
        if isTorchCheckpoint(path: path) { return try readTorch(path: path, selection: selection) }
        if let key = selection.key {
            throw WeightsError.unknownLayout(path: path, keys: [],
                                             reason: "`key: \(key)` applies to torch checkpoints; this is a safetensors file,"
                                                 + " whose tensors are the state dict")
        }
        var file = try SafeTensors.read(path: path)
        let (renamed, detected) = try selection.strip(Array(file.tensors.keys), path: path)
        file = rename(file, to: Dictionary(uniqueKeysWithValues: zip(file.tensors.keys, renamed)))
        return Loaded(stateDict: file, notes: detected.map { [$0] } ?? [])
    }

    static func readTorch(path: String, selection: StateDictSelection) throws -> Loaded {
        let checkpoint = try TorchCheckpoint(path: path)
        var notes: [String] = []
        let dict = try stateDict(in: checkpoint.root, selection: selection, path: path, notes: &notes)
        var keys: [String] = []
        var references: [TensorReference] = []
        for (key, value) in dict.entries {
            guard case let .tensor(reference) = value else {
                throw WeightsError.unknownLayout(path: path, keys: dict.keys.map(\.description),
                                                 reason: "`\(key)` in the state dict is a \(value.kind), not a tensor")
            }
            keys.append(key.description)
            references.append(reference)
        }
        let (renamed, detected) = try selection.strip(keys, path: path)
        if let detected { notes.append(detected) }
        var file = SafeTensors()
        for (index, reference) in references.enumerated() {
            let key = renamed[index]
            let (tensor, dtype) = try checkpoint.tensor(reference, key: keys[index])
            file.tensors[key] = tensor
            file.dtypes[key] = dtype
        }
        return Loaded(stateDict: file, notes: notes)
    }

    /// The dict of tensors: the top level, the configured key, or a usual wrapper key.
    private static func stateDict(in root: PickleValue, selection: StateDictSelection, path: String,
                                  notes: inout [String]) throws -> PickleDict {
        guard case let .dict(top) = root else {
            throw WeightsError.unknownLayout(path: path, keys: [], reason: "the checkpoint holds a \(root.kind), not a dict")
        }
        let topKeys = top.keys.map(\.description)
        if let key = selection.key {
            guard let value = top[key] else {
                throw WeightsError.unknownLayout(path: path, keys: topKeys, reason: "no top-level key `\(key)`")
            }
            guard case let .dict(inner) = value else {
                throw WeightsError.unknownLayout(path: path, keys: topKeys, reason: "`\(key)` holds a \(value.kind), not a dict")
            }
            return inner
        }
        if isTensorDict(top) { return top }
        for key in StateDictSelection.wrapperKeys {
            if case let .dict(inner)? = top[key], isTensorDict(inner) {
                notes.append("took the state dict from the checkpoint's `\(key)` entry")
                return inner
            }
        }
        throw WeightsError.unknownLayout(path: path, keys: topKeys, reason: "no state dict found at the top level or under "
                                         + StateDictSelection.wrapperKeys.map { "`\($0)`" }.joined(separator: ", "))
    }

    private static func isTensorDict(_ dict: PickleDict) -> Bool {
        !dict.keys.isEmpty && dict.entries.allSatisfy { if case .tensor = $0.value { return true }; return false }
    }

    private static func rename(_ file: SafeTensors, to names: [String: String]) -> SafeTensors {
        var result = SafeTensors(metadata: file.metadata)
        for (key, tensor) in file.tensors {
            let name = names[key] ?? key
            result.tensors[name] = tensor
            result.dtypes[name] = file.dtypes[key]
        }
        return result
    }
}
