// StageTrainerError: why a stage stopped before its last epoch (a non-finite loss or state, or a request).

public enum StageTrainerError: Error, CustomStringConvertible {
    case nonFinite(stage: String, epoch: Int, batch: Int, loss: Float)
    /// The loss was still finite but a weight or BatchNorm statistic was not.
    case nonFiniteState(stage: String, epoch: Int, batch: Int, key: String)
    /// Stopped at a batch boundary on request; a checkpoint at `position` was written first.
    case interrupted(stage: String, epoch: Int, batch: Int)

    public var description: String {
        switch self {
        case let .nonFinite(stage, epoch, batch, loss):
            return "stage `\(stage)`: the loss became \(loss) at epoch \(epoch), batch \(batch); lower the learning rate"
                + " (runner lr-find suggests one)"
        case let .nonFiniteState(stage, epoch, batch, key):
            return "stage `\(stage)`: `\(key)` became infinite or NaN by epoch \(epoch), batch \(batch) while the loss"
                + " was still finite; lower the learning rate (runner lr-find suggests one)"
        case let .interrupted(stage, epoch, batch):
            return "stage `\(stage)` interrupted at epoch \(epoch), batch \(batch)"
        }
    }
}
