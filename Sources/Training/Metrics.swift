// Metrics: classification metrics over logits (N, K) and class indices, accumulated over batches.

import Tensors

public struct MetricTotals: Equatable, Sendable {
    public private(set) var count = 0
    public private(set) var correct = 0
    public private(set) var topKCorrect = 0
    public private(set) var lossSum = 0.0
    public let k: Int

    public init(k: Int = 5) {
        self.k = k
    }

    /// Totals as a checkpoint stored them.
    public init(count: Int, correct: Int, topKCorrect: Int, lossSum: Double, k: Int) {
        self.count = count
        self.correct = correct
        self.topKCorrect = topKCorrect
        self.lossSum = lossSum
        self.k = k
    }

    /// Adds one batch; `loss` is the batch's mean loss.
    public mutating func add(logits: Tensor, targets: [Int], loss: Float) {
        let classes = logits.shape[1]
        for (row, target) in targets.enumerated() {
            let values = logits.data[(row * classes)..<((row + 1) * classes)]
            let score = values[values.startIndex + target]
            // Ties count against the prediction, so a constant output never scores. Counted in one
            // pass without building arrays: this runs for every row of every batch.
            var above = 0, ties = -1
            for value in values {
                if value > score { above += 1 } else if value == score { ties += 1 }
            }
            if above == 0 && ties == 0 { correct += 1 }
            if above + ties < k { topKCorrect += 1 }
        }
        count += targets.count
        lossSum += Double(loss) * Double(targets.count)
    }

    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
    public var errorRate: Double { 1 - accuracy }
    public var topKAccuracy: Double { count == 0 ? 0 : Double(topKCorrect) / Double(count) }
    public var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }
}
