// MLflowCLITests: `runner export mlflow` into a real MLflow server (SQLite backend) read back with MLflow's client, and a server that is not there (issue 14).

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest

final class MLflowCLITests: CLITestCase {
    /// A port nothing listens on: bound to port 0 by the kernel, then released for the server.
    private func freePort() throws -> Int {
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

    func testASweepExportedIntoAFreshServerIsOneParentRunWithTwoJobRuns() throws {
        let python = try ExternalTool.python(importing: "mlflow", test: name)
        let config = directory.appendingPathComponent("sweep.yaml").path
        try """
            version: 1
            name: tracked
            data: {source: generated, variant: target, classes: 3, images_per_class: 10, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 3e-3}
            sweep: {schedule.0.lr: [1e-3, 3e-3]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        let trained = try runner(["run", config, "--runs", runs, "--threads", "2", "--quiet"])
        XCTAssertEqual(trained.status, 0, trained.error)

        let port = try freePort()
        let store = directory.appendingPathComponent("mlflow")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["-m", "mlflow", "server", "--backend-store-uri", "sqlite:///\(store.path)/mlflow.db",
                            "--artifacts-destination", store.appendingPathComponent("artifacts").path,
                            "--host", "127.0.0.1", "--port", String(port), "--workers", "1"]
        server.currentDirectoryURL = store
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let uri = "http://127.0.0.1:\(port)"
        var exported: (status: Int32, output: String, error: String) = (1, "", "")
        // The server takes a while to start; until then export says it cannot reach it.
        for _ in 0..<90 {
            exported = try runner(["export", "mlflow", "tracked", "--runs", runs, "--tracking-uri", uri])
            if exported.status == 0 || !exported.error.contains("cannot be reached") { break }
            Thread.sleep(forTimeInterval: 2)
        }
        XCTAssertEqual(exported.status, 0, exported.error)
        XCTAssertTrue(exported.output.contains("with 2 job runs"), exported.output)

        let (status, output) = try ExternalTool.python(python, script: """
            import json, sys
            from mlflow.tracking import MlflowClient
            client = MlflowClient(tracking_uri=sys.argv[1])
            experiment = client.get_experiment_by_name("tracked")
            runs = client.search_runs([experiment.experiment_id])
            out = []
            for run in runs:
                out.append({"name": run.info.run_name, "status": run.info.status, "id": run.info.run_id,
                            "parent": run.data.tags.get("mlflow.parentRunId"), "params": run.data.params,
                            "metrics": run.data.metrics,
                            "history": len(client.get_metric_history(run.info.run_id, "train_loss_batch")),
                            "valid": [[m.step, m.value] for m in client.get_metric_history(run.info.run_id, "valid_loss")],
                            "artifacts": sorted(a.path for a in client.list_artifacts(run.info.run_id)),
                            "commit": run.data.tags.get("mlflow.source.git.commit")})
            print(json.dumps(out))
            """, [uri])
        XCTAssertEqual(status, 0, output)
        let line = try XCTUnwrap(output.split(separator: "\n").last)
        let runsSeen = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]])
        XCTAssertEqual(runsSeen.count, 3, output)
        let parent = try XCTUnwrap(runsSeen.first { $0["parent"] is NSNull || $0["parent"] == nil })
        let parentID = try XCTUnwrap(parent["id"] as? String)
        XCTAssertEqual(parent["artifacts"] as? [String], ["plan.json", "report.html", "resolved.yaml", "summary.json"])
        XCTAssertNotNil(parent["commit"] as? String)
        let jobs = runsSeen.filter { $0["parent"] as? String == parentID }
        XCTAssertEqual(Set(jobs.compactMap { $0["name"] as? String }), ["lr=1e-3", "lr=3e-3"])
        for job in jobs {
            XCTAssertEqual(job["status"] as? String, "FINISHED")
            // 24 train images at batch 4: 6 batches an epoch, 2 epochs.
            XCTAssertEqual(job["history"] as? Int, 12)
            XCTAssertEqual((job["valid"] as? [[Double]])?.map { Int($0[0]) }, [6, 12])
            let params = try XCTUnwrap(job["params"] as? [String: String])
            XCTAssertEqual(params["model.arch"], "resnet18")
            XCTAssertNotNil(params["schedule.0.lr"])
            XCTAssertEqual(job["artifacts"] as? [String], ["classes.json", "final.json", "interpretation.json", "job.yaml",
                                                          "stages.json"])
            // The final valid loss is final.json's.
            let folder = runs + "/tracked/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tracked").first))
            let final = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                folder + "/jobs/\(try XCTUnwrap(job["name"] as? String))/final.json"))) as? [String: Double])
            XCTAssertEqual(try XCTUnwrap((job["metrics"] as? [String: Double])?["valid_loss"]), try XCTUnwrap(final["valid_loss"]),
                           accuracy: 1e-9)
        }
    }

    func testAnUnreachableServerIsAClearErrorAndTheRunStays() throws {
        let runs = directory.appendingPathComponent("runs").path
        let config = directory.appendingPathComponent("one.yaml").path
        try """
            version: 1
            name: one
            data: {source: generated, variant: target, classes: 3, images_per_class: 6, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6]}
            schedule: [{name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runner(["run", config, "--runs", runs, "--quiet"]).status, 0)
        // Port 9 (discard) has no server on this machine.
        let result = try runner(["export", "mlflow", "one", "--runs", runs, "--tracking-uri", "http://127.0.0.1:9"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("the MLflow tracking server at http://127.0.0.1:9 cannot be reached"), result.error)
        XCTAssertTrue(result.error.contains("export it later"), result.error)
        let missing = try runner(["export", "mlflow", "one", "--runs", runs], environment: ["MLFLOW_TRACKING_URI": ""])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.error.contains("--tracking-uri"), missing.error)
    }
}
