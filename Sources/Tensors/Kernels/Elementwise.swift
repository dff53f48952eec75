// Elementwise: the parallel elementwise loops that the activation, residual and dropout kernels share.
//   inputs: any shape, all the same   output: that shape

/// The loops run 16 lanes at a time; a closure sees whole vectors, and a range's last vector is
/// partial (its unused lanes are zeros and are never stored).
enum Elementwise {
    typealias Lanes = SIMD16<Float>

    /// Below this many elements a loop stays on the calling thread.
    static let grain = 16_384

    static func map(_ x: Tensor, _ transform: (Lanes) -> Lanes) -> Tensor {
        x.withUnsafePointer { src in
            Tensor(uninitializedShape: x.shape) { dst in
                forEachVector(x.count) { i, lanes in
                    Lanes.store(transform(Lanes.load(src + i, lanes: lanes)), dst + i, lanes: lanes)
                }
            }
        }
    }

    static func map(_ a: Tensor, _ b: Tensor, _ name: String, _ combine: (Lanes, Lanes) -> Lanes) -> Tensor {
        precondition(a.shape == b.shape, "\(name): shapes \(a.shape) and \(b.shape) differ")
        return a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                Tensor(uninitializedShape: a.shape) { dst in
                    forEachVector(a.count) { i, lanes in
                        Lanes.store(combine(Lanes.load(pa + i, lanes: lanes), Lanes.load(pb + i, lanes: lanes)),
                                    dst + i, lanes: lanes)
                    }
                }
            }
        }
    }

    /// destination[i] += combine(a[i], b[i]).
    static func accumulate(_ a: Tensor, _ b: Tensor, into destination: inout Tensor, _ name: String,
                           _ combine: (Lanes, Lanes) -> Lanes) {
        precondition(a.shape == b.shape && destination.shape == a.shape,
                     "\(name) backward: shapes \(a.shape), \(b.shape), \(destination.shape) differ")
        a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                destination.withUnsafeMutablePointer { dst in
                    forEachVector(a.count) { i, lanes in
                        let sum = Lanes.load(dst + i, lanes: lanes)
                            + combine(Lanes.load(pa + i, lanes: lanes), Lanes.load(pb + i, lanes: lanes))
                        Lanes.store(sum, dst + i, lanes: lanes)
                    }
                }
            }
        }
    }

    @inline(__always)
    static func forEachVector(_ count: Int, _ body: (_ start: Int, _ lanes: Int) -> Void) {
        Lanes.forEachVector(count: count, grain: grain, body)
    }
}
