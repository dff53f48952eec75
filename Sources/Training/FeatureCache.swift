// FeatureCache: a stage's precomputed features on disk — runs/.cache/features/<key>/ — computed once and shared by every stage and run with the same prefix and data.

import Datasets
import Downloads
import Foundation
import Layers
import Tensors

/// The key is a SHA-256 of everything that decides the features: the prefix's weights and
/// BatchNorm statistics, the images (the job's cache node: its files' content and how they are
/// decoded), the transforms that turn them into inputs, the items, and the numerics. Changed
/// weights or data give a new key, so stale features are never read. A folder is written beside
/// its final place and renamed into it, so it is complete or absent.
struct FeatureCache {
    /// `runs/.cache/features`.
    let root: URL
    /// What decides the images: the hash of the job's `cache` node.
    let images: String

    static let format = 1

    init(runsRoot: String, images: String) {
        root = URL(fileURLWithPath: runsRoot).appendingPathComponent(".cache/features")
        self.images = images
    }

    /// The features of `model`'s first `model.exactPrefix` body children for every item of `train`
    /// and `valid`: read from the cache, or computed and stored. `report` gets one line saying which.
    func features(of model: TransferModel, train: BatchLoader, valid: BatchLoader,
                  report: (String) -> Void) throws -> FeatureSet {
        let items = train.indices + valid.indices
        let key = Self.key(model: model, images: images, transforms: train.transforms, items: items)
        let folder = root.appendingPathComponent(key)
        let what = Self.description(model, train: train, valid: valid)
        if let found = Self.open(folder, items: items) {
            report("  precompute: \(what), reused from \(folder.path)")
            return found
        }
        let watch = Stopwatch()
        let temporary = root.appendingPathComponent(".\(key).\(getpid()).tmp")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let data = temporary.appendingPathComponent("features.f32")
        guard FileManager.default.createFile(atPath: data.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: data.path])
        }
        let handle = try FileHandle(forWritingTo: data)
        var shape: [Int] = []
        do {
            try Self.compute(model, train: train, valid: valid) { batch in
                shape = Array(batch.shape.dropFirst())
                try handle.write(contentsOf: batch.withUnsafePointer { Data(bytes: $0, count: batch.count * 4) })
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let index: [String: Any] = ["format": Self.format, "shape": shape, "items": items]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys])
            .write(to: temporary.appendingPathComponent("features.json"))
        try Self.moveIntoPlace(temporary, folder)
        guard let stored = Self.open(folder, items: items) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: folder.path])
        }
        report("  precompute: \(what), computed in \(String(format: "%.1f", watch.elapsedSeconds)) s into \(folder.path)")
        return stored
    }

    /// Runs the prefix over `train`'s items, then `valid`'s, each in order, batch by batch.
    private static func compute(_ model: TransferModel, train: BatchLoader, valid: BatchLoader,
                                _ sink: (Tensor) throws -> Void) throws {
        precondition(model.exactPrefix > 0, "features of an empty prefix")
        // The layers of a fixed prefix behave the same in training and evaluation mode.
        model.prepare(training: true)
        for loader in [train, valid] {
            let batches = loader.inOrder()
            while let batch = try batches.next() {
                try sink(model.context.withoutInputGradient { model.prefixFeatures(batch.images) })
            }
        }
    }

    static func key(model: TransferModel, images: String, transforms: Transforms, items: [Int]) -> String {
        var text = "features v\(format)|\(model.architecture)|prefix \(model.exactPrefix)|images \(images)"
            + "|\(transforms)|\(Numerics.identity(threads: Parallel.threadCount))|items \(items.count)\n"
        text += items.map(String.init).joined(separator: ",") + "\n"
        var bytes = Array(text.utf8)
        for (name, child) in model.body.children.prefix(model.exactPrefix) {
            let state = child.namedParameters(prefix: name).map { ($0.key, $0.parameter.value) }
                + child.namedBuffers(prefix: name).map { ($0.key, $0.buffer.value) }
            for (key, value) in state {
                bytes += Array("\(key) \(value.shape)\n".utf8)
                value.withUnsafePointer { bytes += UnsafeRawBufferPointer(start: $0, count: value.count * 4) }
            }
        }
        return FileDigest.sha256(bytes: bytes)
    }

    private static func open(_ folder: URL, items: [Int]) -> FeatureSet? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("features.json")),
              let index = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              index["format"] as? Int == format, let shape = index["shape"] as? [Int],
              index["items"] as? [Int] == items else { return nil }
        return FeatureSet(mapping: folder.appendingPathComponent("features.f32").path, shape: shape, items: items)
    }

    private static func moveIntoPlace(_ temporary: URL, _ folder: URL) throws {
        do {
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.moveItem(at: temporary, to: folder)
        } catch where FileManager.default.fileExists(atPath: folder.appendingPathComponent("features.json").path) {
            // Another runner stored the same features first; they are the same bytes.
        }
    }

    private static func description(_ model: TransferModel, train: BatchLoader, valid: BatchLoader) -> String {
        let names = model.body.children.prefix(model.exactPrefix).map(\.name)
        let span = names.count == 1 ? names[0] : "\(names.first ?? "")…\(names.last ?? "")"
        return "features of body children 0–\(model.exactPrefix - 1) (\(span)) for \(train.indices.count) train"
            + " + \(valid.indices.count) valid images"
    }
}
