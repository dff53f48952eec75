// StageCache: finished stage nodes on disk under runs/.cache/<node id>/, so reruns skip them.

import Foundation
import Layers
import Tensors

/// A node's output: the model's state dict, its dropout streams and its epoch records. Written into
/// a temporary folder and renamed into place, so a node is either wholly cached or not at all.
public struct StageCache {
    public let root: URL
    /// Bumped whenever what a node stores changes meaning (2: epoch records keep their batches,
    /// which metrics.jsonl and TensorBoard log).
    static let format = 2

    public init(runsRoot: String) {
        root = URL(fileURLWithPath: runsRoot).appendingPathComponent(".cache")
    }

    public func load(_ node: String) -> StageOutput? {
        let folder = root.appendingPathComponent(node)
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("stage.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["format"] as? Int == Self.format,
              let state = try? SafeTensors.read(path: folder.appendingPathComponent("state.safetensors").path),
              let records = ExactJSON.records(object["records"]),
              let dropout = ExactJSON.generators(object["dropout"] ?? [String: [String]]()) else { return nil }
        return StageOutput(job: object["job"] as? String ?? "?", state: state, dropout: dropout, records: records)
    }

    public func store(_ node: String, _ entry: StageOutput) throws {
        // A node is reused by every later run, so a damaged state must never become one.
        if let error = entry.state.nonFinite(path: "stage node \(node)") { throw error }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let temporary = root.appendingPathComponent(".\(node).\(getpid()).tmp")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try entry.state.write(path: temporary.appendingPathComponent("state.safetensors").path)
        let object: [String: Any] = [
            "format": Self.format, "job": entry.job, "dropout": entry.dropout.mapValues(ExactJSON.generator),
            "records": entry.records.map(ExactJSON.record),
        ]
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            .write(to: temporary.appendingPathComponent("stage.json"))
        let final = root.appendingPathComponent(node)
        try? FileManager.default.removeItem(at: final)
        try FileManager.default.moveItem(at: temporary, to: final)
    }
}
