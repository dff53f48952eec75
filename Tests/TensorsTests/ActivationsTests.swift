// ActivationsTests: ReLU and ReLU6 against plain loops, at their kinks, and against finite differences away from them.

import Tensors
import TestSupport
import XCTest

final class ActivationsTests: XCTestCase {
    /// A small odd shape, a vector, and one large enough to be split across threads.
    static let shapes: [[Int]] = [[3, 5, 7, 9], [17], [2, 3, 101, 131]]

    func testMatchForwardAndBackwardOfReference() {
        for (index, shape) in Self.shapes.enumerated() {
            var x = randomTensor(shape, seed: UInt64(index), low: -3, high: 9)
            // The kinks themselves: the gradient there is 0, as in torch.
            x.data[0] = 0; x.data[1] = 6; x.data[2] = -0.0; x.data[3] = 6.0001
            let dy = randomTensor(shape, seed: UInt64(index + 100))
            let start = randomTensor(shape, seed: 7)

            let y = ReLU.forward(x)
            XCTAssertEqual(y, ReLUReference.forward(x), "relu forward \(shape)")
            var dx = start, dxRef = start
            ReLU.backward(dy, output: y, into: &dx)
            ReLUReference.backward(dy, output: y, into: &dxRef)
            XCTAssertEqual(dx, dxRef, "relu backward \(shape)")
            XCTAssertEqual(dx.data[0], start.data[0], "relu gradient at 0")

            XCTAssertEqual(ReLU6.forward(x), ReLU6Reference.forward(x), "relu6 forward \(shape)")
            var dx6 = start, dx6Ref = start
            ReLU6.backward(dy, input: x, into: &dx6)
            ReLU6Reference.backward(dy, input: x, into: &dx6Ref)
            XCTAssertEqual(dx6, dx6Ref, "relu6 backward \(shape)")
            XCTAssertEqual(dx6.data[0], start.data[0], "relu6 gradient at 0")
            XCTAssertEqual(dx6.data[1], start.data[1], "relu6 gradient at 6")
        }
    }

    func testValuesAndNaN() {
        let x = Tensor(shape: [6], data: [-2, 0, 0.5, 6, 7, .nan])
        let relu = ReLU.forward(x), relu6 = ReLU6.forward(x)
        XCTAssertEqual(Array(relu.data.prefix(5)), [0, 0, 0.5, 6, 7])
        XCTAssertEqual(Array(relu6.data.prefix(5)), [0, 0, 0.5, 6, 6])
        XCTAssertTrue(relu.data[5].isNaN && relu6.data[5].isNaN, "NaN must propagate")
    }

    func testGradientsMatchFiniteDifferences() {
        for (index, shape) in Self.shapes.prefix(2).enumerated() {
            // Keep every value at least 0.05 from the kinks at 0 and 6, beyond the 0.01 step.
            let x = randomTensor(shape, seed: UInt64(index), low: -3, high: 9).map { v in
                if abs(v) < 0.05 { return v < 0 ? -0.05 : 0.05 }
                if abs(v - 6) < 0.05 { return v < 6 ? 5.95 : 6.05 }
                return v
            }
            let r = lossWeights(shape)
            var dx = Tensor(zeros: shape), dx6 = Tensor(zeros: shape)
            ReLU.backward(r, output: ReLU.forward(x), into: &dx)
            ReLU6.backward(r, input: x, into: &dx6)
            assertClose(dx, numericalGradient(at: x) { ReLU.forward($0).dot(r) }, rtol: 1e-2, atol: 2e-3, "relu \(shape)")
            assertClose(dx6, numericalGradient(at: x) { ReLU6.forward($0).dot(r) }, rtol: 1e-2, atol: 2e-3, "relu6 \(shape)")
        }
    }
}
