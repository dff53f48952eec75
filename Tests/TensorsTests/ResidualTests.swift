// ResidualTests: the shortcut sum and its gradient, which both branches receive.

import Tensors
import TestSupport
import XCTest

final class ResidualTests: XCTestCase {
    func testForwardAndBackward() {
        for (index, shape) in [[2, 3, 5, 7], [4, 9], [1]].enumerated() {
            let a = randomTensor(shape, seed: UInt64(index)), b = randomTensor(shape, seed: UInt64(index + 100))
            let y = Residual.forward(a, b)
            for i in 0..<y.count { XCTAssertEqual(y.data[i], a.data[i] + b.data[i]) }

            let dy = randomTensor(shape, seed: UInt64(index + 200))
            let start = randomTensor(shape, seed: 7)
            var dx = start
            Residual.backward(dy, into: &dx)
            for i in 0..<dx.count { XCTAssertEqual(dx.data[i], start.data[i] + dy.data[i], "accumulates") }

            let r = lossWeights(shape)
            var da = Tensor(zeros: shape), db = Tensor(zeros: shape)
            Residual.backward(r, into: &da)
            Residual.backward(r, into: &db)
            assertClose(da, numericalGradient(at: a) { Residual.forward($0, b).dot(r) }, rtol: 1e-2, atol: 2e-3)
            assertClose(db, numericalGradient(at: b) { Residual.forward(a, $0).dot(r) }, rtol: 1e-2, atol: 2e-3)
        }
    }
}
