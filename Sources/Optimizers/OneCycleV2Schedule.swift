// OneCycleV2Schedule: fastai v2's `fit_one_cycle` — a continuous position i/n through two cosine phases.

/// `combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final)` for the rate and
/// `combined_cos(pct_start, *moms)` for the momentum, evaluated before batch i at pos = i/n.
public struct OneCycleV2Schedule: Schedule {
    public let batchCount: Int
    public let div: Double
    public let divFinal: Double
    public let pctStart: Double
    public let moms: (Double, Double, Double)

    public init(batchCount: Int, div: Double = 25, divFinal: Double = 1e5, pctStart: Double = 0.25,
                moms: (Double, Double, Double) = (0.95, 0.85, 0.95)) {
        self.batchCount = batchCount
        self.div = div
        self.divFinal = divFinal
        self.pctStart = pctStart
        self.moms = moms
    }

    public func learningRate(at batch: Int, max: Double) -> Double {
        combined(at: batch, max / div, max, max / divFinal)
    }

    public func momentum(at batch: Int) -> Double? {
        combined(at: batch, moms.0, moms.1, moms.2)
    }

    /// fastai's `combine_scheds` keeps the phase boundaries in a float32 tensor, so the phase test
    /// and the position within the phase are float32 arithmetic; the cosine itself is in doubles.
    private func combined(at batch: Int, _ start: Double, _ middle: Double, _ end: Double) -> Double {
        let pos = Float(batchCount > 0 ? Double(batch) / Double(batchCount) : 0)
        let boundary = Float(pctStart), last = Float(pctStart) + Float(1 - pctStart)
        if pos >= boundary {
            let actual = (pos - boundary) / (last - boundary)
            return Annealing.cosineV2(middle, end, Double(actual))
        }
        return Annealing.cosineV2(start, middle, Double(pos / boundary))
    }
}
