// UnrolledConv2d: a convolution whose input plane fits in the kernel window, as one dense product.
//   input: (N, C, H, W) = X (N, C·Q)   weight: (O, C, KH, KW)   output: (N, O, OH, OW) = Y (N, O·P)
//   T: (O·P, C·Q) unrolled weight, T[o·P + p, c·Q + q] = w[o, c, tap(p, q)] or 0 where q is outside
//   p's window; P = OH·OW, Q = H·W.
//
// Y = X Tᵀ, dX += dY T, dT = dYᵀ X folded back onto the taps. When Q ≤ KH·KW (ResNet's 2×2 and 1×1
// late planes at small image sizes) T holds no more multiplies than im2col's columns and no fewer
// than the nonzero taps, and the whole convolution is one well-shaped GEMM with no unfold, no
// scatter and no Winograd transforms: NCHW planes already are the rows of X and Y.

enum UnrolledConv2d {
    /// T is kept only while it stays this small (floats); ResNet-18's largest is 512·4·512·4 = 4M.
    static let maximumFloats = 1 << 24

    static func applies(to g: Conv2dGeometry) -> Bool {
        g.groups == 1 && !g.isPointwise && g.inputPlane <= g.kernelHeight * g.kernelWidth
            && g.outChannels * g.outputPlane * g.inChannels * g.inputPlane <= maximumFloats
    }

    /// T's shape: (O·P, C·Q).
    static func unrolledShape(_ g: Conv2dGeometry) -> [Int] {
        [g.outChannels * g.outputPlane, g.inChannels * g.inputPlane]
    }

    /// tap[p · Q + q]: the kernel index kh · KW + kw that joins output position p to input position
    /// q, or −1 when q is outside p's window.
    static func taps(_ g: Conv2dGeometry) -> [Int] {
        var taps = [Int](repeating: -1, count: g.outputPlane * g.inputPlane)
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                for kh in 0..<g.kernelHeight {
                    let ih = oh * g.strideHeight - g.padHeight + kh
                    guard ih >= 0 && ih < g.height else { continue }
                    for kw in 0..<g.kernelWidth {
                        let iw = ow * g.strideWidth - g.padWidth + kw
                        guard iw >= 0 && iw < g.width else { continue }
                        taps[(oh * g.outWidth + ow) * g.inputPlane + ih * g.width + iw] = kh * g.kernelWidth + kw
                    }
                }
            }
        }
        return taps
    }

    /// T from w (into: O·P·C·Q floats).
    static func unroll(_ w: UnsafePointer<Float>, _ g: Conv2dGeometry, into t: UnsafeMutablePointer<Float>) {
        let taps = taps(g)
        let p = g.outputPlane, q = g.inputPlane, kernel = g.kernelHeight * g.kernelWidth
        let rowLength = g.inChannels * q
        Parallel.forEach(g.outChannels * p, grain: max(1, 16_384 / rowLength)) { rows in
            for row in rows {
                let o = row / p, position = row % p
                let out = t + row * rowLength
                for c in 0..<g.inChannels {
                    let filter = w + (o * g.inChannels + c) * kernel
                    for i in 0..<q {
                        let tap = taps[position * q + i]
                        out[c * q + i] = tap < 0 ? 0 : filter[tap]
                    }
                }
            }
        }
    }

    /// `prepared` is T already unrolled from w, or nil to unroll w here.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ prepared: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ context: KernelContext) {
        let t = prepared ?? unrolledWeight(w, g, context)
        let rows = g.outChannels * g.outputPlane, columns = g.inChannels * g.inputPlane
        BLAS.sgemm(transB: true, m: g.batch, n: rows, k: columns, a: x, lda: columns, b: t, ldb: columns,
                   beta: 0, c: y, ldc: rows)
    }

    /// dx += ∂L/∂x.
    static func backwardInput(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ prepared: UnsafePointer<Float>?,
                              _ dx: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ context: KernelContext) {
        let t = prepared ?? unrolledWeight(w, g, context)
        let rows = g.outChannels * g.outputPlane, columns = g.inChannels * g.inputPlane
        BLAS.sgemm(m: g.batch, n: columns, k: rows, a: dy, lda: rows, b: t, ldb: columns,
                   beta: 1, c: dx, ldc: columns)
    }

    /// dw += ∂L/∂w: dT = dYᵀ X, then every tap sums the entries of dT it appears in.
    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                               _ dw: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ context: KernelContext) {
        let p = g.outputPlane, q = g.inputPlane, kernel = g.kernelHeight * g.kernelWidth
        let rows = g.outChannels * p, columns = g.inChannels * q
        let dt = context.buffer(.weightGradient, count: rows * columns)
        BLAS.sgemm(transA: true, m: rows, n: columns, k: g.batch, a: dy, lda: rows, b: x, ldb: columns,
                   beta: 0, c: dt, ldc: columns)
        let taps = taps(g)
        Parallel.forEach(g.outChannels, grain: max(1, 16_384 / (p * columns))) { range in
            for o in range {
                for c in 0..<g.inChannels {
                    let filter = dw + (o * g.inChannels + c) * kernel
                    for position in 0..<p {
                        let entries = dt + (o * p + position) * columns + c * q
                        for i in 0..<q {
                            let tap = taps[position * q + i]
                            if tap >= 0 { filter[tap] += entries[i] }
                        }
                    }
                }
            }
        }
    }

    /// T unrolled into its workspace, for callers that did not keep it.
    private static func unrolledWeight(_ w: UnsafePointer<Float>, _ g: Conv2dGeometry,
                                       _ context: KernelContext) -> UnsafePointer<Float> {
        let t = context.buffer(.transformedWeights, count: g.outChannels * g.outputPlane * g.inChannels * g.inputPlane)
        unroll(w, g, into: t)
        return UnsafePointer(t)
    }
}
