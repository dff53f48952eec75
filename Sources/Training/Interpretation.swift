// Interpretation: a job's model over its validation set — fastai's ClassificationInterpretation: confusion matrix, most confused, top losses.

import Datasets
import Experiments
import Foundation

/// `runner interpret` writes it as `jobs/<id>/interpretation.json`; the report reads it.
public struct Interpretation: Codable, Equatable, Sendable {
    public struct Item: Codable, Equatable, Sendable {
        public var path: String
        public var actual: Int
        public var predicted: Int
        /// Cross-entropy of the actual class: −log p(actual).
        public var loss: Double
        /// The probability of the predicted class.
        public var probability: Double
    }

    public struct Confusion: Codable, Equatable, Sendable {
        public var actual: String
        public var predicted: String
        public var count: Int
    }

    public var job: String
    public var classes: [String]
    /// The validation items in the order the run's validation pass took them.
    public var items: [Item]

    /// Rows actual, columns predicted.
    public var confusionMatrix: [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for item in items { matrix[item.actual][item.predicted] += 1 }
        return matrix
    }

    public var accuracy: Double {
        items.isEmpty ? 0 : Double(items.filter { $0.actual == $0.predicted }.count) / Double(items.count)
    }

    /// fastai's `most_confused(min_val)`: off-diagonal pairs, most frequent first, then by name.
    public func mostConfused(minimum: Int = 1) -> [Confusion] {
        let matrix = confusionMatrix
        var pairs: [Confusion] = []
        for (a, row) in matrix.enumerated() {
            for (p, count) in row.enumerated() where a != p && count >= minimum {
                pairs.append(Confusion(actual: classes[a], predicted: classes[p], count: count))
            }
        }
        return pairs.sorted { ($1.count, $0.actual, $0.predicted) < ($0.count, $1.actual, $1.predicted) }
    }

    /// fastai's `top_losses`: the items the model is most wrong about, highest loss first.
    public func topLosses(_ count: Int) -> [Item] {
        Array(items.enumerated().sorted { ($1.element.loss, $0.offset) < ($0.element.loss, $1.offset) }.prefix(count)
            .map(\.element))
    }

    public enum InterpretError: Error, CustomStringConvertible {
        case classesChanged(job: String)

        public var description: String {
            switch self {
            case let .classesChanged(job):
                return "the data of job \(job) now has other classes than it was trained on: its folder changed"
            }
        }
    }

    /// Runs job `job`'s model (from its folder in `run`) over the job's validation items, listed as
    /// the run listed them (its resolved config's data section).
    public static func make(run: URL, job: String) throws -> Interpretation {
        let folder = run.appendingPathComponent("jobs/\(job)")
        let predictor = try Predictor(job: folder)
        let items = try DataFactory.prepareItems(predictor.config)
        guard items.classes == predictor.classes else { throw InterpretError.classesChanged(job: job) }
        let skipped = Set(((try? RunJSON.decode([DataError.BadFile].self, from: Data(contentsOf:
            folder.appendingPathComponent("skipped_files.json")))) ?? []).map(\.path))
        let valid = items.valid.filter { !skipped.contains($0.path) }
        let actual = items.labelIndices(valid)
        let predictions = try predictor.predict(valid.map(\.path))
        return Interpretation(job: job, classes: predictor.classes, items: zip(predictions, actual).map { prediction, actual in
            Item(path: prediction.path, actual: actual, predicted: prediction.predicted,
                 loss: -Foundation.log(max(prediction.probabilities[actual], .leastNonzeroMagnitude)),
                 probability: prediction.probabilities[prediction.predicted])
        })
    }

    /// The confusion matrix as text, classes abbreviated to fit.
    public func matrixLines() -> [String] {
        let width = max(6, min(14, (classes.map(\.count).max() ?? 0) + 1))
        func cell(_ text: String) -> String { pad(String(text.prefix(width - 1)), width, right: true) }
        var lines = [pad("actual \\ predicted", width + 2) + classes.map(cell).joined()]
        for (index, row) in confusionMatrix.enumerated() {
            lines.append(pad(String(classes[index].prefix(width + 1)), width + 2) + row.map { cell(String($0)) }.joined())
        }
        return lines
    }
}
