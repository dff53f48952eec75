// BatchNorm: batch normalisation per channel (BatchNorm1d and BatchNorm2d), training and inference.
//   input: (N, C) or (N, C, H, W)   weight, bias, running mean, running variance: (C)   output: like input
// Trailing dimensions form one plane per (image, channel); the 1-D case has plane = 1.
// Semantics follow torch: the batch is normalised with its biased variance, while the running
// variance is updated with the unbiased one.

public struct BatchNormRunningStatistics: Equatable, Sendable {
    public var mean: Tensor
    public var variance: Tensor
    public var batchesTracked: Int

    /// torch's initial buffers: mean 0, variance 1, nothing tracked.
    public init(channels: Int) {
        self.init(mean: Tensor(zeros: [channels]), variance: Tensor(repeating: 1, shape: [channels]), batchesTracked: 0)
    }

    /// Buffers loaded from a checkpoint or a torchvision state dict.
    public init(mean: Tensor, variance: Tensor, batchesTracked: Int) {
        precondition(mean.rank == 1 && variance.shape == mean.shape,
                     "running mean \(mean.shape) and variance \(variance.shape) must be matching vectors")
        self.mean = mean
        self.variance = variance
        self.batchesTracked = batchesTracked
    }

    public var channels: Int { mean.count }
}

/// What training backward needs from the forward pass, per channel.
public struct BatchNormBatchStatistics: Sendable {
    public var mean: Tensor
    /// 1 / √(biased batch variance + eps).
    public var inverseStd: Tensor

    public init(mean: Tensor, inverseStd: Tensor) {
        precondition(mean.rank == 1 && inverseStd.shape == mean.shape,
                     "batch mean \(mean.shape) and inverse std \(inverseStd.shape) must be matching vectors")
        self.mean = mean
        self.inverseStd = inverseStd
    }
}

public enum BatchNorm {
    public static func forwardTraining(_ x: Tensor, weight: Tensor?, bias: Tensor?,
                                       running: inout BatchNormRunningStatistics,
                                       momentum: Float = 0.1, eps: Float = 1e-5) -> (output: Tensor, batch: BatchNormBatchStatistics) {
        let layout = Layout(x)
        checkParameters(layout, weight: weight, bias: bias)
        precondition(running.channels == layout.channels,
                     "running statistics have \(running.channels) channels, input \(x.shape)")
        precondition(layout.count > 1, "batch norm training needs more than one value per channel, input \(x.shape)")
        let (mean, variance) = meanAndBiasedVariance(x, layout)
        let count = Double(layout.count)
        let m = Double(momentum)
        var batchMean = Tensor(zeros: [layout.channels])
        var inverseStd = Tensor(zeros: [layout.channels])
        for c in 0..<layout.channels {
            batchMean.data[c] = Float(mean[c])
            inverseStd.data[c] = Float(1 / (variance[c] + Double(eps)).squareRoot())
            // torch blends in double and stores float, in this order.
            let unbiased = variance[c] * count / (count - 1)
            running.mean.data[c] = Float(m * mean[c] + (1 - m) * Double(running.mean.data[c]))
            running.variance.data[c] = Float(m * unbiased + (1 - m) * Double(running.variance.data[c]))
        }
        running.batchesTracked += 1
        let output = normalize(x, layout, mean: batchMean, inverseStd: inverseStd, weight: weight, bias: bias)
        return (output, BatchNormBatchStatistics(mean: batchMean, inverseStd: inverseStd))
    }

    public static func forwardInference(_ x: Tensor, weight: Tensor?, bias: Tensor?,
                                        running: BatchNormRunningStatistics, eps: Float = 1e-5) -> Tensor {
        let layout = Layout(x)
        checkParameters(layout, weight: weight, bias: bias)
        precondition(running.channels == layout.channels,
                     "running statistics have \(running.channels) channels, input \(x.shape)")
        return normalize(x, layout, mean: running.mean, inverseStd: runningInverseStd(running, eps: eps),
                         weight: weight, bias: bias)
    }

