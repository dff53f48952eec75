// TimingLine: one line of timings.jsonl — an epoch's wall time, kept out of metrics.jsonl so that file compares exactly.

public struct TimingLine: Codable, Equatable, Sendable {
    public var stage: String
    public var epoch: Int
    public var seconds: Double
}
