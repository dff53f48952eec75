// AdaptiveAvgPool2dTests: adaptive average pooling against the naive reference, finite differences and torch.

import Tensors
import TestSupport
import XCTest

/// (input shape, output size): exact divisions, uneven and overlapping windows, outputs larger
/// than the input, the (1, 1) head case, and one case large enough to run in parallel.
let adaptiveTestCases: [([Int], (Int, Int))] = [
    ([2, 3, 6, 6], (2, 2)),
    ([2, 3, 5, 7], (3, 2)),
    ([1, 2, 7, 5], (3, 4)),
    ([2, 2, 3, 4], (5, 6)),
    ([3, 4, 7, 7], (1, 1)),
    ([1, 2, 1, 1], (1, 1)),
    ([2, 1, 9, 4], (4, 1)),
    ([4, 32, 16, 17], (1, 1)),
    ([4, 16, 16, 17], (3, 5)),
]

final class AdaptiveAvgPool2dTests: XCTestCase {
    func testMatchesReferenceForwardAndBackward() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() {
            let x = randomTensor(shape, seed: UInt64(index))
            let y = AdaptiveAvgPool2d.forward(x, outputSize: size)
            XCTAssertEqual(y.shape, [shape[0], shape[1], size.0, size.1])
            assertClose(y, AdaptiveAvgPool2dReference.forward(x, outputSize: size), "forward \(shape) → \(size)")

            // Start from non-zero gradients: backward must accumulate.
            let dy = randomTensor(y.shape, seed: UInt64(index + 300))
            let start = randomTensor(shape, seed: 7)
            var dx = start, dxRef = start
            AdaptiveAvgPool2d.backward(dy, inputShape: shape, into: &dx)
            AdaptiveAvgPool2dReference.backward(dy, inputShape: shape, into: &dxRef)
            assertClose(dx, dxRef, "backward \(shape) → \(size)")
            var fromZero = Tensor(zeros: shape)
            AdaptiveAvgPool2d.backward(dy, inputShape: shape, into: &fromZero)
            assertClose(dx, start + fromZero, "accumulation \(shape) → \(size)")
        }
    }

    func testGradientMatchesFiniteDifferences() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() where Tensor.elementCount(shape) <= 1000 {
            let x = randomTensor(shape, seed: UInt64(index))
            let r = lossWeights([shape[0], shape[1], size.0, size.1])
            var dx = Tensor(zeros: shape)
            AdaptiveAvgPool2d.backward(r, inputShape: shape, into: &dx)
            let numeric = numericalGradient(at: x) { AdaptiveAvgPool2d.forward($0, outputSize: size).dot(r) }
            assertClose(dx, numeric, rtol: 1e-2, atol: 2e-3, "input \(shape) → \(size)")
        }
    }

    func testHandComputedOutputsMatchTorch() {
        // Rows [0, 2), [1, 4), [3, 5) and columns [0, 4), [3, 7) of a 5×7 ramp.
        let x = Tensor(shape: [1, 1, 5, 7], data: (0..<35).map(Float.init))
        XCTAssertEqual(AdaptiveAvgPool2d.forward(x, outputSize: (3, 2)).data, [5, 8, 15.5, 18.5, 26, 29])
        XCTAssertEqual(AdaptiveAvgPool2d.forward(x, outputSize: (1, 1)).data, [17])

        var dx = Tensor(repeating: 1, shape: [1, 1, 2, 3])
        AdaptiveAvgPool2d.backward(Tensor(shape: [1, 1, 1, 1], data: [12]), inputShape: dx.shape, into: &dx)
        XCTAssertEqual(dx.data, [3, 3, 3, 3, 3, 3])
    }
}
