// BatchNormTests: batch norm against the textbook reference, against finite differences, and against torch's running-statistics rule.

import Tensors
import TestSupport
import XCTest

final class BatchNormTests: XCTestCase {
    /// 1-D (N, C) and 2-D (N, C, H, W) inputs with odd sizes, a single image, and a 1×1 plane.
    static let shapes: [[Int]] = [[5, 3], [7, 1], [2, 3, 5, 7], [1, 2, 3, 3], [4, 5, 1, 1], [3, 4, 2, 3]]
    /// Large enough that the channel and plane loops are split across threads.
    static let referenceShapes = shapes + [[8, 6, 33, 35], [600, 40]]

    func testTrainingMatchesReference() {
        for (index, shape) in Self.referenceShapes.enumerated() {
            let channels = shape[1]
            for affine in [true, false] {
                let w = affine ? randomTensor([channels], seed: UInt64(index + 100), low: 0.5, high: 1.5) : nil
                let b = affine ? randomTensor([channels], seed: UInt64(index + 200)) : nil
                var running = BatchNormRunningStatistics(channels: channels)
                var runningRef = running
                // Two steps, so the second blends into non-initial buffers.
                for step in 0..<2 {
                    let x = randomTensor(shape, seed: UInt64(index * 10 + step), low: -2, high: 3)
                    let (y, stats) = BatchNorm.forwardTraining(x, weight: w, bias: b, running: &running, momentum: 0.3)
                    let (yRef, statsRef) = BatchNormReference.forwardTraining(x, weight: w, bias: b, running: &runningRef,
                                                                              momentum: 0.3)
                    assertClose(y, yRef, "forward \(shape) affine \(affine)")
                    assertClose(stats.mean, statsRef.mean, rtol: 1e-6, atol: 1e-7)
                    assertClose(stats.inverseStd, statsRef.inverseStd, rtol: 1e-6, atol: 1e-7)

                    let dy = randomTensor(shape, seed: UInt64(index + 300 + step))
                    let startX = randomTensor(shape, seed: 7)
                    let startC = randomTensor([channels], seed: 8)
                    var dx: Tensor? = startX, dw: Tensor? = startC, db: Tensor? = startC
                    var dxRef: Tensor? = startX, dwRef: Tensor? = startC, dbRef: Tensor? = startC
                    BatchNorm.backwardTraining(dy, input: x, weight: w, batch: stats,
                                               gradInput: &dx, gradWeight: &dw, gradBias: &db)
                    BatchNormReference.backwardTraining(dy, input: x, weight: w, batch: statsRef,
                                                        gradInput: &dxRef, gradWeight: &dwRef, gradBias: &dbRef)
                    assertAllClose([dx, dw, db], [dxRef, dwRef, dbRef], "training backward \(shape) affine \(affine)")
                }
                XCTAssertEqual(running.batchesTracked, 2)
                XCTAssertEqual(runningRef.batchesTracked, 2)
                assertClose(running.mean, runningRef.mean, rtol: 1e-6, atol: 1e-7)
                assertClose(running.variance, runningRef.variance, rtol: 1e-6, atol: 1e-7)
            }
        }
    }

    func testInferenceMatchesReference() {
        for (index, shape) in Self.referenceShapes.enumerated() {
            let channels = shape[1]
            let running = randomRunning(channels, seed: UInt64(index))
            for affine in [true, false] {
                let w = affine ? randomTensor([channels], seed: UInt64(index + 100)) : nil
                let b = affine ? randomTensor([channels], seed: UInt64(index + 200)) : nil
                let x = randomTensor(shape, seed: UInt64(index), low: -2, high: 3)
                assertClose(BatchNorm.forwardInference(x, weight: w, bias: b, running: running),
                            BatchNormReference.forwardInference(x, weight: w, bias: b, running: running),
                            "inference forward \(shape)")
                let dy = randomTensor(shape, seed: UInt64(index + 300))
                let startX = randomTensor(shape, seed: 7)
                let startC = randomTensor([channels], seed: 8)
                var dx: Tensor? = startX, dw: Tensor? = startC, db: Tensor? = startC
                var dxRef: Tensor? = startX, dwRef: Tensor? = startC, dbRef: Tensor? = startC
                BatchNorm.backwardInference(dy, input: x, weight: w, running: running,
                                            gradInput: &dx, gradWeight: &dw, gradBias: &db)
                BatchNormReference.backwardInference(dy, input: x, weight: w, running: running,
                                                     gradInput: &dxRef, gradWeight: &dwRef, gradBias: &dbRef)
                assertAllClose([dx, dw, db], [dxRef, dwRef, dbRef], "inference backward \(shape) affine \(affine)")
            }
        }
    }

