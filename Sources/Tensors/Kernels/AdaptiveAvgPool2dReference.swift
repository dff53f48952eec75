// AdaptiveAvgPool2dReference: the naive adaptive average pooling that AdaptiveAvgPool2d is tested against.
//   input: (N, C, H, W)   output: (N, C, OH, OW)

public enum AdaptiveAvgPool2dReference {
    public static func forward(_ x: Tensor, outputSize: (Int, Int)) -> Tensor {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var output = Tensor(zeros: [batch, channels, outputSize.0, outputSize.1])
        for n in 0..<batch {
            for c in 0..<channels {
                for oh in 0..<outputSize.0 {
                    let rows = adaptiveWindow(oh, input: height, output: outputSize.0)
                    for ow in 0..<outputSize.1 {
                        let columns = adaptiveWindow(ow, input: width, output: outputSize.1)
                        var sum: Float = 0
                        for ih in rows { for iw in columns { sum += x[n, c, ih, iw] } }
                        output[n, c, oh, ow] = sum / Float(rows.count * columns.count)
                    }
                }
            }
        }
        return output
    }

    public static func backward(_ gradOutput: Tensor, inputShape: [Int], into gradInput: inout Tensor) {
        let (outHeight, outWidth) = (gradOutput.shape[2], gradOutput.shape[3])
        for n in 0..<inputShape[0] {
            for c in 0..<inputShape[1] {
                for oh in 0..<outHeight {
                    let rows = adaptiveWindow(oh, input: inputShape[2], output: outHeight)
                    for ow in 0..<outWidth {
                        let columns = adaptiveWindow(ow, input: inputShape[3], output: outWidth)
                        let share = gradOutput[n, c, oh, ow] / Float(rows.count * columns.count)
                        for ih in rows { for iw in columns { gradInput[n, c, ih, iw] += share } }
                    }
                }
            }
        }
    }
}

/// torch's adaptive window of output i: [⌊i·input/output⌋, ⌈(i+1)·input/output⌉).
func adaptiveWindow(_ i: Int, input: Int, output: Int) -> Range<Int> {
    let start = Int((Double(i * input) / Double(output)).rounded(.down))
    let end = Int((Double((i + 1) * input) / Double(output)).rounded(.up))
    return start..<end
}
