// AdaptiveMaxPool2dReference: the naive adaptive max pooling that AdaptiveMaxPool2d is tested against.
//   input: (N, C, H, W)   output: (N, C, OH, OW)   indices: N·C·OH·OW flat positions within an H·W plane

public enum AdaptiveMaxPool2dReference {
    public static func forward(_ x: Tensor, outputSize: (Int, Int)) -> (output: Tensor, indices: [Int32]) {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var output = Tensor(zeros: [batch, channels, outputSize.0, outputSize.1])
        var indices = [Int32](repeating: -1, count: output.count)
        for n in 0..<batch {
            for c in 0..<channels {
                for oh in 0..<outputSize.0 {
                    for ow in 0..<outputSize.1 {
                        // The first tap starts the search; later ones replace it only when larger, or NaN.
                        var best: Float = 0
                        var bestIndex = -1
                        for ih in adaptiveWindow(oh, input: height, output: outputSize.0) {
                            for iw in adaptiveWindow(ow, input: width, output: outputSize.1) {
                                let value = x[n, c, ih, iw]
                                if bestIndex < 0 || value > best || value.isNaN {
                                    best = value
                                    bestIndex = ih * width + iw
                                }
                            }
                        }
                        output[n, c, oh, ow] = best
                        indices[((n * channels + c) * outputSize.0 + oh) * outputSize.1 + ow] = Int32(bestIndex)
                    }
                }
            }
        }
        return (output, indices)
    }

    public static func backward(_ gradOutput: Tensor, indices: [Int32], into gradInput: inout Tensor) {
        let (batch, channels, outHeight, outWidth) = (gradOutput.shape[0], gradOutput.shape[1], gradOutput.shape[2],
                                                      gradOutput.shape[3])
        let width = gradInput.shape[3]
        for n in 0..<batch {
            for c in 0..<channels {
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        let i = Int(indices[((n * channels + c) * outHeight + oh) * outWidth + ow])
                        gradInput[n, c, i / width, i % width] += gradOutput[n, c, oh, ow]
                    }
                }
            }
        }
    }
}
