// DepthwiseConv2d: convolution with one filter per channel (groups = C = O), done directly per plane.
//   input: (N, C, H, W)   weight: (C, 1, KH, KW)   output: (N, C, OH, OW)

/// im2col + GEMM degenerates here into C products of one row each (M = 1, K = KH·KW), which costs
/// more in call overhead than it computes when planes are small. Measured (forward + both backward
/// products, batch 32, 2 threads): 8×8 planes, 384 channels: 12.9 ms direct vs 23.4 ms im2col; but
/// 32×32 planes, 144 channels: 38.8 vs 28.5 ms, so large planes keep the im2col path.
enum DepthwiseConv2d {
    static let largestPlane = 256

    static func applies(to g: Conv2dGeometry) -> Bool {
        g.groups > 1 && g.inPerGroup == 1 && g.outPerGroup == 1 && g.outputPlane <= largestPlane
    }

    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        _ g: Conv2dGeometry) {
        forEachPlane(g) { plane, c in
            let output = y + plane * g.outputPlane
            output.update(repeating: 0, count: g.outputPlane)
            forEachTap(g) { ki, kj, oh, first, end, ih, iwFirst in
                let weight = w[(c * g.kernelHeight + ki) * g.kernelWidth + kj]
                let input = x + plane * g.inputPlane + ih * g.width
                let row = output + oh * g.outWidth
                var iw = iwFirst
                for ow in first..<end {
                    row[ow] += weight * input[iw]
                    iw += g.strideWidth
                }
            }
        }
    }

    /// gradInput += ∂L/∂input.
    static func backwardInput(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                              _ g: Conv2dGeometry) {
        forEachPlane(g) { plane, c in
            forEachTap(g) { ki, kj, oh, first, end, ih, iwFirst in
                let weight = w[(c * g.kernelHeight + ki) * g.kernelWidth + kj]
                let target = dx + plane * g.inputPlane + ih * g.width
                let row = dy + plane * g.outputPlane + oh * g.outWidth
                var iw = iwFirst
                for ow in first..<end {
                    target[iw] += weight * row[ow]
                    iw += g.strideWidth
                }
            }
        }
    }

    /// gradWeight += ∂L/∂weight; one task per channel sums over the images, so no two tasks share a value.
    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                               _ g: Conv2dGeometry) {
        Parallel.forEach(g.outChannels) { range in
            for c in range {
                for n in 0..<g.batch {
                    let plane = n * g.outChannels + c
                    forEachTap(g) { ki, kj, oh, first, end, ih, iwFirst in
                        let input = x + plane * g.inputPlane + ih * g.width
                        let row = dy + plane * g.outputPlane + oh * g.outWidth
                        var total: Float = 0
                        var iw = iwFirst
                        for ow in first..<end {
                            total += row[ow] * input[iw]
                            iw += g.strideWidth
                        }
                        dw[(c * g.kernelHeight + ki) * g.kernelWidth + kj] += total
                    }
                }
            }
        }
    }

    /// Every (image, channel) plane in parallel, with its channel; no two planes share a value.
    @inline(__always)
    private static func forEachPlane(_ g: Conv2dGeometry, _ body: (_ plane: Int, _ channel: Int) -> Void) {
        Parallel.forEach(g.batch * g.outChannels, grain: max(1, 4096 / max(1, g.outputPlane))) { range in
            for plane in range { body(plane, plane % g.outChannels) }
        }
    }

    /// Every (kernel tap, output row) whose input row lies inside the image, with the output columns
    /// `first ..< end` whose input column does too, and that row's first input column.
    @inline(__always)
    private static func forEachTap(_ g: Conv2dGeometry,
                                   _ body: (_ ki: Int, _ kj: Int, _ oh: Int, _ first: Int, _ end: Int, _ ih: Int,
                                            _ iwFirst: Int) -> Void) {
        for ki in 0..<g.kernelHeight {
            for kj in 0..<g.kernelWidth {
                let offset = kj - g.padWidth
                let first = offset >= 0 ? 0 : (-offset + g.strideWidth - 1) / g.strideWidth
                let limit = g.width - offset
                let end = limit <= 0 ? 0 : min(g.outWidth, (limit + g.strideWidth - 1) / g.strideWidth)
                guard first < end else { continue }
                for oh in 0..<g.outHeight {
                    let ih = oh * g.strideHeight - g.padHeight + ki
                    if ih < 0 || ih >= g.height { continue }
                    body(ki, kj, oh, first, end, ih, first * g.strideWidth + offset)
                }
            }
        }
    }
}
