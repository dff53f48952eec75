// AdaptiveConcatPool2dTests: fastai's [max, avg] head pooling against the composed references and finite differences.

import Tensors
import TestSupport
import XCTest

final class AdaptiveConcatPool2dTests: XCTestCase {
    func testMatchesReferenceForwardAndBackward() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() {
            let x = randomTensor(shape, seed: UInt64(index))
            let (y, indices) = AdaptiveConcatPool2d.forward(x, outputSize: size)
            let (yRef, indicesRef) = AdaptiveConcatPool2dReference.forward(x, outputSize: size)
            XCTAssertEqual(y.shape, [shape[0], 2 * shape[1], size.0, size.1])
            assertClose(y, yRef, "forward \(shape) → \(size)")
            XCTAssertEqual(indices, indicesRef, "indices \(shape) → \(size)")

            // Start from non-zero gradients: backward must accumulate.
            let dy = randomTensor(y.shape, seed: UInt64(index + 300))
            let start = randomTensor(shape, seed: 7)
            var dx = start, dxRef = start
            AdaptiveConcatPool2d.backward(dy, maxIndices: indices, inputShape: shape, into: &dx)
            AdaptiveConcatPool2dReference.backward(dy, maxIndices: indicesRef, inputShape: shape, into: &dxRef)
            assertClose(dx, dxRef, "backward \(shape) → \(size)")
            var fromZero = Tensor(zeros: shape)
            AdaptiveConcatPool2d.backward(dy, maxIndices: indices, inputShape: shape, into: &fromZero)
            assertClose(dx, start + fromZero, "accumulation \(shape) → \(size)")
        }
    }

    func testNaNAndInfinityMatchReference() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() {
            let x = tensorWithNaN(shape, seed: UInt64(index))
            let (y, indices) = AdaptiveConcatPool2d.forward(x, outputSize: size)
            let (yRef, indicesRef) = AdaptiveConcatPool2dReference.forward(x, outputSize: size)
            // Both sum each window in the same order, so the average half matches exactly as well.
            assertIdentical(y, yRef, "forward \(shape) → \(size)")
            XCTAssertEqual(indices, indicesRef, "indices \(shape) → \(size)")
        }
    }

    func testGradientMatchesFiniteDifferences() {
        for (index, (shape, size)) in adaptiveTestCases.enumerated() where Tensor.elementCount(shape) <= 1000 {
            let x = distinctTensor(shape, seed: UInt64(index))
            let r = lossWeights([shape[0], 2 * shape[1], size.0, size.1])
            var dx = Tensor(zeros: shape)
            let indices = AdaptiveConcatPool2d.forward(x, outputSize: size).maxIndices
            AdaptiveConcatPool2d.backward(r, maxIndices: indices, inputShape: shape, into: &dx)
            let numeric = numericalGradient(at: x) { AdaptiveConcatPool2d.forward($0, outputSize: size).output.dot(r) }
            assertClose(dx, numeric, rtol: 1e-2, atol: 2e-3, "input \(shape) → \(size)")
        }
    }

    /// Max channels come first, then average channels, per image.
    func testLayoutIsMaxThenAverage() {
        let x = Tensor(shape: [2, 2, 1, 3], data: [1, 2, 6, -1, -2, -6, 0, 3, 0, 4, 4, 4])
        let (y, indices) = AdaptiveConcatPool2d.forward(x)
        XCTAssertEqual(y.shape, [2, 4, 1, 1])
        XCTAssertEqual(y.data, [6, -1, 3, -3, 3, 4, 1, 4])
        XCTAssertEqual(indices, [2, 0, 1, 0])

        var dx = Tensor(zeros: x.shape)
        AdaptiveConcatPool2d.backward(Tensor(shape: [2, 4, 1, 1], data: [1, 2, 3, 6, 0, 0, 0, 0]), maxIndices: indices,
                                      inputShape: x.shape, into: &dx)
        XCTAssertEqual(Array(dx.data[0..<6]), [1, 1, 2, 4, 2, 2])
        XCTAssertEqual(Array(dx.data[6...]), [0, 0, 0, 0, 0, 0])
    }

    /// The one-pass (1, 1) path keeps the general path's NaN and tie rules.
    func testWholePlaneTiesAndNaN() {
        let x = Tensor(shape: [1, 4, 1, 4], data: [1, .nan, 3, .nan, 2, 5, 5, 0, -.infinity, -.infinity, -.infinity,
                                                   -.infinity, 1, .infinity, -.infinity, .infinity])
        let (y, indices) = AdaptiveConcatPool2d.forward(x)
        XCTAssertEqual(indices, [3, 1, 0, 1])
        XCTAssertTrue(y.data[0].isNaN && y.data[4].isNaN && y.data[7].isNaN)
        XCTAssertEqual(Array(y.data[1...3]), [5, -.infinity, .infinity])
        XCTAssertEqual(indices, AdaptiveConcatPool2dReference.forward(x).maxIndices)
    }
}
