// AvgPool2dTests: average pooling against the naive reference, finite differences and torch's outputs.

import Tensors
import TestSupport
import XCTest

final class AvgPool2dTests: XCTestCase {
    func testMatchesReferenceForwardAndBackward() {
        for (index, g) in poolTestGeometries.enumerated() {
            for includePad in [true, false] {
                let x = randomTensor(g.inputShape, seed: UInt64(index))
                assertClose(AvgPool2d.forward(x, geometry: g, countIncludePad: includePad),
                            AvgPool2dReference.forward(x, geometry: g, countIncludePad: includePad),
                            "forward \(g) include pad \(includePad)")

                // Start from non-zero gradients: backward must accumulate.
                let dy = randomTensor(g.outputShape, seed: UInt64(index + 300))
                let start = randomTensor(g.inputShape, seed: 7)
                var dx = start, dxRef = start
                AvgPool2d.backward(dy, geometry: g, countIncludePad: includePad, into: &dx)
                AvgPool2dReference.backward(dy, geometry: g, countIncludePad: includePad, into: &dxRef)
                assertClose(dx, dxRef, "backward \(g) include pad \(includePad)")
                var fromZero = Tensor(zeros: g.inputShape)
                AvgPool2d.backward(dy, geometry: g, countIncludePad: includePad, into: &fromZero)
                assertClose(dx, start + fromZero, "accumulation \(g)")
            }
        }
    }

    func testGradientMatchesFiniteDifferences() {
        for (index, g) in poolTestGeometries.enumerated() where Tensor.elementCount(g.inputShape) <= 1000 {
            for includePad in [true, false] {
                let x = randomTensor(g.inputShape, seed: UInt64(index))
                let r = lossWeights(g.outputShape)
                var dx = Tensor(zeros: g.inputShape)
                AvgPool2d.backward(r, geometry: g, countIncludePad: includePad, into: &dx)
                let numeric = numericalGradient(at: x) {
                    AvgPool2d.forward($0, geometry: g, countIncludePad: includePad).dot(r)
                }
                assertClose(dx, numeric, rtol: 1e-2, atol: 2e-3, "input \(g) include pad \(includePad)")
            }
        }
    }

    func testHandComputedOutputsMatchTorch() {
        let x4 = Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))
        XCTAssertEqual(AvgPool2d.forward(x4, geometry: Pool2dGeometry(input: x4.shape, kernel: (2, 2))).data,
                       [2.5, 4.5, 10.5, 12.5])

        // ceil_mode without padding: the extra windows divide by the input values they hold.
        let x5 = Tensor(shape: [1, 1, 5, 5], data: (0..<25).map(Float.init))
        XCTAssertEqual(AvgPool2d.forward(x5, geometry: Pool2dGeometry(input: x5.shape, kernel: (2, 2), ceilMode: true)).data,
                       [3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24])

        // Padding 1 with ceil_mode: count_include_pad counts padding only up to H + pad, so the
        // corner window (x[3, 3] = 15 and three padding taps) divides by 4, not 9.
        let g = Pool2dGeometry(input: x4.shape, kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true)
        assertClose(AvgPool2d.forward(x4, geometry: g),
                    Tensor(shape: [1, 1, 3, 3], data: [10.0 / 9, 24.0 / 9, 15.0 / 9, 51.0 / 9, 10, 5.5,
                                                       25.0 / 6, 7, 3.75]))
        assertClose(AvgPool2d.forward(x4, geometry: g, countIncludePad: false),
                    Tensor(shape: [1, 1, 3, 3], data: [2.5, 4, 5, 8.5, 10, 11, 12.5, 14, 15]))

        var dx = Tensor(repeating: 1, shape: x4.shape)
        AvgPool2d.backward(Tensor(shape: [1, 1, 2, 2], data: [4, 8, 12, 16]),
                           geometry: Pool2dGeometry(input: x4.shape, kernel: (2, 2)), into: &dx)
        XCTAssertEqual(dx.data, [2, 2, 3, 3, 2, 2, 3, 3, 4, 4, 5, 5, 4, 4, 5, 5])
    }
}
