// LinearTests: the sgemm fully connected layer against triple loops and against finite differences.

import Tensors
import TestSupport
import XCTest

final class LinearTests: XCTestCase {
    /// (N, in, out): all ones, odd sizes, and sizes past OpenBLAS's small-matrix paths.
    static let cases: [(Int, Int, Int)] = [(1, 1, 1), (3, 5, 7), (8, 17, 3), (13, 64, 33), (2, 1, 9)]

    func testMatchesReferenceForwardAndBackward() {
        for (index, (batch, inFeatures, outFeatures)) in Self.cases.enumerated() {
            let x = randomTensor([batch, inFeatures], seed: UInt64(index))
            let w = randomTensor([outFeatures, inFeatures], seed: UInt64(index + 100))
            let b = randomTensor([outFeatures], seed: UInt64(index + 200))
            for bias in [b, nil] {
                assertClose(Linear.forward(x, weight: w, bias: bias), LinearReference.forward(x, weight: w, bias: bias),
                            "forward \(batch)×\(inFeatures)→\(outFeatures)")
            }
            let dy = randomTensor([batch, outFeatures], seed: UInt64(index + 300))
            // Non-zero starting gradients: backward must accumulate.
            let startX = randomTensor([batch, inFeatures], seed: 7)
            var dx = startX, dxRef = startX
            Linear.backwardInput(dy, weight: w, into: &dx)
            LinearReference.backwardInput(dy, weight: w, into: &dxRef)
            assertClose(dx, dxRef, "backward input")
            let startW = randomTensor([outFeatures, inFeatures], seed: 8)
            var dw = startW, dwRef = startW
            Linear.backwardWeight(dy, input: x, into: &dw)
            LinearReference.backwardWeight(dy, input: x, into: &dwRef)
            assertClose(dw, dwRef, "backward weight")
            var db = Tensor(repeating: 1, shape: [outFeatures]), dbRef = db
            Linear.backwardBias(dy, into: &db)
            LinearReference.backwardBias(dy, into: &dbRef)
            assertClose(db, dbRef, "backward bias")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        for (index, (batch, inFeatures, outFeatures)) in Self.cases.enumerated() {
            let x = randomTensor([batch, inFeatures], seed: UInt64(index))
            let w = randomTensor([outFeatures, inFeatures], seed: UInt64(index + 100))
            let b = randomTensor([outFeatures], seed: UInt64(index + 200))
            let r = lossWeights([batch, outFeatures])
            var dx = Tensor(zeros: x.shape), dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
            Linear.backwardInput(r, weight: w, into: &dx)
            Linear.backwardWeight(r, input: x, into: &dw)
            Linear.backwardBias(r, into: &db)
            assertClose(dx, numericalGradient(at: x) { Linear.forward($0, weight: w, bias: b).dot(r) },
                        rtol: 1e-2, atol: 2e-3, "input")
            assertClose(dw, numericalGradient(at: w) { Linear.forward(x, weight: $0, bias: b).dot(r) },
                        rtol: 1e-2, atol: 2e-3, "weight")
            assertClose(db, numericalGradient(at: b) { Linear.forward(x, weight: w, bias: $0).dot(r) },
                        rtol: 1e-2, atol: 2e-3, "bias")
        }
    }

    /// torch layout: y[n, o] = Σ_i x[n, i] · W[o, i] + b[o].
    func testHandComputedValue() {
        let x = Tensor(shape: [1, 2], data: [1, 2])
        let w = Tensor(shape: [3, 2], data: [1, 0, 0, 1, 1, 1])
        let y = Linear.forward(x, weight: w, bias: Tensor(shape: [3], data: [10, 20, 30]))
        XCTAssertEqual(y, Tensor(shape: [1, 3], data: [11, 22, 33]))
    }
}
