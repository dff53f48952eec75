// MLflowTracker: a Runner run on one MLflow server — its parent run, a nested run per job, and what the server already has, kept in the run directory.

import Downloads
import Experiments
import Foundation

/// Live logging (`tracking:`) and `runner export mlflow` both go through here, so a run looks the
/// same on the server whichever sent it, and an export after live logging stopped (the server was
/// down) continues the same MLflow runs instead of starting others. Per server and experiment the
/// run directory keeps `mlflow/<key>/run.json` (the server's ids) and `jobs/<job>.json` (how many
/// of the job's metrics.jsonl records the server has), written after each accepted request.
public final class MLflowTracker {
    struct ParentRecord: Codable {
        var trackingURI: String
        var experiment: String
        var experimentID: String
        var runID: String
        var artifactURI: String

        enum CodingKeys: String, CodingKey {
            case experiment
            case trackingURI = "tracking_uri"
            case experimentID = "experiment_id"
            case runID = "run_id"
            case artifactURI = "artifact_uri"
        }
    }

    public let client: MLflowClient
    public let run: URL
    public let experiment: String
    let store: RunStore
    /// Relative to the run directory: this server and experiment's records.
    let folder: String
    private var parent: ParentRecord?

    /// `experiment`: MLflow's experiment name, the config's name when nil.
    public init(run: URL, client: MLflowClient, experiment: String? = nil) {
        self.client = client
        self.run = run
        self.experiment = experiment ?? run.deletingLastPathComponent().lastPathComponent
        store = RunStore(existing: run)
        folder = "mlflow/" + String(StableHash.hex(client.trackingURI + "\n" + self.experiment).prefix(12))
    }

    public var parentRunID: String? { parent?.runID }

    /// The parent run: the one this directory already has on the server, marked running again when
    /// `reopen`, or a new one with the run's tags, created under a lock so that Slurm nodes starting
    /// together create one.
    @discardableResult
    func parentRun(reopen: Bool) throws -> ParentRecord {
        if let parent { return parent }
        try FileManager.default.createDirectory(at: run.appendingPathComponent(folder), withIntermediateDirectories: true)
        let lock = try FileLock(path: run.appendingPathComponent(folder + "/.lock").path)
        defer { lock.unlock() }
        if let data = FileManager.default.contents(atPath: run.appendingPathComponent(folder + "/run.json").path) {
            let found = try RunJSON.decode(ParentRecord.self, from: data)
            if reopen { try client.setStatus(run: found.runID, status: "RUNNING") }
            parent = found
            return found
        }
        do {
            let record = try createParent()
            parent = record
            return record
        } catch {
            // A server that could not be reached leaves no trace in the run directory.
            for path in [folder, "mlflow"] {
                let url = run.appendingPathComponent(path)
                if (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.allSatisfy({ $0 == ".lock" }) == true {
                    try? FileManager.default.removeItem(at: url)
                }
            }
            throw error
        }
    }

    private func createParent() throws -> ParentRecord {
        let experimentID = try client.experiment(named: experiment)
        let created = try client.createRun(experiment: experimentID, name: run.lastPathComponent,
                                           startTime: MLflowExport.startTime(run), tags: tags)
        if let env { try client.log(run: created.id, params: ["seed": String(env.seed), "threads": String(env.threads)]) }
        let record = ParentRecord(trackingURI: client.trackingURI, experiment: experiment, experimentID: experimentID,
                                  runID: created.id, artifactURI: created.artifactURI)
        try store.writeRecord(folder + "/run.json", record)
        return record
    }

    /// The run's env.json, when it has one.
    private lazy var env: EnvironmentRecord? = try? RunJSON.decode(
        EnvironmentRecord.self, from: Data(contentsOf: run.appendingPathComponent("env.json")))

    /// What every MLflow run of this Runner run is tagged with.
    private lazy var tags: [String: String] = {
        var tags = ["runner.run_directory": run.path, "runner.config_hash": String(run.lastPathComponent.suffix(8)),
                    "mlflow.source.name": "runner"]
        if let env {
            tags["mlflow.source.git.commit"] = env.gitCommit
            tags["runner.cpu"] = env.cpu
            tags["runner.threads"] = String(env.threads)
        }
        return tags
    }()

    /// The job's nested run, taken up where the server left it. `config`: the job's settings, its params.
    func jobRun(_ job: String, overrides: [String], config: ExperimentConfig?, reopen: Bool) throws -> MLflowJobRun {
        let parent = try parentRun(reopen: reopen)
        let path = folder + "/jobs/\(job).json"
        if let data = FileManager.default.contents(atPath: run.appendingPathComponent(path).path) {
            let jobRun = MLflowJobRun(tracker: self, job: job, path: path,
                                      record: try RunJSON.decode(MLflowJobRun.Record.self, from: data))
            if reopen { try jobRun.reopen() }
            return jobRun
        }
        var tags = tags
        tags["mlflow.parentRunId"] = parent.runID
        let created = try client.createRun(experiment: parent.experimentID, name: job,
                                           startTime: MLflowExport.startTime(run), tags: tags)
        var params = Dictionary(overrides.map { text -> (String, String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }, uniquingKeysWith: { $1 })
        if let config { params.merge(MLflowExport.settings(config), uniquingKeysWith: { swept, _ in swept }) }
        try client.log(run: created.id, params: params)
        let record = MLflowJobRun.Record(runID: created.id, artifactURI: created.artifactURI, sent: 0, status: "RUNNING")
        try store.writeRecord(path, record)
        return MLflowJobRun(tracker: self, job: job, path: path, record: record)
    }

    /// The run is over: its files go up as artifacts (the report and interpretations are written
    /// last), and every job run not finished and the parent end with `status`.
    public func finish(status: String, endTime: Int64 = MLflowTracker.now) throws {
        let parent = try parentRun(reopen: false)
        for file in ["resolved.yaml", "plan.json", "summary.json", RunReport.fileName] {
            if let data = try? Data(contentsOf: run.appendingPathComponent(file)) {
                try client.upload(data, path: file, artifactURI: parent.artifactURI)
            }
        }
        let jobs = run.appendingPathComponent(folder + "/jobs")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: jobs.path)) ?? []).sorted()
        where name.hasSuffix(".json") {
            let job = String(name.dropLast(".json".count))
            let path = folder + "/jobs/" + name
            let record = try RunJSON.decode(MLflowJobRun.Record.self, from: Data(contentsOf: jobs.appendingPathComponent(name)))
            if let data = try? Data(contentsOf: run.appendingPathComponent("jobs/\(job)/interpretation.json")) {
                try client.upload(data, path: "interpretation.json", artifactURI: record.artifactURI)
            }
            if record.status != "FINISHED" {
                try MLflowJobRun(tracker: self, job: job, path: path, record: record).end(status: status, endTime: endTime)
            }
        }
        try client.end(run: parent.runID, status: status, endTime: endTime)
    }

    /// Milliseconds since 1970, MLflow's clock.
    public static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
