// BatchLine: a training batch's line of metrics.jsonl — its stage, epoch, index, loss, and the rates and momentum it was trained at.

/// `{"event": "batch", "stage": …, "epoch": …, "batch": …, "loss": …, "lrs": [one per group], "mom": …}`;
/// epoch lines carry `"event": "epoch"`. Deterministic like the epoch lines, so the whole file still
/// compares byte for byte.
public struct BatchLine: Codable, Equatable, Sendable {
    public var event = "batch"
    public var stage: String
    public var epoch: Int
    public var batch: Int
    public var loss: Double
    public var lrs: [Double]
    public var mom: Double

    public init(stage: String, epoch: Int, batch: Int, point: BatchPoint) {
        self.stage = stage
        self.epoch = epoch
        self.batch = batch
        loss = point.loss
        lrs = point.learningRates
        mom = point.momentum
    }
}
