// ChannelConcatTests: concatenation on dimension 1 against element-by-element loops and against finite differences.

import Tensors
import TestSupport
import XCTest

final class ChannelConcatTests: XCTestCase {
    /// Each case is the list of part shapes: 4-D with odd planes, 2-D, a single part, a large batch.
    static let cases: [[[Int]]] = [
        [[2, 3, 4, 5], [2, 1, 4, 5], [2, 6, 4, 5]],
        [[3, 2], [3, 5]],
        [[1, 4, 3, 3]],
        [[5, 2, 1, 1], [5, 3, 1, 1], [5, 1, 1, 1], [5, 4, 1, 1]],
        [[64, 8, 7, 7], [64, 16, 7, 7]],
    ]

    func testMatchesReferenceForwardAndBackward() {
        for (index, shapes) in Self.cases.enumerated() {
            let parts = shapes.enumerated().map { randomTensor($1, seed: UInt64(index * 10 + $0)) }
            let y = ChannelConcat.forward(parts)
            XCTAssertEqual(y, ChannelConcatReference.forward(parts), "forward \(shapes)")
            let channelCounts = shapes.map { $0[1] }
            let dy = randomTensor(y.shape, seed: UInt64(index + 100))
            for part in parts.indices {
                let start = randomTensor(shapes[part], seed: 7)
                var dx = start, dxRef = start
                ChannelConcat.backward(dy, part: part, channelCounts: channelCounts, into: &dx)
                ChannelConcatReference.backward(dy, part: part, channelCounts: channelCounts, into: &dxRef)
                XCTAssertEqual(dx, dxRef, "backward \(shapes) part \(part)")
            }
        }
    }

    func testLayoutByHand() {
        let a = Tensor(shape: [2, 1, 2], data: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2, 2], data: [5, 6, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(ChannelConcat.forward([a, b]),
                       Tensor(shape: [2, 3, 2], data: [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]))
    }

    func testGradientsMatchFiniteDifferences() {
        for (index, shapes) in Self.cases.prefix(4).enumerated() {
            let parts = shapes.enumerated().map { randomTensor($1, seed: UInt64(index * 10 + $0)) }
            let channelCounts = shapes.map { $0[1] }
            let r = lossWeights(ChannelConcat.forward(parts).shape)
            for part in parts.indices {
                var dx = Tensor(zeros: shapes[part])
                ChannelConcat.backward(r, part: part, channelCounts: channelCounts, into: &dx)
                let numeric = numericalGradient(at: parts[part]) { probe in
                    var probed = parts
                    probed[part] = probe
                    return ChannelConcat.forward(probed).dot(r)
                }
                assertClose(dx, numeric, rtol: 1e-2, atol: 2e-3, "\(shapes) part \(part)")
            }
        }
    }
}
