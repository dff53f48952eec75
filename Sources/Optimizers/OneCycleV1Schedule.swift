// OneCycleV1Schedule: fastai v1's `fit_one_cycle` — integer warm-up and annealing phases, advanced after each batch.

/// With n batches, `a1 = int(n·pctStart)` and `a2 = n − a1`. Batch 0 uses the starting values
/// (set at train begin); batch j ≤ a1 is step j of the warm-up, batch j > a1 step j − a1 of the
/// annealing: the scheduler is stepped after each batch, so the last batch never reaches the end value.
public struct OneCycleV1Schedule: Schedule {
    public let batchCount: Int
    public let divFactor: Double
    public let pctStart: Double
    public let finalDiv: Double
    public let moms: (Double, Double)

    /// `finalDiv` nil means fastai1's default `divFactor · 1e4`.
    public init(batchCount: Int, divFactor: Double = 25, pctStart: Double = 0.3, finalDiv: Double? = nil,
                moms: (Double, Double) = (0.95, 0.85)) {
        self.batchCount = batchCount
        self.divFactor = divFactor
        self.pctStart = pctStart
        self.finalDiv = finalDiv ?? divFactor * 1e4
        self.moms = moms
    }

    /// Python's `int(n * pct_start)` truncates.
    public var warmupBatches: Int { Int(Double(batchCount) * pctStart) }

    public func learningRate(at batch: Int, max: Double) -> Double {
        value(at: batch, start: max / divFactor, middle: max, end: max / finalDiv)
    }

    public func momentum(at batch: Int) -> Double? {
        value(at: batch, start: moms.0, middle: moms.1, end: moms.0)
    }

    private func value(at batch: Int, start: Double, middle: Double, end: Double) -> Double {
        let a1 = warmupBatches, a2 = batchCount - a1
        if batch <= 0 { return start }
        // fastai1 divides by zero when a1 is 0; here the warm-up is simply skipped.
        if batch <= a1 { return Annealing.cosineV1(start, middle, Double(batch) / Double(a1)) }
        guard a2 > 0 else { return middle }
        return Annealing.cosineV1(middle, end, Swift.min(1, Double(batch - a1) / Double(a2)))
    }
}
