// MLflowExport: a run directory into MLflow — a parent run per Runner run, a nested run per job, with params, metrics, tags and artifacts.

import Experiments
import Foundation

/// Everything comes from the run store, so a run trained without a server (or while it was down)
/// is exported later exactly as it would have been logged. Metrics keep Runner's steps (training
/// batches across the job's stages) and get timestamps from the run's start and its epoch timings.
public enum MLflowExport {
    public struct Result: Sendable {
        public var experimentID: String
        public var parentRunID: String
        public var jobRunIDs: [String: String]
    }

    public static func export(run: URL, client: MLflowClient, experiment: String? = nil) throws -> Result {
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("plan.json")))
            as? [String: Any] ?? [:]
        let env = try? RunJSON.decode(EnvironmentRecord.self, from: Data(contentsOf: run.appendingPathComponent("env.json")))
        let name = run.deletingLastPathComponent().lastPathComponent
        let experimentID = try client.experiment(named: experiment ?? name)
        let start = startTime(run)
        let status = FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path) ? "FINISHED"
            : FileManager.default.fileExists(atPath: run.appendingPathComponent(RunStore.failureFile).path) ? "FAILED" : "KILLED"
        var tags = ["runner.run_directory": run.path, "runner.config_hash": String(run.lastPathComponent.suffix(8)),
                    "mlflow.source.name": "runner"]
        if let env {
            tags["mlflow.source.git.commit"] = env.gitCommit
            tags["runner.cpu"] = env.cpu
            tags["runner.threads"] = String(env.threads)
        }
        let parent = try client.createRun(experiment: experimentID, name: run.lastPathComponent, startTime: start, tags: tags)
        if let env { try client.log(run: parent.id, params: ["seed": String(env.seed), "threads": String(env.threads)]) }
        for file in ["resolved.yaml", "plan.json", "summary.json", RunReport.fileName] {
            if let data = try? Data(contentsOf: run.appendingPathComponent(file)) {
                try client.upload(data, path: file, artifactURI: parent.artifactURI)
            }
        }
        var jobs: [String: String] = [:]
        var end = start
        for item in (plan["jobs"] as? [[String: Any]]) ?? [] {
            guard let id = item["id"] as? String else { continue }
            let overrides = item["overrides"] as? [String] ?? []
            let (jobRun, jobEnd) = try exportJob(run: run, id: id, overrides: overrides, client: client,
                                                 experiment: experimentID, parent: parent.id, start: start, status: status,
                                                 tags: tags)
            jobs[id] = jobRun
            end = max(end, jobEnd)
        }
        try client.end(run: parent.id, status: status, endTime: end)
        return Result(experimentID: experimentID, parentRunID: parent.id, jobRunIDs: jobs)
    }

    private static func exportJob(run: URL, id: String, overrides: [String], client: MLflowClient, experiment: String,
                                  parent: String, start: Int64, status: String, tags: [String: String])
        throws -> (String, Int64) {
        let folder = run.appendingPathComponent("jobs/\(id)")
        var jobTags = tags
        jobTags["mlflow.parentRunId"] = parent
        let created = try client.createRun(experiment: experiment, name: id, startTime: start, tags: jobTags)
        var params = Dictionary(overrides.map { text -> (String, String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }, uniquingKeysWith: { $1 })
        if let job = try? ConfigLoader.load(path: folder.appendingPathComponent("job.yaml").path,
                                            options: .init(checkFiles: false)).config {
            params.merge(settings(job), uniquingKeysWith: { swept, _ in swept })
        }
        let (metrics, end) = try self.metrics(folder, start: start)
        try client.log(run: created.id, metrics: metrics, params: params)
        for file in ["stages.json", "final.json", "classes.json", "interpretation.json", "job.yaml"] {
            if let data = try? Data(contentsOf: folder.appendingPathComponent(file)) {
                try client.upload(data, path: file, artifactURI: created.artifactURI)
            }
        }
        try client.end(run: created.id, status: status, endTime: end)
        return (created.id, end)
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

    /// metrics.jsonl as MLflow metrics: per batch `train_loss_batch`, `lr_group_N`, `momentum`; per
    /// epoch every metric of the line, at the step of the epoch's last batch.
    static func metrics(_ folder: URL, start: Int64) throws -> ([MLflowClient.Metric], Int64) {
        let text = (try? String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? ""
        let timings = ((try? String(contentsOf: folder.appendingPathComponent("timings.jsonl"), encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { try? RunJSON.decode(TimingLine.self, from: Data($0.utf8)) }
        var seconds: [String: Double] = [:]
        for line in timings { seconds["\(line.stage)/\(line.epoch)"] = line.seconds }
        var metrics: [MLflowClient.Metric] = []
        var step = 0
        var clock = Double(start)
        for line in text.split(separator: "\n") {
            let data = Data(line.utf8)
            if line.contains("\"event\":\"batch\"") {
                let batch = try RunJSON.decode(BatchLine.self, from: data)
                step += 1
                let time = Int64(clock)
                metrics.append(.init(key: "train_loss_batch", value: batch.loss, timestamp: time, step: step))
                metrics.append(.init(key: "momentum", value: batch.mom, timestamp: time, step: step))
                metrics += batch.lrs.enumerated().map { .init(key: "lr_group_\($0.offset)", value: $0.element, timestamp: time, step: step) }
            } else {
                let epoch = try RunJSON.decode(EpochLine.self, from: data)
                clock += (seconds["\(epoch.stage)/\(epoch.epoch)"] ?? 0) * 1000
                metrics += epoch.values.byName.sorted { $0.key < $1.key }.map {
                    .init(key: $0.key, value: $0.value, timestamp: Int64(clock), step: step)
                }
            }
        }
        return (metrics, Int64(clock))
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
