// CosineSchedule: cosine annealing from the group's learning rate down to 0, or to lr/finalDiv.

/// fastai2's `SchedCos(lr, 0)` (one SGDR cycle) at pos = i/n, evaluated before each batch.
public struct CosineSchedule: Schedule {
    public let batchCount: Int
    /// nil anneals to 0.
    public let finalDiv: Double?

    public init(batchCount: Int, finalDiv: Double? = nil) {
        self.batchCount = batchCount
        self.finalDiv = finalDiv
    }

    public func learningRate(at batch: Int, max: Double) -> Double {
        let pos = batchCount > 0 ? Swift.min(1, Double(batch) / Double(batchCount)) : 0
        return Annealing.cosineV2(max, finalDiv.map { max / $0 } ?? 0, pos)
    }

    public func momentum(at batch: Int) -> Double? { nil }
}
