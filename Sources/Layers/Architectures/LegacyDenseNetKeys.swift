// LegacyDenseNetKeys: renames pre-0.3 torchvision DenseNet keys (`denselayer1.norm.1.weight`) to today's (`norm1.weight`).

/// torchvision's `densenet._load_state_dict` does this with the regex
/// `^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$`,
/// dropping the dot between the module name and its number. The published legacy checkpoints
/// predate `num_batches_tracked`, which the regex therefore omits; it is renamed here as well, so
/// that a legacy-named file re-saved by a newer torch still loads. Other keys pass unchanged.
public func renamingLegacyDenseNetKeys(_ file: SafeTensors) -> SafeTensors {
    var result = SafeTensors(metadata: file.metadata)
    for (key, tensor) in file.tensors {
        let newKey = modernDenseNetKey(key) ?? key
        result.tensors[newKey] = tensor
        if let dtype = file.dtypes[key] { result.dtypes[newKey] = dtype }
    }
    return result
}

/// The renamed key, or nil when `key` is not a legacy dense-layer key.
private func modernDenseNetKey(_ key: String) -> String? {
    let parts = key.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count >= 4 else { return nil }
    let layer = parts[parts.count - 4], module = parts[parts.count - 3]
    let number = parts[parts.count - 2], field = parts[parts.count - 1]
    guard ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"].contains(field),
          number == "1" || number == "2",
          ["norm", "relu", "conv"].contains(module),
          endsWithDenseLayerNumber(layer) else { return nil }
    return (parts.dropLast(3) + [module + number, field]).joined(separator: ".")
}

/// Whether `component` ends in `denselayer` and at least one digit, as the regex's `.*denselayer\d+`.
private func endsWithDenseLayerNumber(_ component: Substring) -> Bool {
    let digits = component.reversed().prefix { $0.isASCII && $0.isNumber }.count
    return digits > 0 && component.dropLast(digits).hasSuffix("denselayer")
}
