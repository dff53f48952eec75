// FailureRecord: failed.json — why a run stopped on an error, so `runner runs` shows it failed, not resumable.

public struct FailureRecord: Codable, Equatable, Sendable {
    /// The error as the terminal showed it.
    public var error: String

    public init(error: String) {
        self.error = error
    }
}
