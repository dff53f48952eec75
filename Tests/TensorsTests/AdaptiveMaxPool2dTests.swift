// AdaptiveMaxPool2dTests: adaptive max pooling against the naive reference, finite differences and torch.

import Tensors
import TestSupport
import XCTest

final class AdaptiveMaxPool2dTests: XCTestCase {
    func testMatchesReferenceForwardAndBackward() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() {
            let x = randomTensor(shape, seed: UInt64(index))
            let (y, indices) = AdaptiveMaxPool2d.forward(x, outputSize: size)
            let (yRef, indicesRef) = AdaptiveMaxPool2dReference.forward(x, outputSize: size)
            XCTAssertEqual(y, yRef, "forward \(shape) → \(size)")
            XCTAssertEqual(indices, indicesRef, "indices \(shape) → \(size)")

            // Start from non-zero gradients: backward must accumulate.
            let dy = randomTensor(y.shape, seed: UInt64(index + 300))
            let start = randomTensor(shape, seed: 7)
            var dx = start, dxRef = start
            AdaptiveMaxPool2d.backward(dy, indices: indices, into: &dx)
            AdaptiveMaxPool2dReference.backward(dy, indices: indicesRef, into: &dxRef)
            assertClose(dx, dxRef, "backward \(shape) → \(size)")
            var fromZero = Tensor(zeros: shape)
            AdaptiveMaxPool2d.backward(dy, indices: indices, into: &fromZero)
            assertClose(dx, start + fromZero, "accumulation \(shape) → \(size)")
        }
    }

    func testNaNAndInfinityMatchReference() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() {
            let x = tensorWithNaN(shape, seed: UInt64(index))
            let (y, indices) = AdaptiveMaxPool2d.forward(x, outputSize: size)
            let (yRef, indicesRef) = AdaptiveMaxPool2dReference.forward(x, outputSize: size)
            assertIdentical(y, yRef, "forward \(shape) → \(size)")
            XCTAssertEqual(indices, indicesRef, "indices \(shape) → \(size)")
        }
    }

    func testGradientMatchesFiniteDifferences() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() where Tensor.elementCount(shape) <= 1000 {
            let x = distinctTensor(shape, seed: UInt64(index))
            let r = lossWeights([shape[0], shape[1], size.0, size.1])
            var dx = Tensor(zeros: shape)
            AdaptiveMaxPool2d.backward(r, indices: AdaptiveMaxPool2d.forward(x, outputSize: size).indices, into: &dx)
            let numeric = numericalGradient(at: x) { AdaptiveMaxPool2d.forward($0, outputSize: size).output.dot(r) }
            assertClose(dx, numeric, rtol: 1e-2, atol: 2e-3, "input \(shape) → \(size)")
        }
    }

    func testHandComputedOutputsMatchTorch() {
        let x = Tensor(shape: [1, 1, 5, 7], data: (0..<35).map(Float.init))
        let (y, indices) = AdaptiveMaxPool2d.forward(x, outputSize: (3, 2))
        XCTAssertEqual(y.data, [10, 13, 24, 27, 31, 34])
        XCTAssertEqual(indices, [10, 13, 24, 27, 31, 34])
        XCTAssertEqual(AdaptiveMaxPool2d.forward(x, outputSize: (7, 9)).output.shape, [1, 1, 7, 9])

        // Ties: first maximum; NaN: the last NaN.
        XCTAssertEqual(AdaptiveMaxPool2d.forward(Tensor(repeating: 1, shape: [1, 1, 3, 3]), outputSize: (1, 1)).indices,
                       [0])
        let nan = AdaptiveMaxPool2d.forward(Tensor(shape: [1, 1, 1, 4], data: [1, .nan, 3, .nan]), outputSize: (1, 1))
        XCTAssertTrue(nan.output.data[0].isNaN)
        XCTAssertEqual(nan.indices, [3])

        var dx = Tensor(zeros: [1, 1, 5, 7])
        AdaptiveMaxPool2d.backward(Tensor(shape: [1, 1, 3, 2], data: [1, 2, 3, 4, 5, 6]), indices: indices, into: &dx)
        XCTAssertEqual(dx.data[10], 1)
        XCTAssertEqual(dx.data[34], 6)
        XCTAssertEqual(dx.sum(), 21)
    }
}
