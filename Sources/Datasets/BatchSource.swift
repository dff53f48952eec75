// BatchSource: what a stage trains or validates on — a number of batches per epoch, produced in each epoch's order.

/// Decoded images (`BatchLoader`) or cached features of them (`FeatureBatches`): a stage's loop
/// does not tell them apart.
public protocol BatchSource: AnyObject {
    var batchCount: Int { get }
    /// `epoch`'s batches from batch `firstBatch` on (a resumed epoch skips those trained before).
    func batches(epoch: Int, from firstBatch: Int) -> any BatchStream
}

/// One pass over a source's batches; nil at the end.
public protocol BatchStream: AnyObject {
    func next() throws -> Batch?
}
