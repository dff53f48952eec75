// LRFinderTests: the exponential sweep, smoothing, the divergence rule and the suggestions.

import Optimizers
import XCTest

final class LRFinderTests: XCTestCase {
    func testSweepIsExponentialFrom1eMinus7() {
        let finder = LRFinder()
        let lrs = finder.learningRates
        XCTAssertEqual(lrs.count, 100)
        XCTAssertEqual(lrs[0], 1e-7)
        XCTAssertEqual(lrs[50], 1e-3, accuracy: 1e-15)
        // fastai stops one step short of `end`: start·(end/start)^(99/100).
        XCTAssertEqual(lrs[99], 1e-7 * pow(1e8, 0.99), accuracy: 1e-12)
        for i in 1..<100 { XCTAssertEqual(lrs[i] / lrs[i - 1], pow(1e8, 0.01), accuracy: 1e-12) }
        XCTAssertEqual(LRFinder(reachesEnd: true).learningRates.last ?? 0, 10, accuracy: 1e-12)
    }

    func testSmoothingIsDebiased() {
        var smoothed = SmoothedLoss()
        XCTAssertEqual(smoothed.add(2), 2, accuracy: 1e-15)
        XCTAssertEqual(smoothed.add(4), (0.98 * 0.02 * 2 + 0.02 * 4) / (1 - 0.98 * 0.98), accuracy: 1e-12)
        XCTAssertEqual(smoothed.count, 2)
    }

    func testStopsAfterTheFirstBatchWhoseSmoothedLossExceedsFourTimesTheBest() {
        let finder = LRFinder()
        let losses = (0..<100).map { $0 < 60 ? 1.0 - Double($0) * 0.01 : 1000.0 }
        let sweep = finder.sweep(losses: losses)
        XCTAssertTrue(sweep.diverged)
        var smoothed = SmoothedLoss(), best = Double.infinity, stop = -1
        for (i, loss) in losses.enumerated() {
            let value = smoothed.add(loss)
            best = min(best, value)
            if value > 4 * best { stop = i; break }
        }
        XCTAssertGreaterThanOrEqual(stop, 60)
        XCTAssertEqual(sweep.smoothedLosses.count, stop + 1, "the diverging batch is recorded")
        XCTAssertEqual(sweep.learningRates, Array(finder.learningRates.prefix(stop + 1)))

        let nan = finder.sweep(losses: [1, 1, .nan, 1])
        XCTAssertEqual(nan.smoothedLosses.count, 3)
        XCTAssertTrue(nan.diverged)

        let calm = finder.sweep(losses: Array(repeating: 1, count: 150))
        XCTAssertFalse(calm.diverged)
        XCTAssertEqual(calm.smoothedLosses.count, 100)
        XCTAssertEqual(LRFinder(stopOnDivergence: false).sweep(losses: losses).smoothedLosses.count, 100)
    }

    /// Falling fastest at batch 45 (a tanh step centred there) down to a minimum at batch 70, then rising.
    func testSuggestionsAreSteepestSlopeAndMinimumOverTen() throws {
        let finder = LRFinder()
        func falling(_ i: Int) -> Double { 3 - 0.01 * Double(i) - 0.5 * tanh((Double(i) - 45) / 4) }
        let losses = (0..<100).map { $0 <= 70 ? falling($0) : falling(70) + 0.05 * Double($0 - 70) }
        let lrs = finder.learningRates
        let sweep = LRFinder.Sweep(learningRates: lrs, smoothedLosses: losses, diverged: false)
        let suggestions = try XCTUnwrap(finder.suggestions(sweep))
        XCTAssertEqual(suggestions.steepest, lrs[45], accuracy: lrs[45] * 1e-12)
        XCTAssertEqual(suggestions.minimumDividedBy10, lrs[70] / 10, accuracy: lrs[70] * 1e-12)

        // The last 5 points are skipped: a minimum there is not suggested.
        var late = losses
        late[97] = -100
        XCTAssertEqual(try XCTUnwrap(finder.suggestions(LRFinder.Sweep(learningRates: lrs, smoothedLosses: late,
                                                                          diverged: false))).minimumDividedBy10,
                       lrs[70] / 10, accuracy: lrs[70] * 1e-12)
        XCTAssertNil(finder.suggestions(LRFinder.Sweep(learningRates: Array(lrs.prefix(12)),
                                                       smoothedLosses: Array(losses.prefix(12)), diverged: true)))
    }
}
