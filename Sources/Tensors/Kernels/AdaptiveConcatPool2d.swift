// AdaptiveConcatPool2d: fastai's head pooling, [AdaptiveMaxPool2d, AdaptiveAvgPool2d] concatenated on channels.
//   input: (N, C, H, W)   output: (N, 2C, OH, OW), channels 0..<C the max, C..<2C the average
//   maxIndices: N·C·OH·OW flat positions within an H·W plane
// Max comes first as in fastai's `torch.cat([self.mp(x), self.ap(x)], 1)`, so pretrained heads
// and state dicts line up. The usual (1, 1) output reads each plane once for both halves.

public enum AdaptiveConcatPool2d {
    public static func forward(_ x: Tensor, outputSize: (Int, Int) = (1, 1)) -> (output: Tensor, maxIndices: [Int32]) {
        let (rows, columns) = AdaptiveAvgPool2d.windows(inputShape: x.shape, outputSize: outputSize)
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(height * width <= Int(Int32.max), "adaptive_concat_pool2d plane \(height)×\(width) too large for Int32 indices")
        var output = Tensor(zeros: [batch, 2 * channels, outputSize.0, outputSize.1])
        var indices = [Int32](repeating: 0, count: batch * channels * outputSize.0 * outputSize.1)
        let inPlane = height * width, outPlane = outputSize.0 * outputSize.1
        let wholePlane = outputSize == (1, 1)
        x.withUnsafePointer { src in
            output.withUnsafeMutablePointer { dst in
                indices.withUnsafeMutableBufferPointer { buffer in
                    guard let idx = buffer.baseAddress else { return }
                    Parallel.forEach(batch * channels, grain: PoolWindows.grain(plane: inPlane)) { range in
                        for p in range {
                            let n = p / channels, c = p - n * channels
                            let maxOut = dst + (n * 2 * channels + c) * outPlane
                            let avgOut = maxOut + channels * outPlane
                            if wholePlane {
                                maxAndMean(src + p * inPlane, count: inPlane, maxOut, idx + p, avgOut)
                            } else {
                                MaxPool2d.forwardPlane(src + p * inPlane, height: height, width: width, rows: rows,
                                                       columns: columns, maxOut, idx + p * outPlane)
                                AvgPool2d.forwardPlane(src + p * inPlane, width: width, rows: rows, columns: columns,
                                                       countIncludePad: true, avgOut)
                            }
                        }
                    }
                }
            }
        }
        return (output, indices)
    }

    /// gradInput += the max half routed to the argmaxes plus the average half spread over the windows.
    public static func backward(_ gradOutput: Tensor, maxIndices: [Int32], inputShape: [Int],
                                into gradInput: inout Tensor) {
        precondition(gradInput.shape == inputShape && gradOutput.rank == 4 && inputShape.count == 4
                     && gradOutput.shape[0] == inputShape[0] && gradOutput.shape[1] == 2 * inputShape[1],
                     "adaptive_concat_pool2d backward shapes \(gradOutput.shape), \(gradInput.shape), \(inputShape)")
        let outputSize = (gradOutput.shape[2], gradOutput.shape[3])
        let (rows, columns) = AdaptiveAvgPool2d.windows(inputShape: inputShape, outputSize: outputSize)
        let channels = inputShape[1], width = inputShape[3]
        let inPlane = inputShape[2] * width, outPlane = outputSize.0 * outputSize.1
        precondition(maxIndices.count == inputShape[0] * channels * outPlane,
                     "adaptive_concat_pool2d backward needs one index per max output value")
        let wholePlane = outputSize == (1, 1)
        gradOutput.withUnsafePointer { dy in
            gradInput.withUnsafeMutablePointer { dx in
                maxIndices.withUnsafeBufferPointer { buffer in
                    guard let idx = buffer.baseAddress else { return }
                    Parallel.forEach(inputShape[0] * channels, grain: PoolWindows.grain(plane: inPlane)) { range in
                        for p in range {
                            let n = p / channels, c = p - n * channels
                            let maxGrad = dy + (n * 2 * channels + c) * outPlane
                            let avgGrad = maxGrad + channels * outPlane
                            let plane = dx + p * inPlane
                            if wholePlane {
                                let share = avgGrad[0] / Float(inPlane)
                                for i in 0..<inPlane { plane[i] += share }
                            } else {
                                AvgPool2d.backwardPlane(avgGrad, width: width, rows: rows, columns: columns,
                                                        countIncludePad: true, plane)
                            }
                            MaxPool2d.scatterPlane(maxGrad, idx + p * outPlane, count: outPlane, inputPlane: inPlane,
                                                   plane)
                        }
                    }
                }
            }
        }
    }

    /// One pass over a plane for both halves of the (1, 1) output, with MaxPool2d's tie and NaN rules.
    private static func maxAndMean(_ x: UnsafePointer<Float>, count: Int, _ maxOut: UnsafeMutablePointer<Float>,
                                   _ index: UnsafeMutablePointer<Int32>, _ meanOut: UnsafeMutablePointer<Float>) {
        var best = -Float.infinity
        var bestIndex = 0
        var sum: Float = 0
        // As in MaxPool2d, `>` alone compiles to selects where the NaN test would branch. A NaN
        // anywhere makes the sum NaN, and only then is the maximum searched again by torch's rule.
        for i in 0..<count {
            let value = x[i]
            sum += value
            let wins = value > best
            best = wins ? value : best
            bestIndex = wins ? i : bestIndex
        }
        if sum.isNaN {
            best = -Float.infinity
            bestIndex = 0
            for i in 0..<count where x[i] > best || x[i].isNaN {
                best = x[i]
                bestIndex = i
            }
        }
        maxOut.pointee = best
        index.pointee = Int32(truncatingIfNeeded: bestIndex)
        meanOut.pointee = sum / Float(count)
    }
}
