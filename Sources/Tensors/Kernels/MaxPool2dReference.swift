// MaxPool2dReference: the naive max pooling that the optimised MaxPool2d is tested against.
//   input: (N, C, H, W)   output: (N, C, OH, OW)   indices: N·C·OH·OW flat positions within an H·W plane

public enum MaxPool2dReference {
    public static func forward(_ x: Tensor, geometry g: Pool2dGeometry) -> (output: Tensor, indices: [Int32]) {
        var output = Tensor(zeros: g.outputShape)
        var indices = [Int32](repeating: -1, count: output.count)
        for n in 0..<g.batch {
            for c in 0..<g.channels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        // Taps in the padding are −∞ and never win, so only input taps are visited; the
                        // first one starts the search and later ones replace it only when larger, or NaN.
                        var best: Float = 0
                        var bestIndex = -1
                        for ki in 0..<g.kernelHeight {
                            let ih = oh * g.strideHeight - g.padHeight + ki
                            if ih < 0 || ih >= g.height { continue }
                            for kj in 0..<g.kernelWidth {
                                let iw = ow * g.strideWidth - g.padWidth + kj
                                if iw < 0 || iw >= g.width { continue }
                                let value = x[n, c, ih, iw]
                                if bestIndex < 0 || value > best || value.isNaN {
                                    best = value
                                    bestIndex = ih * g.width + iw
                                }
                            }
                        }
                        output[n, c, oh, ow] = best
                        indices[((n * g.channels + c) * g.outHeight + oh) * g.outWidth + ow] = Int32(bestIndex)
                    }
                }
            }
        }
        return (output, indices)
    }

    public static func backward(_ gradOutput: Tensor, indices: [Int32], geometry g: Pool2dGeometry,
                                into gradInput: inout Tensor) {
        for n in 0..<g.batch {
            for c in 0..<g.channels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        let i = Int(indices[((n * g.channels + c) * g.outHeight + oh) * g.outWidth + ow])
                        gradInput[n, c, i / g.width, i % g.width] += gradOutput[n, c, oh, ow]
                    }
                }
            }
        }
    }
}
