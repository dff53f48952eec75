// CrossEntropyTests: loss and gradient against the written-out reference, finite differences, and values worked by hand.

import Foundation
import Tensors
import TestSupport
import XCTest

final class CrossEntropyTests: XCTestCase {
    /// (N, K): odd sizes, one class, one row.
    static let cases: [(Int, Int)] = [(4, 3), (7, 10), (1, 5), (3, 1), (16, 37)]
    /// Enough rows that the row loop is split across threads.
    static let referenceCases = cases + [(300, 50)]
    static let smoothings: [Float] = [0, 0.1, 0.5]

    private func targets(_ rows: Int, _ classes: Int, seed: Int) -> [Int] {
        (0..<rows).map { ($0 * 7 + seed) % classes }
    }

    func testMatchesReference() {
        for (index, (rows, classes)) in Self.referenceCases.enumerated() {
            let logits = randomTensor([rows, classes], seed: UInt64(index), low: -4, high: 4)
            let t = targets(rows, classes, seed: index)
            for smoothing in Self.smoothings {
                let (loss, p) = CrossEntropy.forward(logits, targets: t, labelSmoothing: smoothing)
                let (lossRef, pRef) = CrossEntropyReference.forward(logits, targets: t, labelSmoothing: smoothing)
                XCTAssertEqual(loss, lossRef, accuracy: 1e-5 * max(1, abs(lossRef)), "loss \(rows)×\(classes) ε \(smoothing)")
                assertClose(p, pRef, rtol: 1e-5, atol: 1e-7, "probabilities")
                // Non-zero start and a loss scale: backward accumulates scale · (p − q) / N.
                let start = randomTensor([rows, classes], seed: 7)
                var g = start, gRef = start
                CrossEntropy.backward(probabilities: p, targets: t, labelSmoothing: smoothing, scale: 8, into: &g)
                CrossEntropyReference.backward(probabilities: p, targets: t, labelSmoothing: smoothing, scale: 8, into: &gRef)
                assertClose(g, gRef, "gradient \(rows)×\(classes) ε \(smoothing)")
            }
        }
    }

    func testGradientMatchesFiniteDifferences() {
        for (index, (rows, classes)) in Self.cases.enumerated() {
            let logits = randomTensor([rows, classes], seed: UInt64(index), low: -3, high: 3)
            let t = targets(rows, classes, seed: index)
            for smoothing in Self.smoothings {
                let p = CrossEntropy.forward(logits, targets: t, labelSmoothing: smoothing).probabilities
                var g = Tensor(zeros: logits.shape)
                CrossEntropy.backward(probabilities: p, targets: t, labelSmoothing: smoothing, into: &g)
                let numeric = numericalGradient(at: logits) {
                    Double(CrossEntropy.forward($0, targets: t, labelSmoothing: smoothing).loss)
                }
                assertClose(g, numeric, rtol: 1e-2, atol: 1e-3, "\(rows)×\(classes) ε \(smoothing)")
            }
        }
    }

    func testHandComputedValues() {
        // Equal logits: p = 1/K, so every term is log K, with or without smoothing.
        for smoothing: Float in [0, 0.2] {
            let (loss, p) = CrossEntropy.forward(Tensor(repeating: 0.7, shape: [3, 5]), targets: [0, 4, 2],
                                                 labelSmoothing: smoothing)
            XCTAssertEqual(loss, Float(log(5.0)), accuracy: 1e-6)
            XCTAssertTrue(p.data.allSatisfy { abs($0 - 0.2) < 1e-7 })
        }
        // Logits 0 and ln 3: p = (1/4, 3/4).
        let logits = Tensor(shape: [1, 2], data: [0, Float(log(3.0))])
        XCTAssertEqual(CrossEntropy.forward(logits, targets: [1]).loss, Float(-log(0.75)), accuracy: 1e-6)
        // ε = 0.2 over K = 2: 0.9 · (−ln ¾) + 0.1 · (−ln ¼).
        XCTAssertEqual(CrossEntropy.forward(logits, targets: [1], labelSmoothing: 0.2).loss,
                       Float(-0.9 * log(0.75) - 0.1 * log(0.25)), accuracy: 1e-6)
        var g = Tensor(zeros: [1, 2])
        CrossEntropy.backward(probabilities: Tensor(shape: [1, 2], data: [0.25, 0.75]), targets: [1],
                              labelSmoothing: 0.2, scale: 2, into: &g)
        XCTAssertEqual(g.data[0], 2 * (0.25 - 0.1), accuracy: 1e-6)
        XCTAssertEqual(g.data[1], 2 * (0.75 - 0.9), accuracy: 1e-6)
    }

    /// Logits far beyond exp's range stay finite because each row is shifted by its maximum.
    func testLargeLogitsAreStable() {
        let logits = Tensor(shape: [2, 3], data: [1000, 0, -1000, 500, 500, -500])
        let (loss, p) = CrossEntropy.forward(logits, targets: [1, 0])
        XCTAssertTrue(p.isFinite)
        XCTAssertEqual(loss, (1000 + Float(log(2.0))) / 2, accuracy: 1e-3)
        XCTAssertEqual(p.data[0], 1)
        XCTAssertEqual(p.data[3], 0.5, accuracy: 1e-7)
    }
}
