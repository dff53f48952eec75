// MaxPool2d: max pooling with argmax indices, forward and backward, as torch's max_pool2d_with_indices.
//   input: (N, C, H, W)   output: (N, C, OH, OW)   indices: N·C·OH·OW flat positions within an H·W plane
// Padding counts as −∞, so a window's maximum always comes from the input. Within a window the
// first maximum wins, and a NaN wins over any number, so NaN propagates as in torch.

public enum MaxPool2d {
    public static func forward(_ x: Tensor, geometry g: Pool2dGeometry) -> (output: Tensor, indices: [Int32]) {
        precondition(x.shape == g.inputShape, "max_pool2d input \(x.shape) does not match \(g)")
        precondition(g.inputPlane <= Int(Int32.max), "max_pool2d plane \(g.height)×\(g.width) too large for Int32 indices")
        let rows = PoolWindows(size: g.height, count: g.outHeight, kernel: g.kernelHeight, stride: g.strideHeight,
                               pad: g.padHeight)
        let columns = PoolWindows(size: g.width, count: g.outWidth, kernel: g.kernelWidth, stride: g.strideWidth,
                                  pad: g.padWidth)
        var output = Tensor(zeros: g.outputShape)
        var indices = [Int32](repeating: 0, count: output.count)
        let inPlane = g.inputPlane, outPlane = g.outputPlane, width = g.width
        x.withUnsafePointer { src in
            output.withUnsafeMutablePointer { dst in
                indices.withUnsafeMutableBufferPointer { buffer in
                    guard let idx = buffer.baseAddress else { return }
                    Parallel.forEach(g.planes, grain: PoolWindows.grain(plane: inPlane)) { range in
                        for p in range {
                            forwardPlane(src + p * inPlane, height: g.height, width: width, rows: rows,
                                         columns: columns, dst + p * outPlane, idx + p * outPlane)
                        }
                    }
                }
            }
        }
        return (output, indices)
    }

    /// gradInput += gradOutput routed to each window's argmax.
    public static func backward(_ gradOutput: Tensor, indices: [Int32], geometry g: Pool2dGeometry,
                                into gradInput: inout Tensor) {
        precondition(gradOutput.shape == g.outputShape && gradInput.shape == g.inputShape,
                     "max_pool2d backward shapes \(gradOutput.shape), \(gradInput.shape) do not match \(g)")
        precondition(indices.count == gradOutput.count, "max_pool2d backward needs one index per output value")
        scatter(gradOutput, indices: indices, planes: g.planes, inputPlane: g.inputPlane, into: &gradInput)
    }

    // MARK: - Pointer kernels, shared with the adaptive pools

    /// Maximum and its flat index for every window of one (height, width) plane.
    static func forwardPlane(_ x: UnsafePointer<Float>, height: Int, width: Int, rows: PoolWindows,
                             columns: PoolWindows, _ y: UnsafeMutablePointer<Float>,
                             _ indices: UnsafeMutablePointer<Int32>) {
        // Without NaN, `>` alone is torch's rule and compiles to selects; the NaN test would turn
        // each step into an unpredictable branch, so only planes that hold a NaN pay for it.
        if containsNaN(x, count: height * width) {
            forwardWindows(x, width: width, rows: rows, columns: columns, y, indices, propagateNaN: true)
            return
        }
        let vectors = StridedColumns.vectorRange(columns, width: width)
        forwardWindows(x, width: width, rows: rows, columns: columns, y, indices, propagateNaN: false,
                       skipping: vectors)
        for oh in 0..<rows.count {
            StridedColumns.forEachVector(vectors) { ow in
                let out = oh * columns.count + ow
                StridedColumns.forward(x, width: width, rows: rows.start[oh]..<rows.end[oh], firstOutput: ow, columns,
                                       y + out, indices + out)
            }
        }
    }

    @inline(__always)
    private static func forwardWindows(_ x: UnsafePointer<Float>, width: Int, rows: PoolWindows, columns: PoolWindows,
                                       _ y: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>,
                                       propagateNaN: Bool, skipping: Range<Int> = 0..<0) {
        for oh in 0..<rows.count {
            let h0 = rows.start[oh], h1 = rows.end[oh]
            for ow in 0..<columns.count where !skipping.contains(ow) {
                let out = oh * columns.count + ow
                let w0 = columns.start[ow], w1 = columns.end[ow]
                var best = -Float.infinity
                // torch's starting index: it stands when every value in the window is −∞.
                var bestIndex = h0 * width + w0
                for ih in h0..<h1 {
                    let row = ih * width
                    for index in (row + w0)..<(row + w1) {
                        let value = x[index]
                        let wins = propagateNaN ? value > best || value.isNaN : value > best
                        best = wins ? value : best
                        bestIndex = wins ? index : bestIndex
                    }
                }
                y[out] = best
                indices[out] = Int32(truncatingIfNeeded: bestIndex)
            }
        }
    }

