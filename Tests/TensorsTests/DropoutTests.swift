// DropoutTests: masks (determinism, kept fraction, scale, the ends p = 0 and 1) and forward/backward against plain loops.

import Tensors
import TestSupport
import XCTest

final class DropoutTests: XCTestCase {
    func testSameSeedGivesSameMask() {
        var a = RandomGenerator(seed: 42, purpose: "dropout")
        var b = RandomGenerator(seed: 42, purpose: "dropout")
        var c = RandomGenerator(seed: 43, purpose: "dropout")
        let shape = [4, 7, 5]
        let maskA = Dropout.mask(shape: shape, p: 0.5, rng: &a)
        XCTAssertEqual(maskA, Dropout.mask(shape: shape, p: 0.5, rng: &b))
        XCTAssertNotEqual(maskA, Dropout.mask(shape: shape, p: 0.5, rng: &c))
        XCTAssertEqual(a, b, "both generators advanced alike")
        XCTAssertNotEqual(maskA, Dropout.mask(shape: shape, p: 0.5, rng: &a), "the next mask differs")
    }

    func testKeptFractionAndScale() {
        for p: Float in [0.1, 0.25, 0.5, 0.8] {
            var rng = RandomGenerator(seed: 7, purpose: "dropout")
            let mask = Dropout.mask(shape: [200, 500], p: p, rng: &rng)
            let scale = 1 / (1 - p)
            XCTAssertTrue(mask.data.allSatisfy { $0 == 0 || $0 == scale }, "values are 0 or 1/(1−p) for p = \(p)")
            let kept = Double(mask.data.filter { $0 != 0 }.count) / Double(mask.count)
            // The standard deviation of the fraction is at most 0.5 / √100000 ≈ 0.0016.
            XCTAssertEqual(kept, Double(1 - p), accuracy: 0.01, "kept fraction for p = \(p)")
            XCTAssertEqual(mask.sum() / Double(mask.count), 1, accuracy: 0.03, "expected value is preserved")
        }
    }

    func testEnds() {
        var rng = RandomGenerator(seed: 1, purpose: "dropout")
        let before = rng
        XCTAssertEqual(Dropout.mask(shape: [3, 4], p: 0, rng: &rng), Tensor(repeating: 1, shape: [3, 4]))
        XCTAssertEqual(Dropout.mask(shape: [3, 4], p: 1, rng: &rng), Tensor(zeros: [3, 4]))
        XCTAssertEqual(rng, before, "p = 0 and p = 1 draw nothing")
    }

    func testForwardAndBackwardMatchReference() {
        for (index, shape) in [[3, 5, 7], [1], [2, 3, 101, 131]].enumerated() {
            var rng = RandomGenerator(seed: UInt64(index), purpose: "dropout")
            let mask = Dropout.mask(shape: shape, p: 0.3, rng: &rng)
            let x = randomTensor(shape, seed: UInt64(index))
            XCTAssertEqual(Dropout.forward(x, mask: mask), DropoutReference.forward(x, mask: mask))
            let dy = randomTensor(shape, seed: UInt64(index + 100))
            let start = randomTensor(shape, seed: 7)
            var dx = start, dxRef = start
            Dropout.backward(dy, mask: mask, into: &dx)
            DropoutReference.backward(dy, mask: mask, into: &dxRef)
            XCTAssertEqual(dx, dxRef)
        }
    }

    func testGradientMatchesFiniteDifferences() {
        let shape = [3, 4, 5]
        var rng = RandomGenerator(seed: 3, purpose: "dropout")
        let mask = Dropout.mask(shape: shape, p: 0.4, rng: &rng)
        let x = randomTensor(shape, seed: 1)
        let r = lossWeights(shape)
        var dx = Tensor(zeros: shape)
        Dropout.backward(r, mask: mask, into: &dx)
        assertClose(dx, numericalGradient(at: x) { Dropout.forward($0, mask: mask).dot(r) }, rtol: 1e-2, atol: 2e-3)
    }
}
