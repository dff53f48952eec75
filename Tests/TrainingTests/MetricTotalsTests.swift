// MetricTotalsTests: accuracy, top-k and mean loss over batches, with ties counted against the prediction.

import Tensors
import Training
import XCTest

final class MetricTotalsTests: XCTestCase {
    func testAccuracyTopKAndMeanLossAcrossBatches() {
        var totals = MetricTotals(k: 2)
        // Rows: right; second best; third best; a tie at the top (never a top-1 hit). The batches
        // differ in size, so the mean loss weights each batch's mean by its rows.
        totals.add(logits: Tensor(shape: [3, 3], data: [3, 1, 2, /**/ 1, 3, 2, /**/ 1, 3, 2]), targets: [0, 2, 0],
                   loss: 0.5)
        totals.add(logits: Tensor(shape: [1, 3], data: [2, 2, 0]), targets: [0], loss: 1.5)
        XCTAssertEqual(totals.count, 4)
        XCTAssertEqual(totals.accuracy, 0.25)
        XCTAssertEqual(totals.errorRate, 0.75)
        // Top-2: rows 1, 2 and 4 (the tie puts one value level with the target: rank 2).
        XCTAssertEqual(totals.topKAccuracy, 0.75)
        XCTAssertEqual(totals.meanLoss, 0.75, "(3 · 0.5 + 1 · 1.5) / 4, not the mean of the batch means")
    }

    func testAConstantOutputNeverScores() {
        var totals = MetricTotals(k: 3)
        totals.add(logits: Tensor(shape: [3, 4], data: Array(repeating: 0, count: 12)), targets: [0, 1, 3], loss: 1)
        XCTAssertEqual(totals.accuracy, 0)
        XCTAssertEqual(totals.topKAccuracy, 0)
    }
}
