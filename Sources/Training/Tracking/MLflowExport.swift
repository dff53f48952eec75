// MLflowExport: a run directory into MLflow — a parent run per Runner run, a nested run per job, with params, metrics, tags and artifacts.

import Experiments
import Foundation

/// Everything comes from the run store, so a run trained without a server (or while it was down)
/// is exported later exactly as it would have been logged, into the same MLflow runs when live
/// logging had started them (see MLflowTracker); exporting again sends nothing twice. Metrics keep
/// Runner's steps (training batches across the job's stages) and get timestamps from the run's
/// start and its epoch timings.
public enum MLflowExport {
    public struct Result: Sendable {
        public var experimentID: String
        public var parentRunID: String
        public var jobRunIDs: [String: String]
    }

    public static func export(run: URL, client: MLflowClient, experiment: String? = nil) throws -> Result {
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("plan.json")))
            as? [String: Any] ?? [:]
        let tracker = MLflowTracker(run: run, client: client, experiment: experiment)
        let parent = try tracker.parentRun(reopen: false)
        let manager = FileManager.default
        let status = manager.fileExists(atPath: run.appendingPathComponent("summary.json").path) ? "FINISHED"
            : manager.fileExists(atPath: run.appendingPathComponent(RunStore.failureFile).path) ? "FAILED" : "KILLED"
        var jobs: [String: String] = [:]
        var end = startTime(run)
        for item in (plan["jobs"] as? [[String: Any]]) ?? [] {
            guard let id = item["id"] as? String else { continue }
            let folder = run.appendingPathComponent("jobs/\(id)")
            let config = try? ConfigLoader.load(path: folder.appendingPathComponent("job.yaml").path,
                                                options: .init(checkFiles: false)).config
            let jobRun = try tracker.jobRun(id, overrides: item["overrides"] as? [String] ?? [], config: config,
                                            reopen: false)
            let jobEnd = try replay(folder, into: jobRun, start: startTime(run))
            let finished = manager.fileExists(atPath: folder.appendingPathComponent("final.json").path)
            try jobRun.finish(status: finished ? "FINISHED" : status, endTime: jobEnd)
            jobs[id] = jobRun.record.runID
            end = max(end, jobEnd)
        }
        try tracker.finish(status: status, endTime: end)
        return Result(experimentID: parent.experimentID, parentRunID: parent.runID, jobRunIDs: jobs)
    }

    /// The settings a user compares jobs by.
    static func settings(_ config: ExperimentConfig) -> [String: String] {
        var params = ["model.arch": config.model.arch.rawValue, "data.size": String(config.data.size),
                      "data.batch_size": String(config.data.batchSize), "preset": config.preset.rawValue,
                      "seed": String(config.seed)]
        if let meta = config.model.meta { params["model.meta"] = "[\(meta.cut), \(meta.lrCut)]" }
        for (index, stage) in config.schedule.enumerated() {
            params["schedule.\(index).name"] = stage.name
            params["schedule.\(index).epochs"] = String(stage.epochs)
            params["schedule.\(index).freeze_to"] = String(stage.freezeTo)
            params["schedule.\(index).lr"] = "\(stage.lr)"
        }
        return params
    }

    /// metrics.jsonl's records into `jobRun` in order; an epoch's timestamp is the run's start plus
    /// the epoch times so far, and its batches share it. Returns the last timestamp.
    static func replay(_ folder: URL, into jobRun: MLflowJobRun, start: Int64) throws -> Int64 {
        let text = (try? String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? ""
        let timings = ((try? String(contentsOf: folder.appendingPathComponent("timings.jsonl"), encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { try? RunJSON.decode(TimingLine.self, from: Data($0.utf8)) }
        var seconds: [String: Double] = [:]
        for line in timings { seconds["\(line.stage)/\(line.epoch)"] = line.seconds }
        var step = 0
        var clock = Double(start)
        for line in text.split(separator: "\n") {
            let data = Data(line.utf8)
            if line.contains("\"event\":\"batch\"") {
                let batch = try RunJSON.decode(BatchLine.self, from: data)
                step += 1
                jobRun.batch(loss: batch.loss, momentum: batch.mom, learningRates: batch.lrs, step: step, time: Int64(clock))
            } else {
                let epoch = try RunJSON.decode(EpochLine.self, from: data)
                clock += (seconds["\(epoch.stage)/\(epoch.epoch)"] ?? 0) * 1000
                jobRun.epoch(epoch.values.byName, step: step, time: Int64(clock))
            }
        }
        return Int64(clock)
    }

    /// The run's start from its directory name (`yyyyMMdd-HHmmss-hash`), in milliseconds.
    static func startTime(_ run: URL) -> Int64 {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let date = formatter.date(from: String(run.lastPathComponent.prefix(15))) ?? Date()
        return Int64(date.timeIntervalSince1970 * 1000)
    }
}