    /// Nil destinations are skipped, and the others still get exactly their own gradient.
    func testNilDestinationsAreSkipped() {
        let shape = [3, 4, 2, 3]
        let x = randomTensor(shape, seed: 1), dy = randomTensor(shape, seed: 2)
        let w = randomTensor([4], seed: 3)
        var running = BatchNormRunningStatistics(channels: 4)
        let stats = BatchNorm.forwardTraining(x, weight: w, bias: nil, running: &running).batch
        var allX: Tensor? = Tensor(zeros: shape), allW: Tensor? = Tensor(zeros: [4]), allB: Tensor? = Tensor(zeros: [4])
        BatchNorm.backwardTraining(dy, input: x, weight: w, batch: stats, gradInput: &allX, gradWeight: &allW, gradBias: &allB)
        var none: Tensor? = nil, noneW: Tensor? = nil, noneB: Tensor? = nil
        BatchNorm.backwardTraining(dy, input: x, weight: w, batch: stats, gradInput: &none, gradWeight: &noneW, gradBias: &noneB)
        XCTAssertNil(none)
        XCTAssertNil(noneW)
        XCTAssertNil(noneB)
        for which in 0..<3 {
            var dx: Tensor? = which == 0 ? Tensor(zeros: shape) : nil
            var dw: Tensor? = which == 1 ? Tensor(zeros: [4]) : nil
            var db: Tensor? = which == 2 ? Tensor(zeros: [4]) : nil
            BatchNorm.backwardTraining(dy, input: x, weight: w, batch: stats, gradInput: &dx, gradWeight: &dw, gradBias: &db)
            assertAllClose([dx, dw, db], [which == 0 ? allX : nil, which == 1 ? allW : nil, which == 2 ? allB : nil],
                           "only destination \(which)")
            var ix: Tensor? = which == 0 ? Tensor(zeros: shape) : nil
            var iw: Tensor? = which == 1 ? Tensor(zeros: [4]) : nil
            var ib: Tensor? = which == 2 ? Tensor(zeros: [4]) : nil
            BatchNorm.backwardInference(dy, input: x, weight: w, running: running, gradInput: &ix, gradWeight: &iw, gradBias: &ib)
            XCTAssertEqual([ix == nil, iw == nil, ib == nil], [which != 0, which != 1, which != 2])
        }
    }

    /// One channel of 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3 (torch's numbers).
    func testRunningStatisticsFollowTorch() {
        let x = Tensor(shape: [4, 1], data: [1, 2, 3, 4])
        var running = BatchNormRunningStatistics(channels: 1)
        let (y, stats) = BatchNorm.forwardTraining(x, weight: nil, bias: nil, running: &running)
        XCTAssertEqual(stats.mean.data[0], 2.5)
        XCTAssertEqual(stats.inverseStd.data[0], Float(1 / (1.25 + 1e-5).squareRoot()), accuracy: 1e-7)
        XCTAssertEqual(running.mean.data[0], 0.25, accuracy: 1e-7)
        XCTAssertEqual(running.variance.data[0], 0.9 + 0.1 * 5 / 3, accuracy: 1e-6)
        XCTAssertEqual(running.batchesTracked, 1)
        XCTAssertEqual(y.data[0], Float(-1.5 / (1.25 + 1e-5).squareRoot()), accuracy: 1e-6)
        _ = BatchNorm.forwardTraining(x, weight: nil, bias: nil, running: &running)
        XCTAssertEqual(running.mean.data[0], 0.9 * 0.25 + 0.25, accuracy: 1e-6)
        XCTAssertEqual(running.variance.data[0], 0.9 * (0.9 + 0.5 / 3) + 0.5 / 3, accuracy: 1e-6)
        XCTAssertEqual(running.batchesTracked, 2)
        XCTAssertEqual(running, running)
        XCTAssertNotEqual(running, BatchNormRunningStatistics(channels: 1))
    }

    /// A large plane far from zero: single-pass Float sums would lose the variance entirely.
    func testStatisticsStayAccurateOnLargePlanes() {
        let shape = [2, 2, 256, 256]
        var x = Tensor(zeros: shape)
        for i in 0..<x.count { x.data[i] = (i / 65_536) % 2 == 0 ? (i % 2 == 0 ? 4097 : 4095) : (i % 2 == 0 ? -2 : -4) }
        var running = BatchNormRunningStatistics(channels: 2)
        let stats = BatchNorm.forwardTraining(x, weight: nil, bias: nil, running: &running).batch
        XCTAssertEqual(stats.mean.data[0], 4096)
        XCTAssertEqual(stats.mean.data[1], -3)
        for c in 0..<2 {
            XCTAssertEqual(stats.inverseStd.data[c], Float(1 / (1 + 1e-5).squareRoot()), accuracy: 1e-6)
            XCTAssertEqual(running.variance.data[c], Float(0.9 + 0.1 * 131_072.0 / 131_071.0), accuracy: 1e-6)
        }
    }

