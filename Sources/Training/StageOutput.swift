// StageOutput: what a finished stage node leaves behind — the model's state, its dropout streams and its epochs.

import Layers
import Tensors

/// The one type for a finished node, whether it was just trained, taken from another job of the
/// run, or read from `runs/.cache`.
public struct StageOutput {
    /// The job that trained it.
    public var job: String
    public var state: SafeTensors
    public var dropout: [String: RandomGenerator]
    public var records: [EpochRecord]

    public init(job: String, state: SafeTensors, dropout: [String: RandomGenerator], records: [EpochRecord]) {
        self.job = job
        self.state = state
        self.dropout = dropout
        self.records = records
    }

    /// The records under another stage name: a node is identified by what it computes, and the
    /// stage that reuses it may be named differently from the one that trained it.
    public func records(named stage: String) -> [EpochRecord] {
        records.map { record in
            var renamed = record
            renamed.stage = stage
            return renamed
        }
    }
}
