// FlattenTests: fastai's Flatten keeps the values in order and accumulates its gradient.

import Tensors
import TestSupport
import XCTest

final class FlattenTests: XCTestCase {
    func testForwardKeepsBatchAndValues() {
        let x = randomTensor([3, 4, 2, 5], seed: 1)
        let y = Flatten.forward(x)
        XCTAssertEqual(y.shape, [3, 40])
        XCTAssertEqual(y.data, x.data)
        XCTAssertEqual(Flatten.forward(Tensor(zeros: [2, 6])).shape, [2, 6])
        XCTAssertEqual(Flatten.forward(Tensor(zeros: [5])).shape, [5, 1])
        XCTAssertEqual(Flatten.forward(Tensor(zeros: [0, 3, 2])).shape, [0, 6])
    }

    func testBackwardAccumulates() {
        let shape = [2, 3, 1, 2]
        let dy = randomTensor([2, 6], seed: 2)
        let start = randomTensor(shape, seed: 3)
        var dx = start
        Flatten.backward(dy, inputShape: shape, into: &dx)
        XCTAssertEqual(dx.shape, shape)
        assertClose(dx, start + dy.reshaped(shape))

        let r = lossWeights([2, 6])
        var gradient = Tensor(zeros: shape)
        Flatten.backward(r, inputShape: shape, into: &gradient)
        let numeric = numericalGradient(at: start) { Flatten.forward($0).dot(r) }
        assertClose(gradient, numeric, rtol: 1e-2, atol: 2e-3)
    }
}
