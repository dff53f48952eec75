// PretrainedWeights: loading a whole torchvision checkpoint into a transfer model's body.

import Tensors

extension TransferModel {
    /// Copies the body's tensors from a torchvision state dict of the uncut network. Keys of the
    /// children the cut removed (fc, classifier) are ignored and the head keeps its fresh weights;
    /// missing body keys, keys that are not this architecture's, and shape mismatches are all
    /// reported together, and nothing changes unless everything matches.
    public func loadPretrained(_ file: SafeTensors, path: String) throws {
        var file = file
        if file.tensors.keys.contains(where: { $0.contains(".norm.1.") || $0.contains(".conv.1.") }) {
            file = renamingLegacyDenseNetKeys(file)
        }
        // Keys of the uncut network that the body does not have belong to cut-off children.
        var selected = file
        selected.tensors = file.tensors.filter { key, _ in !torchvisionKeys.contains(key) || bodyKeys.contains(key) }
        let problems = body.mismatches(with: selected)
        guard problems.missing.isEmpty, problems.unexpected.isEmpty, problems.shapes.isEmpty else {
            throw WeightsError.mismatch(path: path, missing: problems.missing, unexpected: problems.unexpected,
                                        shapes: problems.shapes)
        }
        try body.loadStateDict(selected, path: path)
    }

    private var bodyKeys: Set<String> {
        Set(body.namedParameters().map(\.key) + body.namedBuffers().map(\.key))
    }
}
