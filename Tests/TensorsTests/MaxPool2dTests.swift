// MaxPool2dTests: max pooling against the naive reference, finite differences and torch's outputs.

@testable import Tensors
import TestSupport
import XCTest

final class MaxPool2dTests: XCTestCase {
    func testMatchesReferenceForwardAndBackward() {
        for (index, g) in poolTestGeometries.enumerated() {
            let x = randomTensor(g.inputShape, seed: UInt64(index))
            let (y, indices) = MaxPool2d.forward(x, geometry: g)
            let (yRef, indicesRef) = MaxPool2dReference.forward(x, geometry: g)
            XCTAssertEqual(y, yRef, "forward \(g)")
            XCTAssertEqual(indices, indicesRef, "indices \(g)")

            // Start from non-zero gradients: backward must accumulate.
            let dy = randomTensor(g.outputShape, seed: UInt64(index + 300))
            let start = randomTensor(g.inputShape, seed: 7)
            var dx = start, dxRef = start
            MaxPool2d.backward(dy, indices: indices, geometry: g, into: &dx)
            MaxPool2dReference.backward(dy, indices: indicesRef, geometry: g, into: &dxRef)
            assertClose(dx, dxRef, "backward \(g)")
            var fromZero = Tensor(zeros: g.inputShape)
            MaxPool2d.backward(dy, indices: indices, geometry: g, into: &fromZero)
            assertClose(dx, start + fromZero, "accumulation \(g)")
        }
    }

    /// The strided path covers the unclipped windows: all but the clipped first output of ResNet's
    /// 32 → 16 row; nothing when fewer than eight are unclipped, or with stride 1.
    func testStridedColumnsCoverTheUnclippedOutputs() {
        func range(_ size: Int, kernel: Int, stride: Int, pad: Int) -> Range<Int> {
            let g = Pool2dGeometry(input: [1, 1, 1, size], kernel: (1, kernel), stride: (1, stride), padding: (0, pad))
            let columns = PoolWindows(size: size, count: g.outWidth, kernel: kernel, stride: stride, pad: pad)
            return MaxPool2d.StridedColumns.vectorRange(columns, width: size)
        }
        XCTAssertEqual(range(32, kernel: 3, stride: 2, pad: 1), 1..<16)
        XCTAssertEqual(range(70, kernel: 3, stride: 2, pad: 1), 1..<35)
        XCTAssertEqual(range(41, kernel: 2, stride: 2, pad: 0), 0..<20)
        XCTAssertEqual(range(16, kernel: 3, stride: 2, pad: 1), 0..<0)
        XCTAssertEqual(range(70, kernel: 3, stride: 1, pad: 1), 0..<0)
    }

    func testNaNAndInfinityMatchReference() {
        for (index, g) in poolTestGeometries.enumerated() {
            let x = tensorWithNaN(g.inputShape, seed: UInt64(index))
            let (y, indices) = MaxPool2d.forward(x, geometry: g)
            let (yRef, indicesRef) = MaxPool2dReference.forward(x, geometry: g)
            assertIdentical(y, yRef, "forward \(g)")
            XCTAssertEqual(indices, indicesRef, "indices \(g)")
        }
    }

    func testGradientMatchesFiniteDifferences() {
        for (index, g) in poolTestGeometries.enumerated() where Tensor.elementCount(g.inputShape) <= 1000 {
            let x = distinctTensor(g.inputShape, seed: UInt64(index))
            let r = lossWeights(g.outputShape)
            var dx = Tensor(zeros: g.inputShape)
            MaxPool2d.backward(r, indices: MaxPool2d.forward(x, geometry: g).indices, geometry: g, into: &dx)
            let numeric = numericalGradient(at: x) { MaxPool2d.forward($0, geometry: g).output.dot(r) }
            assertClose(dx, numeric, rtol: 1e-2, atol: 2e-3, "input \(g)")
        }
    }

    func testHandComputedOutputsMatchTorch() {
        let x = Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))
        let (y, indices) = MaxPool2d.forward(x, geometry: Pool2dGeometry(input: x.shape, kernel: (2, 2)))
        XCTAssertEqual(y.data, [5, 7, 13, 15])
        XCTAssertEqual(indices, [5, 7, 13, 15])

        // ceil_mode: the last row and column of windows hold one input row or column.
        let x5 = Tensor(shape: [1, 1, 5, 5], data: (0..<25).map(Float.init))
        let ceil = MaxPool2d.forward(x5, geometry: Pool2dGeometry(input: x5.shape, kernel: (2, 2), ceilMode: true))
        XCTAssertEqual(ceil.output.data, [6, 8, 9, 16, 18, 19, 21, 23, 24])
        XCTAssertEqual(ceil.indices, [6, 8, 9, 16, 18, 19, 21, 23, 24])

        var dx = Tensor(repeating: 1, shape: x.shape)
        MaxPool2d.backward(Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4]), indices: indices,
                           geometry: Pool2dGeometry(input: x.shape, kernel: (2, 2)), into: &dx)
        XCTAssertEqual(dx.data, [1, 1, 1, 1, 1, 2, 1, 3, 1, 1, 1, 1, 1, 4, 1, 5])
    }

    /// torch: the first maximum wins a tie, a NaN wins over numbers (the last NaN over earlier
    /// ones), and an all −∞ window points at its first input value.
    func testTiesNaNAndInfinityFollowTorch() {
        let g = Pool2dGeometry(input: [1, 1, 4, 4], kernel: (2, 2))
        XCTAssertEqual(MaxPool2d.forward(Tensor(repeating: 1, shape: g.inputShape), geometry: g).indices, [0, 2, 8, 10])

        let nan = Float.nan
        let x = Tensor(shape: [1, 1, 4, 4], data: [1, nan, 3, nan, 2, 5, 4, 0, 0, 0, 7, 7, 0, 0, 7, 7])
        let (y, indices) = MaxPool2d.forward(x, geometry: g)
        XCTAssertTrue(y.data[0].isNaN && y.data[1].isNaN)
        XCTAssertEqual(Array(y.data[2...]), [0, 7])
        XCTAssertEqual(indices, [1, 3, 8, 10])
        XCTAssertEqual(MaxPool2dReference.forward(x, geometry: g).indices, indices)

        let padded = Pool2dGeometry(input: [1, 1, 4, 4], kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        let infinite = MaxPool2d.forward(Tensor(repeating: -.infinity, shape: padded.inputShape), geometry: padded)
        XCTAssertEqual(infinite.output.data, [-.infinity, -.infinity, -.infinity, -.infinity])
        XCTAssertEqual(infinite.indices, [0, 1, 4, 5])
    }
}