    /// Accumulates into the non-nil destinations; the batch statistics are constants of the
    /// forward pass, so gradInput includes the terms through the mean and variance.
    public static func backwardTraining(_ gradOutput: Tensor, input: Tensor, weight: Tensor?,
                                        batch: BatchNormBatchStatistics,
                                        gradInput: inout Tensor?, gradWeight: inout Tensor?, gradBias: inout Tensor?) {
        let layout = Layout(input)
        checkBackward(gradOutput, input: input, layout, weight: weight, statistics: batch.mean,
                      gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias)
        guard gradInput != nil || gradWeight != nil || gradBias != nil else { return }
        let (sumDy, sumDyXhat) = gradientSums(gradOutput, input, layout, mean: batch.mean, inverseStd: batch.inverseStd)
        addChannels(sumDy, into: &gradBias)
        addChannels(sumDyXhat, into: &gradWeight)
        guard gradInput != nil else { return }

        // dx = w·σ⁻¹ · (dy − mean(dy) − x̂ · mean(dy · x̂)), written as a·dy + b·(x − mean) + s per
        // channel; keeping x − mean (rather than b·x + s) avoids cancellation when the mean is large.
        let count = Double(layout.count)
        var dyScale = [Float](repeating: 0, count: layout.channels)
        var centredScale = [Float](repeating: 0, count: layout.channels)
        var shift = [Float](repeating: 0, count: layout.channels)
        for c in 0..<layout.channels {
            let invStd = Double(batch.inverseStd.data[c])
            let k = Double(weight?.data[c] ?? 1) * invStd
            dyScale[c] = Float(k)
            centredScale[c] = Float(-k * invStd * sumDyXhat[c] / count)
            shift[c] = Float(-k * sumDy[c] / count)
        }
        let mean = batch.mean
        gradInput?.withUnsafeMutablePointer { dx in
            gradOutput.withUnsafePointer { dy in
                input.withUnsafePointer { x in
                    forEachRow(layout) { row, c in
                        let a = dyScale[c], b = centredScale[c], s = shift[c], mu = mean.data[c]
                        Row.forEachVector(in: row..<(row + layout.plane)) { i, lanes in
                            let grad = a * Row.load(dy + i, lanes: lanes) + b * (Row.load(x + i, lanes: lanes) - mu) + s
                            Row.store(Row.load(dx + i, lanes: lanes) + grad, dx + i, lanes: lanes)
                        }
                    }
                }
            }
        }
    }

    /// Backward through the frozen affine map of inference mode (running statistics are constants).
    public static func backwardInference(_ gradOutput: Tensor, input: Tensor, weight: Tensor?,
                                         running: BatchNormRunningStatistics, eps: Float = 1e-5,
                                         gradInput: inout Tensor?, gradWeight: inout Tensor?, gradBias: inout Tensor?) {
        let layout = Layout(input)
        checkBackward(gradOutput, input: input, layout, weight: weight, statistics: running.mean,
                      gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias)
        guard gradInput != nil || gradWeight != nil || gradBias != nil else { return }
        let inverseStd = runningInverseStd(running, eps: eps)
        if gradWeight != nil || gradBias != nil {
            let (sumDy, sumDyXhat) = gradientSums(gradOutput, input, layout, mean: running.mean, inverseStd: inverseStd)
            addChannels(sumDy, into: &gradBias)
            addChannels(sumDyXhat, into: &gradWeight)
        }
        var dyScale = [Float](repeating: 0, count: layout.channels)
        for c in 0..<layout.channels { dyScale[c] = (weight?.data[c] ?? 1) * inverseStd.data[c] }
        gradInput?.withUnsafeMutablePointer { dx in
            gradOutput.withUnsafePointer { dy in
                forEachRow(layout) { row, c in
                    let a = dyScale[c]
                    Row.forEachVector(in: row..<(row + layout.plane)) { i, lanes in
                        let sum = Row.load(dx + i, lanes: lanes) + a * Row.load(dy + i, lanes: lanes)
                        Row.store(sum, dx + i, lanes: lanes)
                    }
                }
            }
        }
    }

    // MARK: - Helpers

    struct Layout {
        let batch: Int, channels: Int, plane: Int
        /// Values per channel.
        var count: Int { batch * plane }

        init(_ x: Tensor) {
            precondition(x.rank >= 2, "batch norm input must be (N, C, …), got \(x.shape)")
            batch = x.shape[0]
            channels = x.shape[1]
            plane = x.shape.dropFirst(2).reduce(1, *)
        }
    }

