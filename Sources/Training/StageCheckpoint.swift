// StageCheckpoint: a stage stopped between two batches — weights, optimiser moments, RNG streams, position — in one file.

import Foundation
import Layers
import Tensors

/// Where a stage stands: the epoch in progress, how many of its batches are trained, the optimiser
/// steps taken, the running training totals of that epoch, the finished epochs and the early
/// stopping counters. With the weights, the optimiser state and the dropout streams, that is all a
/// stage depends on — batch order and augmentation are derived from (seed, epoch, item) — so a
/// resumed stage reproduces the uninterrupted one bit for bit.
public struct StagePosition: Equatable, Sendable {
    public var epoch = 0
    public var batch = 0
    public var step = 0
    public var trainTotals = MetricTotals()
    public var records: [EpochRecord] = []
    /// The current epoch's training batches so far.
    public var batches: [BatchPoint] = []
    public var earlyStopping = EarlyStopping.State()

    public init() {}
}

public struct StageCheckpoint {
    /// The job-graph node the stage belongs to; a checkpoint never resumes another node.
    public var node: String
    public var position: StagePosition
    public var model: SafeTensors
    public var optimizer: [String: Tensor]
    public var dropout: [String: RandomGenerator]

    /// 2: the position keeps the current epoch's batches.
    static let format = 2
    static let metadataKey = "runner_checkpoint"

    public init(node: String, position: StagePosition, model: SafeTensors, optimizer: [String: Tensor],
                dropout: [String: RandomGenerator]) {
        self.node = node
        self.position = position
        self.model = model
        self.optimizer = optimizer
        self.dropout = dropout
    }

    /// One safetensors file — `model.<torchvision key>`, `optimizer.<key>.<slot>`, and the position
    /// as JSON metadata — written to a temporary file, fsynced and renamed over the previous one, so
    /// a crash at any moment leaves the old checkpoint or the new one, never half of either.
    public func write(path: String) throws {
        var file = SafeTensors()
        for (key, tensor) in model.tensors { file.tensors["model." + key] = tensor }
        for (key, tensor) in optimizer { file.tensors["optimizer." + key] = tensor }
        let p = position
        let state: [String: Any] = [
            "format": Self.format, "node": node, "epoch": p.epoch, "batch": p.batch, "step": p.step,
            "train_totals": ExactJSON.totals(p.trainTotals), "records": p.records.map(ExactJSON.record),
            "batches": p.batches.map(ExactJSON.batch),
            "early_stopping": ["best": p.earlyStopping.best.map { ExactJSON.bits($0) as Any } ?? NSNull(), "wait": p.earlyStopping.wait,
                               "stopped": p.earlyStopping.stopped],
            "dropout": dropout.mapValues(ExactJSON.generator),
        ]
        let json = try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys])
        file.metadata[Self.metadataKey] = String(decoding: json, as: UTF8.self)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try file.write(path: path)
    }

    /// Nil when there is no checkpoint at `path`; an error when there is one that cannot be used.
    public static func read(path: String) throws -> StageCheckpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try SafeTensors.read(path: path)
        guard let text = file.metadata[metadataKey],
              let state = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              state["format"] as? Int == format, let node = state["node"] as? String,
              let epoch = state["epoch"] as? Int, let batch = state["batch"] as? Int, let step = state["step"] as? Int,
              let totals = ExactJSON.totals(state["train_totals"]), let records = ExactJSON.records(state["records"]),
              let batches = ExactJSON.batches(state["batches"]),
              let early = state["early_stopping"] as? [String: Any], let wait = early["wait"] as? Int,
              let stopped = early["stopped"] as? Bool, let dropout = ExactJSON.generators(state["dropout"])
        else {
            throw CheckpointError.unreadable(path: path)
        }
        var position = StagePosition()
        position.epoch = epoch
        position.batch = batch
        position.step = step
        position.trainTotals = totals
        position.records = records
        position.batches = batches
        position.earlyStopping = EarlyStopping.State(best: ExactJSON.double(early, "best"), wait: wait, stopped: stopped)
        var model = SafeTensors(), optimizer: [String: Tensor] = [:]
        for (key, tensor) in file.tensors {
            if key.hasPrefix("model.") {
                model.tensors[String(key.dropFirst(6))] = tensor
            } else if key.hasPrefix("optimizer.") {
                optimizer[String(key.dropFirst(10))] = tensor
            }
        }
        return StageCheckpoint(node: node, position: position, model: model, optimizer: optimizer, dropout: dropout)
    }
}

public enum CheckpointError: Error, CustomStringConvertible {
    case unreadable(path: String)
    case otherNode(path: String, found: String, expected: String)

    public var description: String {
        switch self {
        case let .unreadable(path):
            return "\(path) is not a checkpoint this version of runner wrote; delete it to start the stage over"
        case let .otherNode(path, found, expected):
            return "\(path) belongs to node \(found), not \(expected): the config changed since it was written;"
                + " run without --resume to start afresh"
        }
    }
}
