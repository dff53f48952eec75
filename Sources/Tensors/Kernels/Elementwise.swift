// Elementwise: the parallel elementwise loops that the activation and dropout kernels share.
//   inputs: any shape, all the same   output: that shape

enum Elementwise {
    /// Below this many elements a loop stays on the calling thread.
    static let grain = 16_384

    static func map(_ x: Tensor, _ transform: (Float) -> Float) -> Tensor {
        var output = Tensor(zeros: x.shape)
        let n = x.count
        x.withUnsafePointer { src in
            output.withUnsafeMutablePointer { dst in
                Parallel.forEach(n, grain: grain) { range in
                    for i in range { dst[i] = transform(src[i]) }
                }
            }
        }
        return output
    }

    static func map(_ a: Tensor, _ b: Tensor, _ name: String, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape, "\(name): shapes \(a.shape) and \(b.shape) differ")
        var output = Tensor(zeros: a.shape)
        let n = a.count
        a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                output.withUnsafeMutablePointer { dst in
                    Parallel.forEach(n, grain: grain) { range in
                        for i in range { dst[i] = combine(pa[i], pb[i]) }
                    }
                }
            }
        }
        return output
    }

    /// destination[i] += combine(a[i], b[i]).
    static func accumulate(_ a: Tensor, _ b: Tensor, into destination: inout Tensor, _ name: String,
                           _ combine: (Float, Float) -> Float) {
        precondition(a.shape == b.shape && destination.shape == a.shape,
                     "\(name) backward: shapes \(a.shape), \(b.shape), \(destination.shape) differ")
        let n = a.count
        a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                destination.withUnsafeMutablePointer { dst in
                    Parallel.forEach(n, grain: grain) { range in
                        for i in range { dst[i] += combine(pa[i], pb[i]) }
                    }
                }
            }
        }
    }
}