    /// One pass per channel of Σd and Σd² in Double with d = x − (the channel's first value): a
    /// second pass for the centred sum would add a third to the forward's memory traffic, and the
    /// shift keeps E[d²] − E[d]² from cancelling when the mean is far from zero.
    private static func meanAndBiasedVariance(_ x: Tensor, _ l: Layout) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: l.channels)
        var variance = [Double](repeating: 0, count: l.channels)
        x.withUnsafePointer { p in
            mean.withUnsafeMutableBufferPointer { meanOut in
                variance.withUnsafeMutableBufferPointer { varianceOut in
                    Parallel.forEach(l.channels, grain: max(1, 16_384 / max(1, l.count))) { range in
                        for c in range {
                            let shift = Double(p[c * l.plane])
                            var total = Sums(), squares = Sums()
                            forEachVector(l, channel: c) { i, lanes in
                                var d = Sums(Lanes.load(p + i, lanes: lanes)) - shift
                                // Unused lanes load 0, which is not the shift; they must add nothing.
                                if lanes < Sums.scalarCount {
                                    d.replace(with: 0, where: Self.laneIndex .>= Int64(lanes))
                                }
                                total += d
                                squares += d * d
                            }
                            let meanShift = total.sum() / Double(l.count)
                            meanOut[c] = shift + meanShift
                            varianceOut[c] = max(0, squares.sum() / Double(l.count) - meanShift * meanShift)
                        }
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// Per channel Σ dy and Σ dy · x̂ with x̂ = (x − mean) · inverseStd, in Double.
    private static func gradientSums(_ gradOutput: Tensor, _ input: Tensor, _ l: Layout,
                                     mean: Tensor, inverseStd: Tensor) -> (sumDy: [Double], sumDyXhat: [Double]) {
        var sumDy = [Double](repeating: 0, count: l.channels)
        var sumDyXhat = [Double](repeating: 0, count: l.channels)
        gradOutput.withUnsafePointer { dy in
            input.withUnsafePointer { x in
                sumDy.withUnsafeMutableBufferPointer { sumDyOut in
                    sumDyXhat.withUnsafeMutableBufferPointer { sumDyXhatOut in
                        Parallel.forEach(l.channels, grain: max(1, 16_384 / max(1, l.count))) { range in
                            for c in range {
                                let mu = Double(mean.data[c])
                                var sums = Sums(), centred = Sums()
                                forEachVector(l, channel: c) { i, lanes in
                                    // Unused lanes load dy = 0, so they add nothing to either sum.
                                    let g = Sums(Lanes.load(dy + i, lanes: lanes))
                                    sums += g
                                    centred += g * (Sums(Lanes.load(x + i, lanes: lanes)) - mu)
                                }
                                sumDyOut[c] = sums.sum()
                                sumDyXhatOut[c] = centred.sum() * Double(inverseStd.data[c])
                            }
                        }
                    }
                }
            }
        }
        return (sumDy, sumDyXhat)
    }

    /// y = x · (w · σ⁻¹) + (b − mean · w · σ⁻¹), the same folding torch uses.
    private static func normalize(_ x: Tensor, _ l: Layout, mean: Tensor, inverseStd: Tensor,
                                  weight: Tensor?, bias: Tensor?) -> Tensor {
        var scale = [Float](repeating: 0, count: l.channels)
        var shift = [Float](repeating: 0, count: l.channels)
        for c in 0..<l.channels {
            scale[c] = (weight?.data[c] ?? 1) * inverseStd.data[c]
            shift[c] = (bias?.data[c] ?? 0) - mean.data[c] * scale[c]
        }
        return x.withUnsafePointer { src in
            Tensor(uninitializedShape: x.shape) { dst in
                forEachRow(l) { row, c in
                    let a = scale[c], b = shift[c]
                    Row.forEachVector(in: row..<(row + l.plane)) { i, lanes in
                        Row.store(Row.load(src + i, lanes: lanes) * a + b, dst + i, lanes: lanes)
                    }
                }
            }
        }
    }

    private static func runningInverseStd(_ running: BatchNormRunningStatistics, eps: Float) -> Tensor {
        running.variance.map { Float(1 / (Double($0) + Double(eps)).squareRoot()) }
    }

    /// Elementwise passes run 16 lanes at a time, channel sums in Double over 8 lanes.
    typealias Row = SIMD16<Float>
    typealias Lanes = SIMD8<Float>
    typealias Sums = SIMD8<Double>
    private static let laneIndex = SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7)

    /// Calls `body(index, lanes)` for the vectors covering channel c's planes, image by image.
    @inline(__always)
    private static func forEachVector(_ l: Layout, channel c: Int, _ body: (_ index: Int, _ lanes: Int) -> Void) {
        for n in 0..<l.batch {
            let row = (n * l.channels + c) * l.plane
            Lanes.forEachVector(in: row..<(row + l.plane), body)
        }
    }

    /// Calls `body(offset of the plane, channel)` for every (image, channel) plane, in parallel.
    private static func forEachRow(_ l: Layout, _ body: (_ row: Int, _ channel: Int) -> Void) {
        Parallel.forEach(l.batch * l.channels, grain: max(1, 16_384 / max(1, l.plane))) { range in
            for task in range { body(task * l.plane, task % l.channels) }
        }
    }

    private static func addChannels(_ values: [Double], into destination: inout Tensor?) {
        destination?.withUnsafeMutablePointer { d in
            for c in values.indices { d[c] += Float(values[c]) }
        }
    }

    private static func checkParameters(_ l: Layout, weight: Tensor?, bias: Tensor?) {
        precondition(weight == nil || weight?.shape == [l.channels], "batch norm weight must have \(l.channels) values")
        precondition(bias == nil || bias?.shape == [l.channels], "batch norm bias must have \(l.channels) values")
    }

    private static func checkBackward(_ gradOutput: Tensor, input: Tensor, _ l: Layout, weight: Tensor?, statistics: Tensor,
                                      gradInput: Tensor?, gradWeight: Tensor?, gradBias: Tensor?) {
        let shape = input.shape
        precondition(gradOutput.shape == shape, "batch norm gradOutput \(gradOutput.shape) does not match input \(shape)")
        checkParameters(l, weight: weight, bias: nil)
        precondition(statistics.shape == [l.channels], "batch norm statistics must have \(l.channels) values")
        precondition(gradInput == nil || gradInput?.shape == shape, "batch norm gradInput must have shape \(shape)")
        precondition(gradWeight == nil || gradWeight?.shape == [l.channels], "batch norm gradWeight must have \(l.channels) values")
        precondition(gradBias == nil || gradBias?.shape == [l.channels], "batch norm gradBias must have \(l.channels) values")
    }
}
