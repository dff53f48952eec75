// Conv2dLayerTests: the layer's prepared (transformed or unrolled) weight follows its weight and input plane.

import Layers
import Tensors
import TestSupport
import XCTest

final class Conv2dLayerTests: XCTestCase {
    private func layer() -> Conv2dLayer {
        var rng = RandomGenerator(seed: 3)
        return Conv2dLayer(inChannels: 8, outChannels: 8, kernelSize: (3, 3), padding: (1, 1), bias: false, rng: &rng)
    }

    private func expected(_ layer: Conv2dLayer, _ x: Tensor) -> Tensor {
        let g = Conv2dGeometry(input: x.shape, weight: layer.weight.shape, padding: (1, 1))
        return Conv2dReference.forward(x, weight: layer.weight.value, bias: nil, geometry: g)
    }

    func testPreparedWeightFollowsInPlaceUpdatesAndAssignment() {
        let conv = layer()
        let x = randomTensor([2, 8, 6, 6], seed: 4)
        assertClose(conv.forward(x), expected(conv, x), "first forward")

        // An optimiser step mutates the weight in place.
        let before = conv.weight.version
        conv.weight.value.withUnsafeMutablePointer { w in
            for i in 0..<conv.weight.count { w[i] *= -0.5 }
        }
        XCTAssertNotEqual(conv.weight.version, before)
        assertClose(conv.forward(x), expected(conv, x), "after an in-place update")

        // Loading a checkpoint assigns a new tensor.
        conv.weight.value = randomTensor(conv.weight.shape, seed: 5)
        assertClose(conv.forward(x), expected(conv, x), "after assignment")
    }

    /// The unrolled weight depends on the input plane: one layer run on 2×2, then 6×6 (Winograd),
    /// then 1×1 planes must use a prepared weight of the right form each time.
    func testPreparedWeightFollowsThePlane() {
        let conv = layer()
        // Unrolled (O·P, C·Q) on 2×2 and 1×1 planes, Winograd's (16, O, C) on 6×6.
        let forms = [2: [32, 32], 6: [16, 8, 8], 1: [8, 8]]
        for (index, size) in [2, 6, 1, 2].enumerated() {
            let x = randomTensor([2, 8, size, size], seed: UInt64(10 + index))
            let g = Conv2dGeometry(input: x.shape, weight: conv.weight.shape, padding: (1, 1))
            XCTAssertEqual(Conv2d.preparedShape(g), forms[size], "\(size)×\(size)")
            assertClose(conv.forward(x), expected(conv, x), "\(size)×\(size) planes")
        }
    }

    /// Re-preparing into an earlier prepared weight of the right shape writes its storage in place
    /// and gives what a fresh preparation gives; a weight of another shape is not reused.
    func testPrepareReusesStorage() {
        let g = Conv2dGeometry(input: [2, 8, 6, 6], weight: [8, 8, 3, 3], padding: (1, 1))
        var storage = Conv2d.prepare(randomTensor([8, 8, 3, 3], seed: 1), geometry: g)
        let address = storage?.withUnsafePointer { UInt(bitPattern: $0) }
        let w = randomTensor([8, 8, 3, 3], seed: 2)
        let again = Conv2d.prepare(w, geometry: g, reusing: &storage)
        XCTAssertNil(storage, "taken out")
        XCTAssertEqual(again?.withUnsafePointer { UInt(bitPattern: $0) }, address)
        XCTAssertEqual(again, Conv2d.prepare(w, geometry: g))
        var wrongShape: Tensor? = Tensor(zeros: [3])
        XCTAssertEqual(Conv2d.prepare(w, geometry: g, reusing: &wrongShape), Conv2d.prepare(w, geometry: g))
    }

    func testBackwardInputUsesTheCurrentWeight() {
        let conv = layer()
        conv.weight.requiresGrad = false
        let x = randomTensor([2, 8, 6, 6], seed: 4)
        let dy = randomTensor([2, 8, 6, 6], seed: 6)
        _ = conv.forward(x)
        conv.weight.value = randomTensor(conv.weight.shape, seed: 7)
        _ = conv.forward(x)
        let dx = conv.backward(dy, needsInputGradient: true)
        let g = Conv2dGeometry(input: x.shape, weight: conv.weight.shape, padding: (1, 1))
        var reference = Tensor(zeros: x.shape)
        Conv2dReference.backwardInput(dy, weight: conv.weight.value, geometry: g, into: &reference)
        guard let dx else { return XCTFail("no input gradient") }
        assertClose(dx, reference)
    }
}
