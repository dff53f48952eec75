// AvgPool2d: average pooling, forward and backward, with torch's avg_pool2d divisors.
//   input: (N, C, H, W)   output: (N, C, OH, OW)
// With count_include_pad the divisor is the window's size including padding, but a ceil_mode
// window is cut at H + pad: the extra output does not average over padding beyond it. Without
// count_include_pad the divisor is the number of input values in the window.

public enum AvgPool2d {
    public static func forward(_ x: Tensor, geometry g: Pool2dGeometry, countIncludePad: Bool = true) -> Tensor {
        precondition(x.shape == g.inputShape, "avg_pool2d input \(x.shape) does not match \(g)")
        let (rows, columns) = windows(g)
        var output = Tensor(zeros: g.outputShape)
        let inPlane = g.inputPlane, outPlane = g.outputPlane, width = g.width
        x.withUnsafePointer { src in
            output.withUnsafeMutablePointer { dst in
                Parallel.forEach(g.planes, grain: PoolWindows.grain(plane: inPlane)) { range in
                    for p in range {
                        forwardPlane(src + p * inPlane, width: width, rows: rows, columns: columns,
                                     countIncludePad: countIncludePad, dst + p * outPlane)
                    }
                }
            }
        }
        return output
    }

    /// gradInput += each output gradient spread evenly (by the forward divisor) over its window.
    public static func backward(_ gradOutput: Tensor, geometry g: Pool2dGeometry, countIncludePad: Bool = true,
                                into gradInput: inout Tensor) {
        precondition(gradOutput.shape == g.outputShape && gradInput.shape == g.inputShape,
                     "avg_pool2d backward shapes \(gradOutput.shape), \(gradInput.shape) do not match \(g)")
        let (rows, columns) = windows(g)
        let inPlane = g.inputPlane, outPlane = g.outputPlane, width = g.width
        gradOutput.withUnsafePointer { dy in
            gradInput.withUnsafeMutablePointer { dx in
                Parallel.forEach(g.planes, grain: PoolWindows.grain(plane: inPlane)) { range in
                    for p in range {
                        backwardPlane(dy + p * outPlane, width: width, rows: rows, columns: columns,
                                      countIncludePad: countIncludePad, dx + p * inPlane)
                    }
                }
            }
        }
    }

    private static func windows(_ g: Pool2dGeometry) -> (rows: PoolWindows, columns: PoolWindows) {
        (PoolWindows(size: g.height, count: g.outHeight, kernel: g.kernelHeight, stride: g.strideHeight,
                     pad: g.padHeight),
         PoolWindows(size: g.width, count: g.outWidth, kernel: g.kernelWidth, stride: g.strideWidth,
                     pad: g.padWidth))
    }

    // MARK: - Pointer kernels, shared with the adaptive pools

    /// Adaptive windows have no padding, so either divisor is the window's size there.
    @inline(__always)
    private static func divisor(_ rows: PoolWindows, _ oh: Int, _ columns: PoolWindows, _ ow: Int,
                                countIncludePad: Bool) -> Float {
        countIncludePad
            ? Float(rows.paddedExtent[oh] * columns.paddedExtent[ow])
            : Float((rows.end[oh] - rows.start[oh]) * (columns.end[ow] - columns.start[ow]))
    }

    static func forwardPlane(_ x: UnsafePointer<Float>, width: Int, rows: PoolWindows, columns: PoolWindows,
                             countIncludePad: Bool, _ y: UnsafeMutablePointer<Float>) {
        var out = 0
        for oh in 0..<rows.count {
            let h0 = rows.start[oh], h1 = rows.end[oh]
            for ow in 0..<columns.count {
                let w0 = columns.start[ow], w1 = columns.end[ow]
                var sum: Float = 0
                for ih in h0..<h1 {
                    let row = x + ih * width
                    for iw in w0..<w1 { sum += row[iw] }
                }
                y[out] = sum / divisor(rows, oh, columns, ow, countIncludePad: countIncludePad)
                out += 1
            }
        }
    }

    static func backwardPlane(_ dy: UnsafePointer<Float>, width: Int, rows: PoolWindows, columns: PoolWindows,
                              countIncludePad: Bool, _ dx: UnsafeMutablePointer<Float>) {
        var out = 0
        for oh in 0..<rows.count {
            let h0 = rows.start[oh], h1 = rows.end[oh]
            for ow in 0..<columns.count {
                let w0 = columns.start[ow], w1 = columns.end[ow]
                let share = dy[out] / divisor(rows, oh, columns, ow, countIncludePad: countIncludePad)
                for ih in h0..<h1 {
                    let row = dx + ih * width
                    for iw in w0..<w1 { row[iw] += share }
                }
                out += 1
            }
        }
    }
}
