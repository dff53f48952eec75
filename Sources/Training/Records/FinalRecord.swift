// FinalRecord: final.json, and a job's row of summary.json — the last epoch's losses and metrics, and the swept values.

/// final.json is the job's last epoch as `MetricValues`; summary.json lists each job with its
/// overrides and that record.
public struct SummaryRow: Codable, Equatable, Sendable {
    public var job: String
    public var overrides: [String]
    public var final: FinalRecord

    public init(job: String, overrides: [String], final: FinalRecord) {
        self.job = job
        self.overrides = overrides
        self.final = final
    }
}

public struct FinalRecord: Codable, Equatable, Sendable {
    public var values: MetricValues

    public init(values: MetricValues) {
        self.values = values
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: RecordKey.self)
        try values.encode(into: &container)
    }

    public init(from decoder: Decoder) throws {
        values = try MetricValues(from: try decoder.container(keyedBy: RecordKey.self))
    }
}
