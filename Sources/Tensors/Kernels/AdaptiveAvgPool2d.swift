// AdaptiveAvgPool2d: average pooling to a fixed output size, forward and backward, as torch's adaptive_avg_pool2d.
//   input: (N, C, H, W)   output: (N, C, OH, OW)
// Output row i averages input rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), and likewise for columns; the
// windows may overlap or differ in size when H is not a multiple of OH.

public enum AdaptiveAvgPool2d {
    public static func forward(_ x: Tensor, outputSize: (Int, Int)) -> Tensor {
        let (rows, columns) = windows(inputShape: x.shape, outputSize: outputSize)
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var output = Tensor(zeros: [batch, channels, outputSize.0, outputSize.1])
        let inPlane = height * width, outPlane = outputSize.0 * outputSize.1
        x.withUnsafePointer { src in
            output.withUnsafeMutablePointer { dst in
                Parallel.forEach(batch * channels, grain: PoolWindows.grain(plane: inPlane)) { range in
                    for p in range {
                        AvgPool2d.forwardPlane(src + p * inPlane, width: width, rows: rows, columns: columns,
                                               countIncludePad: true, dst + p * outPlane)
                    }
                }
            }
        }
        return output
    }

    /// gradInput += each output gradient spread evenly over its window.
    public static func backward(_ gradOutput: Tensor, inputShape: [Int], into gradInput: inout Tensor) {
        precondition(gradOutput.rank == 4 && gradInput.shape == inputShape
                     && Array(gradOutput.shape.prefix(2)) == Array(inputShape.prefix(2)),
                     "adaptive_avg_pool2d backward shapes \(gradOutput.shape), \(gradInput.shape), \(inputShape)")
        let outputSize = (gradOutput.shape[2], gradOutput.shape[3])
        let (rows, columns) = windows(inputShape: inputShape, outputSize: outputSize)
        let planes = inputShape[0] * inputShape[1], width = inputShape[3]
        let inPlane = inputShape[2] * width, outPlane = outputSize.0 * outputSize.1
        gradOutput.withUnsafePointer { dy in
            gradInput.withUnsafeMutablePointer { dx in
                Parallel.forEach(planes, grain: PoolWindows.grain(plane: inPlane)) { range in
                    for p in range {
                        AvgPool2d.backwardPlane(dy + p * outPlane, width: width, rows: rows, columns: columns,
                                                countIncludePad: true, dx + p * inPlane)
                    }
                }
            }
        }
    }

    /// Checks an (N, C, H, W) input and returns its adaptive row and column windows.
    static func windows(inputShape: [Int], outputSize: (Int, Int)) -> (rows: PoolWindows, columns: PoolWindows) {
        precondition(inputShape.count == 4 && inputShape.allSatisfy { $0 >= 0 } && inputShape[2] >= 1
                     && inputShape[3] >= 1, "adaptive pooling needs a non-empty (N, C, H, W) input, got \(inputShape)")
        precondition(outputSize.0 >= 1 && outputSize.1 >= 1, "adaptive pooling output size \(outputSize) must be positive")
        return (PoolWindows(adaptiveSize: inputShape[2], count: outputSize.0),
                PoolWindows(adaptiveSize: inputShape[3], count: outputSize.1))
    }
}