    /// Non-integer values far from zero (mean ≈ 5·10⁴, std ≈ 0.3) over a million values: the
    /// statistics must match a two-pass Double reference to Float precision, where an unshifted
    /// one-pass E[x²] − E[x]² misses the variance by 0.4%.
    func testStatisticsStayAccurateFarFromZero() {
        let shape = [16, 2, 256, 256]
        var x = randomTensor(shape, seed: 11, low: -0.5, high: 0.5)
        for i in 0..<x.count { x.data[i] += (i / 65_536) % 2 == 0 ? 50_000.3 : -3 }
        var running = BatchNormRunningStatistics(channels: 2)
        let stats = BatchNorm.forwardTraining(x, weight: nil, bias: nil, running: &running).batch
        let plane = 65_536
        for c in 0..<2 {
            var values: [Double] = []
            for n in 0..<16 { values += x.data[(n * 2 + c) * plane..<(n * 2 + c + 1) * plane].map(Double.init) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            XCTAssertEqual(Double(stats.mean.data[c]), mean, accuracy: abs(mean) * 1e-7)
            XCTAssertEqual(Double(stats.inverseStd.data[c]), 1 / (variance + 1e-5).squareRoot(),
                           accuracy: 1e-6 / (variance + 1e-5).squareRoot(), "channel \(c)")
        }
    }

    func testTrainingGradientsMatchFiniteDifferences() {
        for (index, shape) in Self.shapes.enumerated() where shape[0] * shape.dropFirst(2).reduce(1, *) > 1 {
            let channels = shape[1]
            let x = randomTensor(shape, seed: UInt64(index), low: -2, high: 2)
            let w = randomTensor([channels], seed: UInt64(index + 100), low: 0.5, high: 1.5)
            let b = randomTensor([channels], seed: UInt64(index + 200))
            let r = lossWeights(shape)
            let start = BatchNormRunningStatistics(channels: channels)
            func loss(_ x: Tensor, _ w: Tensor?, _ b: Tensor?) -> Double {
                var running = start
                return BatchNorm.forwardTraining(x, weight: w, bias: b, running: &running).output.dot(r)
            }
            for affine in [true, false] {
                let weight = affine ? w : nil, bias = affine ? b : nil
                var running = start
                let stats = BatchNorm.forwardTraining(x, weight: weight, bias: bias, running: &running).batch
                var dx: Tensor? = Tensor(zeros: shape), dw: Tensor? = Tensor(zeros: [channels]), db: Tensor? = Tensor(zeros: [channels])
                BatchNorm.backwardTraining(r, input: x, weight: weight, batch: stats, gradInput: &dx, gradWeight: &dw, gradBias: &db)
                let numericX = numericalGradient(at: x, eps: 5e-3) { loss($0, weight, bias) }
                assertClose(dx ?? Tensor(zeros: []), numericX, rtol: 1e-2, atol: 3e-3, "input \(shape) affine \(affine)")
                if affine {
                    let numericW = numericalGradient(at: w) { loss(x, $0, b) }
                    let numericB = numericalGradient(at: b) { loss(x, w, $0) }
                    assertClose(dw ?? Tensor(zeros: []), numericW, rtol: 1e-2, atol: 3e-3, "weight \(shape)")
                    assertClose(db ?? Tensor(zeros: []), numericB, rtol: 1e-2, atol: 3e-3, "bias \(shape)")
                }
            }
        }
    }

    func testInferenceGradientsMatchFiniteDifferences() {
        for (index, shape) in Self.shapes.enumerated() {
            let channels = shape[1]
            let running = randomRunning(channels, seed: UInt64(index))
            let x = randomTensor(shape, seed: UInt64(index), low: -2, high: 2)
            let w = randomTensor([channels], seed: UInt64(index + 100))
            let b = randomTensor([channels], seed: UInt64(index + 200))
            let r = lossWeights(shape)
            var dx: Tensor? = Tensor(zeros: shape), dw: Tensor? = Tensor(zeros: [channels]), db: Tensor? = Tensor(zeros: [channels])
            BatchNorm.backwardInference(r, input: x, weight: w, running: running, gradInput: &dx, gradWeight: &dw, gradBias: &db)
            let numericX = numericalGradient(at: x) { BatchNorm.forwardInference($0, weight: w, bias: b, running: running).dot(r) }
            let numericW = numericalGradient(at: w) { BatchNorm.forwardInference(x, weight: $0, bias: b, running: running).dot(r) }
            let numericB = numericalGradient(at: b) { BatchNorm.forwardInference(x, weight: w, bias: $0, running: running).dot(r) }
            assertClose(dx ?? Tensor(zeros: []), numericX, rtol: 1e-2, atol: 3e-3, "input \(shape)")
            assertClose(dw ?? Tensor(zeros: []), numericW, rtol: 1e-2, atol: 3e-3, "weight \(shape)")
            assertClose(db ?? Tensor(zeros: []), numericB, rtol: 1e-2, atol: 3e-3, "bias \(shape)")
        }
    }

    private func randomRunning(_ channels: Int, seed: UInt64) -> BatchNormRunningStatistics {
        BatchNormRunningStatistics(mean: randomTensor([channels], seed: seed + 400),
                                   variance: randomTensor([channels], seed: seed + 500, low: 0.3, high: 2),
                                   batchesTracked: 5)
    }

    private func assertAllClose(_ actual: [Tensor?], _ expected: [Tensor?], _ message: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            switch (a, e) {
            case let (a?, e?): assertClose(a, e, "\(message) output \(i)", file: file, line: line)
            case (nil, nil): break
            default: XCTFail("\(message) output \(i): one of the gradients is nil", file: file, line: line)
            }
        }
    }
}
