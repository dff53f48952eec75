// AvgPool2dReference: the naive average pooling that the optimised AvgPool2d is tested against.
//   input: (N, C, H, W)   output: (N, C, OH, OW)

public enum AvgPool2dReference {
    public static func forward(_ x: Tensor, geometry g: Pool2dGeometry, countIncludePad: Bool = true) -> Tensor {
        var output = Tensor(zeros: g.outputShape)
        forEachWindow(g, countIncludePad: countIncludePad) { n, c, oh, ow, taps, divisor in
            var sum: Float = 0
            for (ih, iw) in taps { sum += x[n, c, ih, iw] }
            output[n, c, oh, ow] = sum / Float(divisor)
        }
        return output
    }

    public static func backward(_ gradOutput: Tensor, geometry g: Pool2dGeometry, countIncludePad: Bool = true,
                                into gradInput: inout Tensor) {
        forEachWindow(g, countIncludePad: countIncludePad) { n, c, oh, ow, taps, divisor in
            for (ih, iw) in taps { gradInput[n, c, ih, iw] += gradOutput[n, c, oh, ow] / Float(divisor) }
        }
    }

    /// Visits every window with its taps inside the input and torch's divisor: with count_include_pad
    /// the taps inside the padded input (H + 2·pad, W + 2·pad), otherwise the taps inside the input.
    private static func forEachWindow(_ g: Pool2dGeometry, countIncludePad: Bool,
                                      _ body: (_ n: Int, _ c: Int, _ oh: Int, _ ow: Int,
                                               _ taps: [(Int, Int)], _ divisor: Int) -> Void) {
        for n in 0..<g.batch {
            for c in 0..<g.channels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var taps: [(Int, Int)] = []
                        var paddedTaps = 0
                        for ki in 0..<g.kernelHeight {
                            let ih = oh * g.strideHeight - g.padHeight + ki
                            for kj in 0..<g.kernelWidth {
                                let iw = ow * g.strideWidth - g.padWidth + kj
                                if ih < g.height + g.padHeight && iw < g.width + g.padWidth { paddedTaps += 1 }
                                if ih >= 0 && ih < g.height && iw >= 0 && iw < g.width { taps.append((ih, iw)) }
                            }
                        }
                        body(n, c, oh, ow, taps, countIncludePad ? paddedTaps : taps.count)
                    }
                }
            }
        }
    }
}
