// MLflowServer: a real `mlflow server` (SQLite backend, proxied artifacts) on a free local port for a test, and its runs read back with MLflow's client.

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest

public final class MLflowServer {
    public let python: String
    public let port: Int
    public var uri: String { "http://127.0.0.1:\(port)" }
    private let folder: URL
    private var process: Process?

    /// Skips loudly when mlflow is not importable. `port`: where to listen (a free one when nil).
    public init(folder: URL, test: String, port: Int? = nil) throws {
        python = try ExternalTool.python(importing: "mlflow", test: test)
        self.port = try port ?? Self.freePort()
        self.folder = folder
    }

    deinit { stop() }

    /// Starts the server and waits until it answers (up to three minutes on a busy machine).
    public func start() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["-m", "mlflow", "server", "--backend-store-uri", "sqlite:///\(folder.path)/mlflow.db",
                            "--artifacts-destination", folder.appendingPathComponent("artifacts").path,
                            "--host", "127.0.0.1", "--port", String(port), "--workers", "1"]
        server.currentDirectoryURL = folder
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        process = server
        for _ in 0..<180 {
            if try answers() { return }
            guard server.isRunning else { break }
            Thread.sleep(forTimeInterval: 1)
        }
        stop()
        XCTFail("mlflow server on port \(port) did not start")
    }

    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    private func answers() throws -> Bool {
        let probe = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)"
        return try ExternalTool.run(python, ["-c", probe, uri + "/health"]).status == 0
    }

    /// Every run of `experiment`: name, status, id, parent id, params, latest metrics, the number
    /// of `train_loss_batch` points and their steps, `valid_loss` as [step, value], artifact paths,
    /// the git commit tag.
    public func runs(experiment: String) throws -> [[String: Any]] {
        let (status, output) = try ExternalTool.python(python, script: """
            import json, sys
            from mlflow.tracking import MlflowClient
            client = MlflowClient(tracking_uri=sys.argv[1])
            experiment = client.get_experiment_by_name(sys.argv[2])
            runs = client.search_runs([experiment.experiment_id]) if experiment else []
            out = []
            for run in runs:
                out.append({"name": run.info.run_name, "status": run.info.status, "id": run.info.run_id,
                            "parent": run.data.tags.get("mlflow.parentRunId"), "params": run.data.params,
                            "metrics": run.data.metrics,
                            "batch_steps": sorted(m.step for m in client.get_metric_history(run.info.run_id, "train_loss_batch")),
                            "valid": [[m.step, m.value] for m in client.get_metric_history(run.info.run_id, "valid_loss")],
                            "artifacts": sorted(a.path for a in client.list_artifacts(run.info.run_id)),
                            "commit": run.data.tags.get("mlflow.source.git.commit")})
            print(json.dumps(out))
            """, [uri, experiment])
        guard status == 0, let line = output.split(separator: "\n").last,
              let runs = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]] else {
            XCTFail("reading MLflow back failed: \(output)")
            return []
        }
        return runs
    }

    /// A port nothing listens on: bound to port 0 by the kernel, then released.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw XCTSkip("no free local port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
