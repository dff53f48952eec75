// Pool2dGeometryTests: torch's pooling output sizes, and the geometries the pooling tests share.

import Tensors
import TestSupport
import XCTest

/// Odd sizes, stride 2, padding, ceil_mode (including windows it drops), non-square kernels and
/// strides, overlapping windows, 1×1 kernels, and one case large enough to run in parallel.
let poolTestGeometries: [Pool2dGeometry] = [
    Pool2dGeometry(input: [2, 3, 7, 7], kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
    Pool2dGeometry(input: [2, 3, 8, 9], kernel: (2, 2)),
    Pool2dGeometry(input: [1, 2, 5, 5], kernel: (2, 2), ceilMode: true),
    Pool2dGeometry(input: [2, 2, 6, 7], kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true),
    Pool2dGeometry(input: [1, 3, 5, 8], kernel: (3, 2), stride: (1, 2), padding: (1, 0)),
    Pool2dGeometry(input: [2, 1, 3, 3], kernel: (2, 2), stride: (2, 2), padding: (1, 1), ceilMode: true),
    Pool2dGeometry(input: [1, 2, 5, 5], kernel: (3, 3), stride: (3, 3), padding: (1, 1), ceilMode: true),
    Pool2dGeometry(input: [1, 2, 5, 6], kernel: (3, 3), stride: (1, 1), padding: (1, 1)),
    Pool2dGeometry(input: [1, 2, 4, 5], kernel: (1, 1), stride: (2, 2)),
    Pool2dGeometry(input: [3, 2, 9, 11], kernel: (4, 3), stride: (3, 2), padding: (2, 1), ceilMode: true),
    Pool2dGeometry(input: [1, 1, 1, 1], kernel: (1, 1)),
    Pool2dGeometry(input: [4, 16, 32, 31], kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true),
    // Several eight-output vectors per row with clipped windows on both sides (MaxPool2d's strided path).
    Pool2dGeometry(input: [2, 3, 9, 70], kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
    Pool2dGeometry(input: [1, 2, 6, 41], kernel: (2, 2), stride: (2, 2)),
    Pool2dGeometry(input: [1, 2, 7, 44], kernel: (4, 4), stride: (2, 2), padding: (2, 2), ceilMode: true),
]

final class Pool2dGeometryTests: XCTestCase {
    /// (size, kernel, stride, pad, ceil) → output size, as printed by torch's F.max_pool2d.
    func testOutputSizeFollowsTorch() {
        let expected: [(Int, Int, Int, Int, Bool, Int)] = [
            (3, 2, 2, 1, true, 2),  // ceil would add a window starting in the right padding: dropped
            (5, 3, 3, 1, true, 2),  // likewise
            (5, 2, 2, 0, true, 3),
            (5, 2, 2, 0, false, 2),
            (112, 3, 2, 1, false, 56),
            (7, 3, 2, 1, true, 4),
            (6, 3, 2, 1, true, 4),
            (4, 3, 2, 1, true, 3),
            (224, 7, 2, 3, false, 112),
            (1, 1, 1, 0, false, 1),
            (2, 3, 1, 1, false, 2),
            (8, 4, 3, 2, true, 4),
        ]
        for (size, kernel, stride, pad, ceil, out) in expected {
            XCTAssertEqual(Pool2dGeometry.outputSize(size, kernel: kernel, stride: stride, pad: pad, ceilMode: ceil), out,
                           "size \(size) k\(kernel) s\(stride) p\(pad) ceil \(ceil)")
            let g = Pool2dGeometry(input: [1, 1, size, size], kernel: (kernel, kernel), stride: (stride, stride),
                                   padding: (pad, pad), ceilMode: ceil)
            XCTAssertEqual(g.outputShape, [1, 1, out, out])
        }
        XCTAssertEqual(Pool2dGeometry.outputSize(1, kernel: 2, stride: 1, pad: 0, ceilMode: false), 0)
    }

    func testStrideDefaultsToKernelAndShapesAreNCHW() {
        let g = Pool2dGeometry(input: [2, 3, 9, 7], kernel: (3, 2))
        XCTAssertEqual(g.strideHeight, 3)
        XCTAssertEqual(g.strideWidth, 2)
        XCTAssertEqual(g.inputShape, [2, 3, 9, 7])
        XCTAssertEqual(g.outputShape, [2, 3, 3, 3])
        XCTAssertEqual(g, Pool2dGeometry(input: [2, 3, 9, 7], kernel: (3, 2), stride: (3, 2)))
        XCTAssertNotEqual(g, Pool2dGeometry(input: [2, 3, 9, 7], kernel: (3, 2), ceilMode: true))
    }
}
