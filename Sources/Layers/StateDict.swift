// StateDict: a module's parameters and buffers by torchvision key, and loading them with verification.

import Tensors

extension Module {
    /// Parameters and buffers by dotted key; counters (`num_batches_tracked`) are marked I64.
    public func stateDict() -> SafeTensors {
        var file = SafeTensors()
        for (key, parameter) in namedParameters() { file.tensors[key] = parameter.value }
        for (key, buffer) in namedBuffers() {
            file.tensors[key] = buffer.value
            if buffer.isCounter { file.dtypes[key] = .i64 }
        }
        return file
    }

    /// Copies every tensor of `file` into the module by key. Missing keys, unexpected keys and shape
    /// mismatches are all collected and reported together; nothing is changed unless all match.
    public func loadStateDict(_ file: SafeTensors, path: String = "<state dict>") throws {
        let problems = mismatches(with: file)
        guard problems.missing.isEmpty, problems.unexpected.isEmpty, problems.shapes.isEmpty else {
            throw WeightsError.mismatch(path: path, missing: problems.missing, unexpected: problems.unexpected,
                                        shapes: problems.shapes)
        }
        // Refused here, by key, rather than surfacing epochs later as a diverging loss.
        if let error = file.nonFinite(path: path) { throw error }
        for (key, parameter) in namedParameters() {
            if let tensor = file.tensors[key] { parameter.value = tensor }
        }
        for (key, buffer) in namedBuffers() {
            if let tensor = file.tensors[key] { buffer.value = tensor.reshaped(buffer.value.shape) }
        }
    }

    /// The keys the module expects but `file` lacks, the keys `file` has but the module does not
    /// expect, and the shapes that differ — each sorted by key.
    public func mismatches(with file: SafeTensors)
        -> (missing: [String], unexpected: [String], shapes: [WeightsError.ShapeMismatch]) {
        var expected: [String: [Int]] = [:]
        for (key, parameter) in namedParameters() { expected[key] = parameter.shape }
        for (key, buffer) in namedBuffers() { expected[key] = buffer.value.shape }
        // torch lets a state dict omit BatchNorm's num_batches_tracked (files from before torch 0.4.1
        // have none); the counter then keeps its value, as torch's loading does.
        let counters = Set(namedBuffers().filter { $0.buffer.isCounter }.map(\.key))
        let missing = expected.keys.filter { file.tensors[$0] == nil && !counters.contains($0) }.sorted()
        let unexpected = file.tensors.keys.filter { expected[$0] == nil }.sorted()
        let shapes = expected.keys.sorted().compactMap { key -> WeightsError.ShapeMismatch? in
            guard let found = file.tensors[key]?.shape, let want = expected[key], found != want else { return nil }
            // torch stores num_batches_tracked as a 0-d tensor; some exporters write it as [1].
            if want.isEmpty && found == [1] { return nil }
            return WeightsError.ShapeMismatch(key: key, expected: want, found: found)
        }
        return (missing, unexpected, shapes)
    }
}

extension SafeTensors {
    /// The first tensor (by key) holding NaN or ±inf, as the error that names it; nil when all are finite.
    public func nonFinite(path: String) -> WeightsError? {
        for key in tensors.keys.sorted() {
            guard let tensor = tensors[key], !tensor.isFinite else { continue }
            return .nonFinite(path: path, key: key, count: tensor.data.filter { !$0.isFinite }.count, total: tensor.count)
        }
        return nil
    }
}
