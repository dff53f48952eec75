// ChannelConcatReference: channel concatenation element by element, for the ChannelConcat tests.
//   parts: (N, C_i, H, W) or (N, C_i)   output: (N, Σ C_i, H, W) or (N, Σ C_i)

public enum ChannelConcatReference {
    public static func forward(_ parts: [Tensor]) -> Tensor {
        let batch = parts[0].shape[0], plane = parts[0].shape.dropFirst(2).reduce(1, *)
        let total = parts.reduce(0) { $0 + $1.shape[1] }
        var shape = parts[0].shape
        shape[1] = total
        var output = Tensor(zeros: shape)
        for n in 0..<batch {
            var outChannel = 0
            for part in parts {
                for c in 0..<part.shape[1] {
                    for i in 0..<plane {
                        output.data[(n * total + outChannel) * plane + i] = part.data[(n * part.shape[1] + c) * plane + i]
                    }
                    outChannel += 1
                }
            }
        }
        return output
    }

    public static func backward(_ gradOutput: Tensor, part: Int, channelCounts: [Int], into gradInput: inout Tensor) {
        let batch = gradOutput.shape[0], plane = gradOutput.shape.dropFirst(2).reduce(1, *)
        let total = channelCounts.reduce(0, +)
        let first = channelCounts[..<part].reduce(0, +)
        let channels = channelCounts[part]
        for n in 0..<batch {
            for c in 0..<channels {
                for i in 0..<plane {
                    gradInput.data[(n * channels + c) * plane + i] += gradOutput.data[(n * total + first + c) * plane + i]
                }
            }
        }
    }
}
