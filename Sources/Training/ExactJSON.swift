// ExactJSON: epoch records, metric totals and random generators as JSON values that round-trip bit for bit.

import Foundation
import Tensors

/// Doubles are stored as their bit patterns: JSONSerialization's decimal text can drop the last
/// digit, and a resumed or reused stage must log exactly what training logged.
enum ExactJSON {
    static func bits(_ value: Double) -> String { String(value.bitPattern) }

    static func double(_ object: [String: Any], _ key: String) -> Double? {
        (object[key] as? String).flatMap { UInt64($0) }.map(Double.init(bitPattern:))
    }

    static func record(_ r: EpochRecord) -> [String: Any] {
        ["stage": r.stage, "epoch": r.epoch, "train_loss": bits(r.trainLoss), "valid_loss": bits(r.validLoss),
         "accuracy": bits(r.accuracy), "error_rate": bits(r.errorRate), "top_k_accuracy": bits(r.topKAccuracy),
         "seconds": bits(r.seconds), "batches": r.batches.map(batch)]
    }

    /// `[loss, momentum, lr of group 0, lr of group 1, …]`, each as its bits.
    static func batch(_ b: BatchPoint) -> [String] {
        [bits(b.loss), bits(b.momentum)] + b.learningRates.map(bits)
    }

    static func batch(_ words: [String]) -> BatchPoint? {
        let values = words.compactMap { UInt64($0) }.map(Double.init(bitPattern:))
        guard values.count == words.count, values.count >= 3 else { return nil }
        return BatchPoint(loss: values[0], learningRates: Array(values[2...]), momentum: values[1])
    }

    static func batches(_ value: Any?) -> [BatchPoint]? {
        guard let value else { return [] }
        guard let list = value as? [[String]] else { return nil }
        let batches = list.compactMap(batch)
        return batches.count == list.count ? batches : nil
    }

    static func record(_ r: [String: Any]) -> EpochRecord? {
        guard let stage = r["stage"] as? String, let epoch = r["epoch"] as? Int,
              let trainLoss = double(r, "train_loss"), let validLoss = double(r, "valid_loss"),
              let accuracy = double(r, "accuracy"), let errorRate = double(r, "error_rate"),
              let topK = double(r, "top_k_accuracy"), let seconds = double(r, "seconds"),
              let batches = batches(r["batches"]) else { return nil }
        var record = EpochRecord(stage: stage, epoch: epoch, trainLoss: trainLoss, validLoss: validLoss,
                                 accuracy: accuracy, errorRate: errorRate, topKAccuracy: topK, seconds: seconds)
        record.batches = batches
        return record
    }

    static func records(_ values: Any?) -> [EpochRecord]? {
        guard let list = values as? [[String: Any]] else { return nil }
        let records = list.compactMap(record)
        return records.count == list.count ? records : nil
    }

    static func generator(_ rng: RandomGenerator) -> [String] {
        [rng.state.0, rng.state.1, rng.state.2, rng.state.3].map { String($0) }
    }

    static func generators(_ values: Any?) -> [String: RandomGenerator]? {
        guard let map = values as? [String: [String]] else { return nil }
        var result: [String: RandomGenerator] = [:]
        for (name, words) in map {
            let numbers = words.compactMap { UInt64($0) }
            // An all-zero xoshiro state only ever yields zeros: not something training wrote.
            guard numbers.count == 4, numbers != [0, 0, 0, 0] else { return nil }
            result[name] = RandomGenerator(state: (numbers[0], numbers[1], numbers[2], numbers[3]))
        }
        return result
    }

    static func totals(_ t: MetricTotals) -> [String: Any] {
        ["count": t.count, "correct": t.correct, "top_k_correct": t.topKCorrect, "loss_sum": bits(t.lossSum), "k": t.k]
    }

    static func totals(_ object: Any?) -> MetricTotals? {
        guard let t = object as? [String: Any], let count = t["count"] as? Int, let correct = t["correct"] as? Int,
              let topK = t["top_k_correct"] as? Int, let lossSum = double(t, "loss_sum"), let k = t["k"] as? Int
        else { return nil }
        return MetricTotals(count: count, correct: correct, topKCorrect: topK, lossSum: lossSum, k: k)
    }
}
