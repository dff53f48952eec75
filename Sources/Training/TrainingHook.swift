// TrainingHook: code the trainer calls, in order, after every training batch and every epoch.

/// What a hook asks of the trainer once it has run.
public enum HookDecision: Equatable, Sendable {
    case proceed
    /// Finish the stage after this epoch as if its epochs were done (early stopping).
    case endStage
    /// Stop now, at this batch boundary, leaving a checkpoint to resume from.
    case interrupt
}

/// Hooks run in the order they were added; the first decision other than `.proceed` wins, and the
/// hooks after it still run so each sees every event. `position` is the stage's state after the
/// event; hooks may keep their own counters in it so that checkpoints carry them.
public protocol TrainingHook: AnyObject {
    func batchEnded(epoch: Int, batch: Int, batches: Int, loss: Float, position: inout StagePosition) -> HookDecision
    func epochEnded(_ record: EpochRecord, position: inout StagePosition) -> HookDecision
}

extension TrainingHook {
    public func batchEnded(epoch: Int, batch: Int, batches: Int, loss: Float, position: inout StagePosition)
        -> HookDecision { .proceed }

    public func epochEnded(_ record: EpochRecord, position: inout StagePosition) -> HookDecision { .proceed }
}
