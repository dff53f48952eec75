// AdaptiveMaxPool2d: max pooling to a fixed output size with argmax indices, as torch's adaptive_max_pool2d.
//   input: (N, C, H, W)   output: (N, C, OH, OW)   indices: N·C·OH·OW flat positions within an H·W plane
// Windows are AdaptiveAvgPool2d's; within a window the first maximum wins and NaN propagates,
// as in MaxPool2d.

public enum AdaptiveMaxPool2d {
    public static func forward(_ x: Tensor, outputSize: (Int, Int)) -> (output: Tensor, indices: [Int32]) {
        let (rows, columns) = AdaptiveAvgPool2d.windows(inputShape: x.shape, outputSize: outputSize)
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(height * width <= Int(Int32.max), "adaptive_max_pool2d plane \(height)×\(width) too large for Int32 indices")
        var output = Tensor(zeros: [batch, channels, outputSize.0, outputSize.1])
        var indices = [Int32](repeating: 0, count: output.count)
        let inPlane = height * width, outPlane = outputSize.0 * outputSize.1
        x.withUnsafePointer { src in
            output.withUnsafeMutablePointer { dst in
                indices.withUnsafeMutableBufferPointer { buffer in
                    guard let idx = buffer.baseAddress else { return }
                    Parallel.forEach(batch * channels, grain: PoolWindows.grain(plane: inPlane)) { range in
                        for p in range {
                            MaxPool2d.forwardPlane(src + p * inPlane, height: height, width: width, rows: rows,
                                                   columns: columns, dst + p * outPlane, idx + p * outPlane)
                        }
                    }
                }
            }
        }
        return (output, indices)
    }

    /// gradInput += gradOutput routed to each window's argmax.
    public static func backward(_ gradOutput: Tensor, indices: [Int32], into gradInput: inout Tensor) {
        precondition(gradOutput.rank == 4 && gradInput.rank == 4
                     && Array(gradOutput.shape.prefix(2)) == Array(gradInput.shape.prefix(2)),
                     "adaptive_max_pool2d backward shapes \(gradOutput.shape), \(gradInput.shape) do not match")
        precondition(indices.count == gradOutput.count, "adaptive_max_pool2d backward needs one index per output value")
        let shape = gradInput.shape
        MaxPool2d.scatter(gradOutput, indices: indices, planes: shape[0] * shape[1], inputPlane: shape[2] * shape[3],
                          into: &gradInput)
    }
}
