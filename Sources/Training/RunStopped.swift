// RunStopped: a run that ended inside a stage — interrupted or diverged — and how to continue it.

/// Says where the run and its last checkpoint are, so the user can resume or inspect it.
public struct RunStopped: Error, CustomStringConvertible {
    public var error: StageTrainerError
    public var run: String
    public var checkpoint: String

    public var interrupted: Bool {
        if case .interrupted = error { return true }
        return false
    }

    public var description: String {
        switch error {
        case .interrupted:
            return "\(error); checkpoint written to \(checkpoint). Continue with the same command plus --resume"
                + " (run \(run))"
        case .nonFinite, .nonFiniteState:
            return "\(error). The run \(run) stays unfinished; the last good checkpoint of this stage, if one was"
                + " written before the loss diverged, is kept at \(checkpoint)"
        }
    }
}
