// ScheduleTests: one-cycle (fastai v1 and v2), cosine and constant schedules against the reference vectors.

import Layers
import Optimizers
import Tensors
import XCTest

final class ScheduleTests: XCTestCase {
    private func assertRelative(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-6,
                                _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertLessThanOrEqual(abs(a - e), tolerance * abs(e), "\(message) [\(i)]: \(a) vs \(e)", file: file, line: line)
        }
    }

    /// The reference vectors are printed to 6 significant digits, so they hold to half a unit of
    /// the 6th digit (5e-6 relative at worst); the full-precision values below come from running
    /// fastai's own code (fastai1's Scheduler/annealing_cos on numpy arrays, fastai2's combine_scheds
    /// with its float32 tensor) in Python, and hold to 1e-12.
    private let printed = 5e-6, exact = 1e-12

    /// semantics §2.9: 10 batches, `slice(3e-3)`, last group.
    func testFastai1OneCycleVector() {
        let schedule = OneCycleV1Schedule(batchCount: 10)
        XCTAssertEqual(schedule.warmupBatches, 3)
        XCTAssertEqual(schedule.finalDiv, 2.5e5)
        let lrs = (0..<10).map { schedule.learningRate(at: $0, max: 3e-3) }
        assertRelative(lrs, [1.2e-4, 8.4e-4, 2.28e-3, 3e-3, 2.85145e-3, 2.43524e-3, 1.83379e-3, 1.16623e-3,
                             5.64775e-4, 1.48558e-4], tolerance: printed, "lr")
        assertRelative(lrs, [0.00012, 0.00084, 0.00228, 0.003, 0.002851453896040421, 0.0024352369618492894,
                             0.0018337860658088677, 0.0011662259341911321, 0.0005647750381507109,
                             0.00014855810395957884], tolerance: exact, "lr")
        let moms = (0..<10).compactMap { schedule.momentum(at: $0) }
        assertRelative(moms, [0.95, 0.925, 0.875, 0.85, 0.854952, 0.868826, 0.888874, 0.911126, 0.931174, 0.945048],
                       tolerance: printed, "mom")
        assertRelative(moms, [0.95, 0.9249999999999999, 0.875, 0.85, 0.854951556604879, 0.8688255099070633,
                              0.8888739533021842, 0.9111260466978157, 0.9311744900929366, 0.945048443395121],
                       tolerance: exact, "mom")
        // Groups 0 and 1 (slice(3e-3) → 3e-4) are a tenth of the head's rates.
        let perGroup = schedule.learningRates(at: 5, max: [3e-4, 3e-4, 3e-3])
        assertRelative(perGroup, [lrs[5] / 10, lrs[5] / 10, lrs[5]], tolerance: 1e-12)
    }

    /// semantics §3.7: measured with fastai 2.8.12, 1 epoch of 10 batches, lr_max 1e-3.
    func testFastai2OneCycleVector() {
        let schedule = OneCycleV2Schedule(batchCount: 10)
        let lrs = (0..<10).map { schedule.learningRate(at: $0, max: 1e-3) }
        assertRelative(lrs, [4e-5, 3.71672e-4, 9.08328e-4, 9.89074e-4, 9.04509e-4, 7.50003e-4, 5.52269e-4, 3.45498e-4,
                             1.65443e-4, 4.32368e-5], tolerance: printed, "lr")
        assertRelative(lrs, [4e-05, 0.00037167185124828173, 0.0009083281678662005, 0.0009890739036269116,
                             0.000904509449350908, 0.0007500024864862765, 0.0005522686593312815,
                             0.00034549810132356723, 0.00016544302391959128, 4.32368719095722e-05],
                       tolerance: exact, "lr")
        let moms = (0..<10).compactMap { schedule.momentum(at: $0) }
        assertRelative(moms, [0.95, 0.915451, 0.859549, 0.851093, 0.859549, 0.875, 0.894774, 0.915451, 0.933457,
                              0.945677], tolerance: printed, "mom")
        // 0.8750000013513858, not 0.875: fastai's phase position is float32 arithmetic.
        assertRelative(moms, [0.95, 0.915450848828304, 0.8595491491806041, 0.8510926205635144, 0.8595491505564148,
                              0.8750000013513858, 0.8947735818026898, 0.915450844376087, 0.9334565321733626,
                              0.9456772695817386], tolerance: exact, "mom")
    }

    /// semantics §3.7 fine_tune, 3 groups: phase 1 starts at [8e-6, 8e-6, 8e-5]; phase 2 (pct 0.3,
    /// div 5) starts at [2e-6, 2e-5, 2e-4], peaks at batch 3 and ends near 4.95e-5 for the head.
    func testFastai2FineTunePhases() {
        let phase1 = OneCycleV2Schedule(batchCount: 10, pctStart: 0.99)
        assertRelative(phase1.learningRates(at: 0, max: [2e-4, 2e-4, 2e-3]), [8e-6, 8e-6, 8e-5])
        let phase2 = OneCycleV2Schedule(batchCount: 10, div: 5, pctStart: 0.3)
        assertRelative(phase2.learningRates(at: 0, max: [1e-5, 1e-4, 1e-3]), [2e-6, 2e-5, 2e-4])
        let head = (0..<10).map { phase2.learningRate(at: $0, max: 1e-3) }
        XCTAssertEqual(head.indices.max { head[$0] < head[$1] }, 3)
        XCTAssertEqual(head[9], 4.95e-5, accuracy: 5e-8)
    }

    func testFastai1OneCycleFinalDivAndShortRuns() {
        let schedule = OneCycleV1Schedule(batchCount: 10, finalDiv: 10)
        // One step before the end: cos(max, max/10, 6/7).
        XCTAssertEqual(schedule.learningRate(at: 9, max: 1), 0.1 + 0.45 * (1 + cos(Double.pi * 6 / 7)), accuracy: 1e-15)
        // int(2·0.3) = 0 batches of warm-up: fastai1 would divide by zero; here batch 1 starts annealing.
        let short = OneCycleV1Schedule(batchCount: 2)
        XCTAssertEqual(short.warmupBatches, 0)
        XCTAssertEqual(short.learningRate(at: 0, max: 1), 1 / 25)
        XCTAssertEqual(short.learningRate(at: 1, max: 1), Annealing.cosineV1(1, 1 / 2.5e5, 0.5), accuracy: 1e-15)
    }

    func testCosineAndConstant() {
        let cosine = CosineSchedule(batchCount: 100)
        XCTAssertEqual(cosine.learningRate(at: 0, max: 0.1), 0.1)
        XCTAssertEqual(cosine.learningRate(at: 50, max: 0.1), 0.05, accuracy: 1e-15)
        XCTAssertEqual(cosine.learningRate(at: 100, max: 0.1), 0, accuracy: 1e-15)
        XCTAssertNil(cosine.momentum(at: 3))
        let toFloor = CosineSchedule(batchCount: 100, finalDiv: 100)
        XCTAssertEqual(toFloor.learningRate(at: 100, max: 0.1), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(toFloor.multiplier(at: 50), 0.505, accuracy: 1e-12)

        let constant = ConstantSchedule()
        XCTAssertEqual(constant.learningRates(at: 7, max: [1e-4, 1e-3]), [1e-4, 1e-3])
        XCTAssertNil(constant.momentum(at: 7))
    }

    func testApplyingAScheduleSetsEveryGroup() throws {
        let groups = (0..<3).map { index in
            ParameterGroup(members: [ParameterGroup.Member(key: "p\(index)", parameter: Parameter(Tensor(zeros: [1])),
                                                           isNormOrBias: false)],
                           hyper: .fastai1Adam(learningRate: 1))
        }
        let optimizer = try AdamW(groups: groups)
        let schedule = OneCycleV1Schedule(batchCount: 10)
        try optimizer.apply(schedule, batch: 1, maxLearningRates: [3e-4, 3e-4, 3e-3])
        assertRelative(optimizer.learningRates, [8.4e-5, 8.4e-5, 8.4e-4])
        assertRelative(optimizer.groups.map(\.hyper.momentum), Array(repeating: 0.925, count: 3), tolerance: 1e-12)
        try optimizer.apply(ConstantSchedule(), batch: 4, maxLearningRates: [1, 2, 3])
        XCTAssertEqual(optimizer.learningRates, [1, 2, 3])
        XCTAssertEqual(optimizer.groups[0].hyper.momentum, 0.925, accuracy: 1e-12, "constant schedules leave momentum alone")
        XCTAssertThrowsError(try optimizer.apply(schedule, batch: 0, maxLearningRates: [1]))
    }
}
