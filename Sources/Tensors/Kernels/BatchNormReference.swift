// BatchNormReference: the textbook batch norm, loop by loop, that the optimised BatchNorm is tested against.
//   input: (N, C) or (N, C, H, W)   weight, bias, running mean, running variance: (C)   output: like input
// The training backward goes through the variance and the mean step by step (the chain rule as
// usually derived) rather than through the folded formula the optimised kernel uses.

public enum BatchNormReference {
    public static func forwardTraining(_ x: Tensor, weight: Tensor?, bias: Tensor?,
                                       running: inout BatchNormRunningStatistics,
                                       momentum: Float = 0.1, eps: Float = 1e-5) -> (output: Tensor, batch: BatchNormBatchStatistics) {
        let (batch, channels, plane) = dimensions(x)
        let count = Double(batch * plane)
        var output = Tensor(zeros: x.shape)
        var batchMean = Tensor(zeros: [channels])
        var inverseStd = Tensor(zeros: [channels])
        for c in 0..<channels {
            var total = 0.0
            for n in 0..<batch { for i in 0..<plane { total += Double(x.data[index(n, c, i, channels, plane)]) } }
            let mean = total / count
            var squares = 0.0
            for n in 0..<batch { for i in 0..<plane {
                let d = Double(x.data[index(n, c, i, channels, plane)]) - mean
                squares += d * d
            } }
            let biased = squares / count
            let unbiased = squares / (count - 1)
            let m = Double(momentum)
            running.mean.data[c] = Float((1 - m) * Double(running.mean.data[c]) + m * mean)
            running.variance.data[c] = Float((1 - m) * Double(running.variance.data[c]) + m * unbiased)
            let std = (biased + Double(eps)).squareRoot()
            batchMean.data[c] = Float(mean)
            inverseStd.data[c] = Float(1 / std)
            for n in 0..<batch { for i in 0..<plane {
                let j = index(n, c, i, channels, plane)
                let normalized = (Double(x.data[j]) - mean) / std
                output.data[j] = Float(normalized * Double(weight?.data[c] ?? 1) + Double(bias?.data[c] ?? 0))
            } }
        }
        running.batchesTracked += 1
        return (output, BatchNormBatchStatistics(mean: batchMean, inverseStd: inverseStd))
    }

    public static func forwardInference(_ x: Tensor, weight: Tensor?, bias: Tensor?,
                                        running: BatchNormRunningStatistics, eps: Float = 1e-5) -> Tensor {
        let (batch, channels, plane) = dimensions(x)
        var output = Tensor(zeros: x.shape)
        for n in 0..<batch { for c in 0..<channels { for i in 0..<plane {
            let j = index(n, c, i, channels, plane)
            let std = (Double(running.variance.data[c]) + Double(eps)).squareRoot()
            let normalized = (Double(x.data[j]) - Double(running.mean.data[c])) / std
            output.data[j] = Float(normalized * Double(weight?.data[c] ?? 1) + Double(bias?.data[c] ?? 0))
        } } }
        return output
    }

    public static func backwardTraining(_ gradOutput: Tensor, input: Tensor, weight: Tensor?,
                                        batch: BatchNormBatchStatistics,
                                        gradInput: inout Tensor?, gradWeight: inout Tensor?, gradBias: inout Tensor?) {
        let (batchSize, channels, plane) = dimensions(input)
        let count = Double(batchSize * plane)
        for c in 0..<channels {
            let mean = Double(batch.mean.data[c])
            let invStd = Double(batch.inverseStd.data[c])
            let w = Double(weight?.data[c] ?? 1)
            // y = w · x̂ + b,  x̂ = (x − μ) · (σ² + ε)^(−1/2).
            var dBias = 0.0, dWeight = 0.0, dVariance = 0.0, dMeanDirect = 0.0, centredSum = 0.0
            for n in 0..<batchSize { for i in 0..<plane {
                let j = index(n, c, i, channels, plane)
                let dy = Double(gradOutput.data[j])
                let centred = Double(input.data[j]) - mean
                let dXhat = dy * w
                dBias += dy
                dWeight += dy * centred * invStd
                dVariance += dXhat * centred * -0.5 * invStd * invStd * invStd
                dMeanDirect += -dXhat * invStd
                centredSum += centred
            } }
            let dMean = dMeanDirect + dVariance * -2 * centredSum / count
            gradBias?.data[c] += Float(dBias)
            gradWeight?.data[c] += Float(dWeight)
            for n in 0..<batchSize { for i in 0..<plane {
                let j = index(n, c, i, channels, plane)
                let dXhat = Double(gradOutput.data[j]) * w
                let centred = Double(input.data[j]) - mean
                gradInput?.data[j] += Float(dXhat * invStd + dVariance * 2 * centred / count + dMean / count)
            } }
        }
    }

    public static func backwardInference(_ gradOutput: Tensor, input: Tensor, weight: Tensor?,
                                         running: BatchNormRunningStatistics, eps: Float = 1e-5,
                                         gradInput: inout Tensor?, gradWeight: inout Tensor?, gradBias: inout Tensor?) {
        let (batch, channels, plane) = dimensions(input)
        for n in 0..<batch { for c in 0..<channels { for i in 0..<plane {
            let j = index(n, c, i, channels, plane)
            let std = (Double(running.variance.data[c]) + Double(eps)).squareRoot()
            let dy = Double(gradOutput.data[j])
            let normalized = (Double(input.data[j]) - Double(running.mean.data[c])) / std
            gradBias?.data[c] += Float(dy)
            gradWeight?.data[c] += Float(dy * normalized)
            gradInput?.data[j] += Float(dy * Double(weight?.data[c] ?? 1) / std)
        } } }
    }

    private static func dimensions(_ x: Tensor) -> (batch: Int, channels: Int, plane: Int) {
        (x.shape[0], x.shape[1], x.shape.dropFirst(2).reduce(1, *))
    }

    private static func index(_ n: Int, _ c: Int, _ i: Int, _ channels: Int, _ plane: Int) -> Int {
        (n * channels + c) * plane + i
    }
}
