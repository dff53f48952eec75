// AdaptiveConcatPool2dReference: fastai's cat([max, avg], 1) built from the two naive adaptive pools.
//   input: (N, C, H, W)   output: (N, 2C, OH, OW)   maxIndices: N·C·OH·OW flat positions within an H·W plane

public enum AdaptiveConcatPool2dReference {
    public static func forward(_ x: Tensor, outputSize: (Int, Int) = (1, 1)) -> (output: Tensor, maxIndices: [Int32]) {
        let (maxed, indices) = AdaptiveMaxPool2dReference.forward(x, outputSize: outputSize)
        let averaged = AdaptiveAvgPool2dReference.forward(x, outputSize: outputSize)
        let (batch, channels) = (x.shape[0], x.shape[1])
        var output = Tensor(zeros: [batch, 2 * channels, outputSize.0, outputSize.1])
        for n in 0..<batch {
            for c in 0..<channels {
                for oh in 0..<outputSize.0 {
                    for ow in 0..<outputSize.1 {
                        output[n, c, oh, ow] = maxed[n, c, oh, ow]
                        output[n, channels + c, oh, ow] = averaged[n, c, oh, ow]
                    }
                }
            }
        }
        return (output, indices)
    }

    public static func backward(_ gradOutput: Tensor, maxIndices: [Int32], inputShape: [Int],
                                into gradInput: inout Tensor) {
        let (batch, channels, outHeight, outWidth) = (inputShape[0], inputShape[1], gradOutput.shape[2],
                                                      gradOutput.shape[3])
        var maxGrad = Tensor(zeros: [batch, channels, outHeight, outWidth])
        var avgGrad = maxGrad
        for n in 0..<batch {
            for c in 0..<channels {
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        maxGrad[n, c, oh, ow] = gradOutput[n, c, oh, ow]
                        avgGrad[n, c, oh, ow] = gradOutput[n, channels + c, oh, ow]
                    }
                }
            }
        }
        AdaptiveMaxPool2dReference.backward(maxGrad, indices: maxIndices, into: &gradInput)
        AdaptiveAvgPool2dReference.backward(avgGrad, inputShape: inputShape, into: &gradInput)
    }
}
