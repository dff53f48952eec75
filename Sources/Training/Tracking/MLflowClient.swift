// MLflowClient: MLflow's tracking REST API (2.0) — experiments, runs, batched params/metrics/tags, artifacts through the server.

import Downloads
import Foundation

/// Works with any MLflow tracking server and backend: only the documented REST endpoints are used.
/// Artifacts go through the server's proxy (`mlflow-artifacts:` URIs, the default of `mlflow
/// server`), or straight into a local `file:` artifact root.
public struct MLflowClient {
    public struct Metric {
        public var key: String
        public var value: Double
        /// Milliseconds since 1970.
        public var timestamp: Int64
        public var step: Int
    }

    public enum MLflowError: Error, CustomStringConvertible {
        case unreachable(uri: String, detail: String)
        case refused(endpoint: String, status: Int, message: String)
        case unsupportedArtifactStore(String)

        public var description: String {
            switch self {
            case let .unreachable(uri, detail):
                return "the MLflow tracking server at \(uri) cannot be reached (\(detail)); nothing was lost: the run"
                    + " stays in its directory, export it later with `runner export mlflow RUN --tracking-uri URI`"
            case let .refused(endpoint, status, message):
                return "MLflow refused \(endpoint) (HTTP \(status)): \(message)"
            case let .unsupportedArtifactStore(uri):
                return "artifacts cannot be uploaded to \(uri): only the server's proxy (mlflow-artifacts:) and local"
                    + " file: roots are supported; start the server with --serve-artifacts"
            }
        }
    }

    public let trackingURI: String

    public init(trackingURI: String) {
        self.trackingURI = trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI
    }

    /// The experiment's id, created when it does not exist yet.
    public func experiment(named name: String) throws -> String {
        let query = name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? name
        let found = try call("GET", "experiments/get-by-name?experiment_name=\(query)", acceptMissing: true)
        if let experiment = found["experiment"] as? [String: Any], let id = experiment["experiment_id"] as? String {
            return id
        }
        let created = try call("POST", "experiments/create", ["name": name])
        return created["experiment_id"] as? String ?? ""
    }

    /// Creates a run; returns its id and artifact URI.
    public func createRun(experiment: String, name: String, startTime: Int64, tags: [String: String])
        throws -> (id: String, artifactURI: String) {
        let body: [String: Any] = ["experiment_id": experiment, "run_name": name, "start_time": startTime,
                                   "tags": tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }]
        let info = (try call("POST", "runs/create", body)["run"] as? [String: Any])?["info"] as? [String: Any] ?? [:]
        return (info["run_id"] as? String ?? "", info["artifact_uri"] as? String ?? "")
    }

    /// Logs in MLflow's batch limits: 1000 metrics, 100 params, 100 tags a request.
    public func log(run: String, metrics: [Metric] = [], params: [String: String] = [:], tags: [String: String] = [:]) throws {
        let paramList = params.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": String($0.value.prefix(6000))] }
        let tagList = tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
        for start in stride(from: 0, to: max(paramList.count, tagList.count, 1), by: 100) {
            let body: [String: Any] = ["run_id": run, "params": Array(paramList.dropFirst(start).prefix(100)),
                                       "tags": Array(tagList.dropFirst(start).prefix(100)), "metrics": []]
            _ = try call("POST", "runs/log-batch", body)
        }
        for start in stride(from: 0, to: metrics.count, by: 1000) {
            let chunk = metrics[start..<min(start + 1000, metrics.count)].map {
                ["key": $0.key, "value": $0.value, "timestamp": $0.timestamp, "step": $0.step] as [String: Any]
            }
            _ = try call("POST", "runs/log-batch", ["run_id": run, "metrics": chunk])
        }
    }

    /// FINISHED, FAILED or KILLED.
    public func end(run: String, status: String, endTime: Int64) throws {
        _ = try call("POST", "runs/update", ["run_id": run, "status": status, "end_time": endTime])
    }

    /// RUNNING again, for a run that goes on (a resumed Runner run).
    public func setStatus(run: String, status: String) throws {
        _ = try call("POST", "runs/update", ["run_id": run, "status": status])
    }

    /// Uploads `data` as `path` under the run's artifact URI.
    public func upload(_ data: Data, path: String, artifactURI: String) throws {
        if artifactURI.hasPrefix("mlflow-artifacts:") {
            let location = artifactURI.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" }
            let url = "\(trackingURI)/api/2.0/mlflow-artifacts/artifacts/\(location)/\(path)"
            let response = try transport { try HTTPClient.send("PUT", url, body: data, contentType: "application/octet-stream") }
            guard (200..<300).contains(response.status) else {
                throw MLflowError.refused(endpoint: "artifact upload \(path)", status: response.status,
                                          message: String(decoding: response.body.prefix(300), as: UTF8.self))
            }
        } else if artifactURI.hasPrefix("file:") || artifactURI.hasPrefix("/") {
            let root = URL(string: artifactURI)?.path ?? artifactURI
            let file = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        } else {
            throw MLflowError.unsupportedArtifactStore(artifactURI)
        }
    }

    private func transport(_ send: () throws -> HTTPClient.Response) throws -> HTTPClient.Response {
        do {
            return try send()
        } catch let error as HTTPClient.TransportError {
            throw MLflowError.unreachable(uri: trackingURI, detail: error.detail)
        }
    }

    /// One REST call; `acceptMissing` turns RESOURCE_DOES_NOT_EXIST into an empty answer.
    private func call(_ method: String, _ endpoint: String, _ body: [String: Any]? = nil, acceptMissing: Bool = false)
        throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        let response = try transport {
            try HTTPClient.send(method, "\(trackingURI)/api/2.0/mlflow/\(endpoint)", body: data)
        }
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        if (200..<300).contains(response.status) { return object }
        if acceptMissing, object["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST" { return [:] }
        throw MLflowError.refused(endpoint: endpoint, status: response.status,
                                  message: object["message"] as? String ?? String(decoding: response.body.prefix(300), as: UTF8.self))
    }
}
