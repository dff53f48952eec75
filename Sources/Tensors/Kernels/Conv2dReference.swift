// Conv2dReference: the naive seven-loop convolution that the optimised Conv2d is tested against.
//   input: (N, C, H, W)   weight: (O, C/groups, KH, KW)   bias: (O)   output: (N, O, OH, OW)

public enum Conv2dReference {
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry) -> Tensor {
        var output = Tensor(zeros: g.outputShape)
        forEachTap(g) { n, o, oh, ow, c, ih, iw, ki, kj, outIndex in
            output.data[outIndex] += input[n, c, ih, iw] * weight[o, c % g.inPerGroup, ki, kj]
        }
        if let bias {
            for n in 0..<g.batch { for o in 0..<g.outChannels { for i in 0..<g.outputPlane {
                output.data[(n * g.outChannels + o) * g.outputPlane + i] += bias.data[o]
            } } }
        }
        return output
    }

    public static func backwardInput(_ gradOutput: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
                                     into gradInput: inout Tensor) {
        forEachTap(g) { n, o, oh, ow, c, ih, iw, ki, kj, outIndex in
            gradInput[n, c, ih, iw] += gradOutput.data[outIndex] * weight[o, c % g.inPerGroup, ki, kj]
        }
    }

    public static func backwardWeight(_ gradOutput: Tensor, input: Tensor, geometry g: Conv2dGeometry,
                                      into gradWeight: inout Tensor) {
        forEachTap(g) { n, o, oh, ow, c, ih, iw, ki, kj, outIndex in
            gradWeight[o, c % g.inPerGroup, ki, kj] += gradOutput.data[outIndex] * input[n, c, ih, iw]
        }
    }

    public static func backwardBias(_ gradOutput: Tensor, geometry g: Conv2dGeometry, into gradBias: inout Tensor) {
        for n in 0..<g.batch { for o in 0..<g.outChannels { for i in 0..<g.outputPlane {
            gradBias.data[o] += gradOutput.data[(n * g.outChannels + o) * g.outputPlane + i]
        } } }
    }

    /// Visits every (output position, input tap) pair that lies inside the unpadded input.
    private static func forEachTap(_ g: Conv2dGeometry,
                                   _ body: (_ n: Int, _ o: Int, _ oh: Int, _ ow: Int, _ c: Int, _ ih: Int, _ iw: Int,
                                            _ ki: Int, _ kj: Int, _ outIndex: Int) -> Void) {
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let group = o / g.outPerGroup
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        let outIndex = ((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow
                        for cg in 0..<g.inPerGroup {
                            let c = group * g.inPerGroup + cg
                            for ki in 0..<g.kernelHeight {
                                let ih = oh * g.strideHeight - g.padHeight + ki
                                if ih < 0 || ih >= g.height { continue }
                                for kj in 0..<g.kernelWidth {
                                    let iw = ow * g.strideWidth - g.padWidth + kj
                                    if iw < 0 || iw >= g.width { continue }
                                    body(n, o, oh, ow, c, ih, iw, ki, kj, outIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
