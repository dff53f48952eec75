// JobLog: one job's files in the run directory — metrics.jsonl, timings.jsonl and stages.json as its stages run.

import Experiments

/// Shared by every node a job runs, trained or reused, so a reused stage logs exactly what
/// training logged.
final class JobLog {
    let store: RunStore
    let job: String
    let progress: ProgressReporter
    /// `train.metrics`: the columns of the table, metrics.jsonl and final.json.
    let metrics: [Metric]
    private(set) var stages: [StageRecord] = []
    /// The first failed write; the stage rethrows it once training returns, so a log that could
    /// not be written never passes for a complete one.
    private(set) var writeError: Error?

    init(store: RunStore, job: String, progress: ProgressReporter, metrics: [Metric]) {
        self.store = store
        self.job = job
        self.progress = progress
        self.metrics = metrics
    }

    /// Where the job's file `name` goes, relative to the run directory.
    func path(_ name: String) -> String { "jobs/\(job)/\(name)" }

    func epoch(_ record: EpochRecord) {
        do {
            try store.appendRecord(path("metrics.jsonl"), EpochLine(stage: record.stage, epoch: record.epoch,
                                                                    values: MetricValues(record, metrics: metrics)))
            try store.appendRecord(path("timings.jsonl"), TimingLine(stage: record.stage, epoch: record.epoch,
                                                                     seconds: record.seconds))
        } catch {
            if writeError == nil { writeError = error }
        }
        progress.epoch(record)
    }

    func stageFinished(_ record: StageRecord) throws {
        if let writeError { throw writeError }
        stages.append(record)
        try store.writeRecord(path("stages.json"), stages)
    }
}
