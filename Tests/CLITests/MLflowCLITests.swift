// MLflowCLITests: MLflow from the command line — `tracking:` logging while a run trains and `runner export mlflow`, into a real server (SQLite backend) read back with MLflow's client; a server that is down (issue 14).

import Foundation
import TestSupport
import XCTest

final class MLflowCLITests: CLITestCase {
    /// A two-job lr sweep, 24 train images at batch 4: 6 batches an epoch, 2 epochs.
    private func sweepConfig(tracking uri: String? = nil) throws -> String {
        let config = directory.appendingPathComponent("sweep.yaml").path
        try """
            version: 1
            name: tracked
            data: {source: generated, variant: target, classes: 3, images_per_class: 10, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 3e-3}
            sweep: {schedule.0.lr: [1e-3, 3e-3]}
            """.appending(uri.map { "\ntracking: {mlflow: '\($0)'}\n" } ?? "\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    private var runs: String { directory.appendingPathComponent("runs").path }

    private func server(port: Int? = nil) throws -> MLflowServer {
        try MLflowServer(folder: directory.appendingPathComponent("mlflow"), test: name, port: port)
    }

    /// The sweep on the server: one parent with the run's files, two finished job runs with every
    /// batch once, the epochs' valid losses at the steps of their last batches, and final.json's.
    private func checkSweep(_ seen: [[String: Any]], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(seen.count, 3, "\(seen)", file: file, line: line)
        let parent = try XCTUnwrap(seen.first { $0["parent"] is NSNull || $0["parent"] == nil })
        let parentID = try XCTUnwrap(parent["id"] as? String)
        XCTAssertEqual(parent["status"] as? String, "FINISHED", file: file, line: line)
        XCTAssertEqual(parent["artifacts"] as? [String], ["plan.json", "report.html", "resolved.yaml", "summary.json"],
                       file: file, line: line)
        XCTAssertNotNil(parent["commit"] as? String, file: file, line: line)
        let jobs = seen.filter { $0["parent"] as? String == parentID }
        XCTAssertEqual(Set(jobs.compactMap { $0["name"] as? String }), ["lr=1e-3", "lr=3e-3"], file: file, line: line)
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tracked").first { $0 != ".cache" })
        for job in jobs {
            XCTAssertEqual(job["status"] as? String, "FINISHED", file: file, line: line)
            XCTAssertEqual(job["batch_steps"] as? [Int], Array(1...12), file: file, line: line)
            XCTAssertEqual((job["valid"] as? [[Double]])?.map { Int($0[0]) }, [6, 12], file: file, line: line)
            let params = try XCTUnwrap(job["params"] as? [String: String])
            XCTAssertEqual(params["model.arch"], "resnet18", file: file, line: line)
            XCTAssertNotNil(params["schedule.0.lr"], file: file, line: line)
            XCTAssertEqual(job["artifacts"] as? [String], ["classes.json", "final.json", "interpretation.json", "job.yaml",
                                                          "stages.json"], file: file, line: line)
            let final = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                "\(runs)/tracked/\(run)/jobs/\(try XCTUnwrap(job["name"] as? String))/final.json"))) as? [String: Double])
            XCTAssertEqual(try XCTUnwrap((job["metrics"] as? [String: Double])?["valid_loss"]),
                           try XCTUnwrap(final["valid_loss"]), accuracy: 1e-9, file: file, line: line)
        }
    }

    func testASweepExportedIntoAFreshServerIsOneParentRunWithTwoJobRuns() throws {
        let server = try server()
        let config = try sweepConfig()
        let trained = try runner(["run", config, "--runs", runs, "--threads", "2", "--quiet"])
        XCTAssertEqual(trained.status, 0, trained.error)
        try server.start()
        let exported = try runner(["export", "mlflow", "tracked", "--runs", runs, "--tracking-uri", server.uri])
        XCTAssertEqual(exported.status, 0, exported.error)
        XCTAssertTrue(exported.output.contains("with 2 job runs"), exported.output)
        try checkSweep(try server.runs(experiment: "tracked"))
        // Exporting again sends nothing twice.
        XCTAssertEqual(try runner(["export", "mlflow", "tracked", "--runs", runs, "--tracking-uri", server.uri]).status, 0)
        try checkSweep(try server.runs(experiment: "tracked"))
    }

    func testTrackingLogsEachJobWhileItTrains() throws {
        let server = try server()
        try server.start()
        let trained = try runner(["run", try sweepConfig(tracking: server.uri), "--runs", runs, "--threads", "2"])
        XCTAssertEqual(trained.status, 0, trained.error)
        XCTAssertTrue(trained.output.contains("mlflow \(server.uri) experiment tracked, run "), trained.output)
        XCTAssertFalse(trained.output.contains("warning"), trained.output)
        try checkSweep(try server.runs(experiment: "tracked"))
        // An export afterwards finds the live runs and adds nothing.
        XCTAssertEqual(try runner(["export", "mlflow", "tracked", "--runs", runs, "--tracking-uri", server.uri]).status, 0)
        try checkSweep(try server.runs(experiment: "tracked"))
    }

    func testTrackingToAServerThatIsDownTrainsOnAndTheExportSendsItAll() throws {
        let server = try server(port: try MLflowServer.freePort())
        let trained = try runner(["run", try sweepConfig(tracking: server.uri), "--runs", runs, "--threads", "2"])
        XCTAssertEqual(trained.status, 0, trained.error)
        let text = trained.output + trained.error
        XCTAssertEqual(text.components(separatedBy: "warning: MLflow logging stopped").count - 1, 1, text)
        XCTAssertTrue(text.contains("cannot be reached"), text)
        let export = "runner export mlflow \(runs)/tracked/"
        XCTAssertTrue(text.contains(export) && text.contains("--tracking-uri \(server.uri)"), text)
        XCTAssertTrue(text.contains("MLflow has only part of this run"), text)
        // Nothing of the training is lost: the run is complete and the export sends all of it.
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tracked").first { $0 != ".cache" })
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(runs)/tracked/\(run)/summary.json"))
        try server.start()
        let exported = try runner(["export", "mlflow", "tracked", "--runs", runs, "--tracking-uri", server.uri])
        XCTAssertEqual(exported.status, 0, exported.error)
        try checkSweep(try server.runs(experiment: "tracked"))
    }

    func testAnUnreachableServerIsAClearErrorAndTheRunStays() throws {
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
