// StageCache: finished stage nodes on disk under runs/.cache/<node id>/, so reruns skip them.

import Foundation
import Layers
import Tensors

/// A node's output: the model's state dict, its dropout streams and its epoch records. Written into
/// a temporary folder and renamed into place, so a node is either wholly cached or not at all.
public struct StageCache {
    public let root: URL
    /// Bumped whenever what a node stores changes meaning.
    static let format = 1

    public struct Entry {
        public var job: String
        public var state: SafeTensors
        public var dropout: [String: RandomGenerator]
        public var records: [EpochRecord]
    }

    public init(runsRoot: String) {
        root = URL(fileURLWithPath: runsRoot).appendingPathComponent(".cache")
    }

    public func load(_ node: String) -> Entry? {
        let folder = root.appendingPathComponent(node)
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("stage.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["format"] as? Int == Self.format,
              let state = try? SafeTensors.read(path: folder.appendingPathComponent("state.safetensors").path),
              let records = object["records"] as? [[String: Any]] else { return nil }
        var dropout: [String: RandomGenerator] = [:]
        for (name, words) in object["dropout"] as? [String: [String]] ?? [:] {
            let values = words.compactMap { UInt64($0) }
            guard values.count == 4, values != [0, 0, 0, 0] else { return nil }
            dropout[name] = RandomGenerator(state: (values[0], values[1], values[2], values[3]))
        }
        func value(_ r: [String: Any], _ key: String) -> Double {
            (r[key] as? String).flatMap { UInt64($0) }.map(Double.init(bitPattern:)) ?? 0
        }
        return Entry(job: object["job"] as? String ?? "?", state: state, dropout: dropout, records: records.map { r in
            EpochRecord(stage: r["stage"] as? String ?? "", epoch: r["epoch"] as? Int ?? 0,
                        trainLoss: value(r, "train_loss"), validLoss: value(r, "valid_loss"),
                        accuracy: value(r, "accuracy"), errorRate: value(r, "error_rate"),
                        topKAccuracy: value(r, "top_k_accuracy"), seconds: value(r, "seconds"))
        })
    }

    public func store(_ node: String, _ entry: Entry) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let temporary = root.appendingPathComponent(".\(node).\(getpid()).tmp")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try entry.state.write(path: temporary.appendingPathComponent("state.safetensors").path)
        // Metrics are stored as bit patterns: JSONSerialization's decimal text can drop the last digit,
        // and a reused node must log exactly what training it logged.
        func bits(_ value: Double) -> String { String(value.bitPattern) }
        let object: [String: Any] = [
            "format": Self.format, "job": entry.job,
            "dropout": entry.dropout.mapValues { rng in
                [rng.state.0, rng.state.1, rng.state.2, rng.state.3].map { String($0) }
            },
            "records": entry.records.map { r -> [String: Any] in
                ["stage": r.stage, "epoch": r.epoch, "train_loss": bits(r.trainLoss), "valid_loss": bits(r.validLoss),
                 "accuracy": bits(r.accuracy), "error_rate": bits(r.errorRate), "top_k_accuracy": bits(r.topKAccuracy),
                 "seconds": bits(r.seconds)]
            },
        ]
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            .write(to: temporary.appendingPathComponent("stage.json"))
        let final = root.appendingPathComponent(node)
        try? FileManager.default.removeItem(at: final)
        try FileManager.default.moveItem(at: temporary, to: final)
    }
}
