// MLflowJobRun: one job's nested MLflow run — its metrics.jsonl records sent in order, each once, and its files when it ends.

import Foundation

/// The job's records come in metrics.jsonl's order, whether trained now, replayed from a
/// checkpoint or reused stage, or read back by an export. The first `sent` of them are on the
/// server already and are skipped, so a resumed run or an export after a stopped live log sends
/// each record exactly once (a crash between a request and its record can repeat one epoch).
final class MLflowJobRun {
    struct Record: Codable {
        var runID: String
        var artifactURI: String
        /// How many of the job's records (batch and epoch lines) the server has.
        var sent: Int
        /// MLflow's status of the run as last set: RUNNING, FINISHED, FAILED or KILLED.
        var status: String

        enum CodingKeys: String, CodingKey {
            case sent, status
            case runID = "run_id"
            case artifactURI = "artifact_uri"
        }
    }

    let tracker: MLflowTracker
    let job: String
    /// The record's file, relative to the run directory.
    let path: String
    private(set) var record: Record
    /// Records given so far, and the metrics of those past `sent` not yet sent.
    private var seen = 0
    private var pending: [MLflowClient.Metric] = []

    init(tracker: MLflowTracker, job: String, path: String, record: Record) {
        self.tracker = tracker
        self.job = job
        self.path = path
        self.record = record
    }

    /// A training batch of step `step` (training batches across the job's stages, from 1).
    func batch(loss: Double, momentum: Double, learningRates: [Double], step: Int, time: Int64) {
        var metrics: [MLflowClient.Metric] = [.init(key: "train_loss_batch", value: loss, timestamp: time, step: step),
                                              .init(key: "momentum", value: momentum, timestamp: time, step: step)]
        metrics += learningRates.enumerated().map {
            .init(key: "lr_group_\($0.offset)", value: $0.element, timestamp: time, step: step)
        }
        add(metrics)
    }

    /// An epoch's metrics, at the step of its last batch.
    func epoch(_ values: [String: Double], step: Int, time: Int64) {
        add(values.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: $0.value, timestamp: time, step: step) })
    }

    private func add(_ metrics: [MLflowClient.Metric]) {
        seen += 1
        if seen > record.sent { pending += metrics }
    }

    /// Sends what is pending (MLflow takes up to 1000 metrics a request) and records it.
    func flush() throws {
        guard seen > record.sent else { return }
        try tracker.client.log(run: record.runID, metrics: pending)
        pending = []
        record.sent = seen
        try tracker.store.writeRecord(path, record)
    }

    /// The job's files as artifacts, then the run ends.
    func finish(status: String, endTime: Int64) throws {
        try flush()
        for file in ["stages.json", "final.json", "classes.json", "job.yaml"] {
            if let data = try? Data(contentsOf: tracker.run.appendingPathComponent("jobs/\(job)/\(file)")) {
                try tracker.client.upload(data, path: file, artifactURI: record.artifactURI)
            }
        }
        try end(status: status, endTime: endTime)
    }

    func end(status: String, endTime: Int64) throws {
        try tracker.client.end(run: record.runID, status: status, endTime: endTime)
        record.status = status
        try tracker.store.writeRecord(path, record)
    }

    func reopen() throws {
        try tracker.client.setStatus(run: record.runID, status: "RUNNING")
        record.status = "RUNNING"
        try tracker.store.writeRecord(path, record)
    }
}