    /// Eight neighbouring outputs of one row at once, for stride-2 columns (ResNet's 3×3 stride-2
    /// pool): lane l reads every other input column, so the scan runs across outputs instead of
    /// along one window's chain of compares, in the same (row, column) order with the same `>` rule.
    enum StridedColumns {
        typealias Lanes = SIMD8<Float>

        /// The outputs whose windows lie inside the row, unclipped, when they fill at least one vector.
        /// `forEachVector` covers them, its last vector overlapping the one before.
        static func vectorRange(_ columns: PoolWindows, width: Int) -> Range<Int> {
            guard let fixed = columns.fixed, fixed.stride == 2 else { return 0..<0 }
            let first = (fixed.pad + 1) / 2
            // Output ow's window ends at 2·ow − pad + kernel, which must not pass the row.
            let last = min(columns.count, (width + fixed.pad - fixed.kernel) / 2 + 1)
            return last - first >= Lanes.scalarCount ? first..<last : 0..<0
        }

        /// Calls `body(first output)` for vectors covering `range`; an overlapped output is written
        /// twice with the same value.
        @inline(__always)
        static func forEachVector(_ range: Range<Int>, _ body: (Int) -> Void) {
            var ow = range.lowerBound
            while ow < range.upperBound {
                body(min(ow, range.upperBound - Lanes.scalarCount))
                ow += Lanes.scalarCount
            }
        }

        @inline(__always)
        static func forward(_ x: UnsafePointer<Float>, width: Int, rows: Range<Int>, firstOutput ow: Int,
                            _ columns: PoolWindows, _ y: UnsafeMutablePointer<Float>,
                            _ indices: UnsafeMutablePointer<Int32>) {
            guard let fixed = columns.fixed else { return }
            let step = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
            let left = 2 * ow - fixed.pad
            var best = Lanes(repeating: -.infinity)
            var bestIndex = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: rows.lowerBound * width + left)) &+ step
            for ih in rows {
                for kw in 0..<fixed.kernel {
                    let start = ih * width + left + kw
                    // Lanes 0…7 hold x[start + 2l]: even lanes of x[start…start+7] and odd lanes of
                    // x[start+7…start+14], so no load passes the window's last column.
                    let low = UnsafeRawPointer(x + start).loadUnaligned(as: Lanes.self)
                    let high = UnsafeRawPointer(x + start + 7).loadUnaligned(as: Lanes.self)
                    let values = Lanes(lowHalf: low.evenHalf, highHalf: high.oddHalf)
                    let wins = values .> best
                    best.replace(with: values, where: wins)
                    bestIndex.replace(with: SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: start)) &+ step,
                                      where: wins)
                }
            }
            UnsafeMutableRawPointer(y).storeBytes(of: best, as: Lanes.self)
            UnsafeMutableRawPointer(indices).storeBytes(of: bestIndex, as: SIMD8<Int32>.self)
        }
    }

    static func containsNaN(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        var nan = SIMDMask<SIMD16<Int32>>()
        SIMD16<Float>.forEachVector(in: 0..<count) { i, lanes in
            let v = SIMD16<Float>.load(x + i, lanes: lanes)
            nan = nan .| (v .!= v)
        }
        return any(nan)
    }

    /// dx[p, indices[p, i]] += dy[p, i] for every plane p of a (planes, outPlane) gradient.
    static func scatter(_ gradOutput: Tensor, indices: [Int32], planes: Int, inputPlane: Int,
                        into gradInput: inout Tensor) {
        let outPlane = planes == 0 ? 0 : gradOutput.count / planes
        gradOutput.withUnsafePointer { dy in
            gradInput.withUnsafeMutablePointer { dx in
                indices.withUnsafeBufferPointer { buffer in
                    guard let idx = buffer.baseAddress else { return }
                    Parallel.forEach(planes, grain: PoolWindows.grain(plane: outPlane)) { range in
                        for p in range {
                            scatterPlane(dy + p * outPlane, idx + p * outPlane, count: outPlane,
                                         inputPlane: inputPlane, dx + p * inputPlane)
                        }
                    }
                }
            }
        }
    }

    static func scatterPlane(_ dy: UnsafePointer<Float>, _ indices: UnsafePointer<Int32>, count: Int, inputPlane: Int,
                             _ dx: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let target = Int(indices[i])
            // The indices are caller data: a bad one must trap, not write outside the plane.
            precondition(target >= 0 && target < inputPlane, "max-pool index \(target) outside a plane of \(inputPlane)")
            dx[target] += dy[i]
        }
    }
}
