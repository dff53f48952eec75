// JobLog: one job's files in the run directory — metrics.jsonl, timings.jsonl, stages.json and its TensorBoard events as its stages run.

import Experiments
import Foundation

/// Shared by every node a job runs, trained or reused, so a reused stage logs exactly what
/// training logged. TensorBoard steps count training batches across the job's stages: batch `b`
/// of epoch `e` of a stage is step `offset + e × batches + b + 1`, and the epoch's metrics are at
/// the step of its last batch.
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
    private var tensorBoard: TensorBoardLog?
    /// A sweep's job is an hparams session, started when the log opens and ended with the job.
    private var session = false
    /// Training batches of the job's finished stages, and per epoch of the current one.
    private var stepOffset = 0
    private var batchesPerEpoch = 0
    /// The job's MLflow run when the config has `tracking:`, and the run's live log it reports to.
    private let live: LiveTracking?
    private let mlflow: MLflowJobRun?

    /// `overrides`: the job's swept values (`model.meta=[8, 5]`), its hyper-parameters in TensorBoard
    /// and MLflow; `config`: the job's settings, its MLflow params.
    init(store: RunStore, job: String, overrides: [String] = [], progress: ProgressReporter, metrics: [Metric],
         tracking: LiveTracking? = nil, config: ExperimentConfig? = nil) {
        self.store = store
        self.job = job
        self.progress = progress
        self.metrics = metrics
        live = tracking
        mlflow = config.flatMap { config in tracking?.job(job, overrides: overrides, config: config) }
        record {
            let board = try TensorBoardLog(folder: store.directory.appendingPathComponent(path("tb")))
            tensorBoard = board
            if !overrides.isEmpty {
                try board.sessionStart(hparams: Self.hparams(overrides), group: "")
                session = true
            }
        }
    }

    /// `key=value` overrides as hyper-parameters, named by their key path.
    static func hparams(_ overrides: [String]) -> [(name: String, value: SummaryEvent.HParam)] {
        overrides.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], SummaryEvent.HParam(text: parts.count > 1 ? parts[1] : ""))
        }
    }

    /// Where the job's file `name` goes, relative to the run directory.
    func path(_ name: String) -> String { "jobs/\(job)/\(name)" }

    /// A stage begins: its description goes to TensorBoard's text tab at the step it starts from.
    func stageStarted(_ description: String, batchesPerEpoch: Int) {
        self.batchesPerEpoch = batchesPerEpoch
        record { try tensorBoard?.text(step: stepOffset, tag: "stages", description) }
    }

    /// One training batch as it is trained (or replayed from a checkpoint or a reused stage).
    func batch(_ point: BatchPoint, stage: String, epoch: Int, index: Int) {
        record { try store.appendRecord(path("metrics.jsonl"), BatchLine(stage: stage, epoch: epoch, batch: index, point: point)) }
        var values: [(tag: String, value: Double)] = [("train/loss", point.loss), ("train/momentum", point.momentum)]
        values += point.learningRates.enumerated().map { ("train/lr/group_\($0.offset)", $0.element) }
        let step = stepOffset + epoch * batchesPerEpoch + index + 1
        record { try tensorBoard?.scalars(step: step, values) }
        if live?.failure == nil {
            mlflow?.batch(loss: point.loss, momentum: point.momentum, learningRates: point.learningRates, step: step,
                          time: MLflowTracker.now)
        }
    }

    /// A finished epoch, trained now.
    func epoch(_ record: EpochRecord) {
        self.record {
            try store.appendRecord(path("metrics.jsonl"), EpochLine(stage: record.stage, epoch: record.epoch,
                                                                    values: MetricValues(record, metrics: metrics)))
            try store.appendRecord(path("timings.jsonl"), TimingLine(stage: record.stage, epoch: record.epoch,
                                                                     seconds: record.seconds))
            let values = MetricValues(record, metrics: metrics)
            let step = stepOffset + (record.epoch + 1) * batchesPerEpoch
            try tensorBoard?.scalars(step: step, values.byName.sorted { $0.key < $1.key }.map { ("epoch/\($0.key)", $0.value) })
            if let mlflow, live?.failure == nil {
                mlflow.epoch(values.byName, step: step, time: MLflowTracker.now)
                live?.attempt { try mlflow.flush() }
            }
        }
        progress.epoch(record)
    }

    /// A finished epoch taken from a checkpoint or a reused stage: its batches, then the epoch.
    func replay(_ record: EpochRecord) {
        for (index, point) in record.batches.enumerated() {
            batch(point, stage: record.stage, epoch: record.epoch, index: index)
        }
        epoch(record)
    }

    func stageFinished(_ record: StageRecord) throws {
        if let writeError { throw writeError }
        stages.append(record)
        stepOffset += record.epochsRun * batchesPerEpoch
        try store.writeRecord(path("stages.json"), stages)
    }

    /// The job's evaluation is written: its TensorBoard session ends well.
    func finished() throws {
        if session { record { try tensorBoard?.sessionEnd(success: true) } }
        if let mlflow { live?.attempt { try mlflow.finish(status: "FINISHED", endTime: MLflowTracker.now) } }
        if let writeError { throw writeError }
    }

    private func record(_ write: () throws -> Void) {
        do {
            try write()
        } catch {
            if writeError == nil { writeError = error }
        }
    }
}
