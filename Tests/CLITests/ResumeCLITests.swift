// ResumeCLITests: `runner run` killed with SIGKILL or stopped with Ctrl-C, then --resume, ends exactly like an uninterrupted run.

import Foundation
import XCTest

final class ResumeCLITests: CLITestCase {
    private func config(size: Int = 32) throws -> String {
        let path = directory.appendingPathComponent("resume-\(size).yaml").path
        try """
            version: 1
            name: resume
            seed: 4
            data: {source: generated, variant: source, classes: 3, images_per_class: 24, size: \(size), batch_size: 8}
            model: {arch: resnet18, head: {lin_ftrs: [32]}}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 2, lr: slice(1e-5, 1e-3)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The only run directory of `name` under `runs`.
    private func runDirectory(_ runs: String) throws -> String {
        let ids = try FileManager.default.contentsOfDirectory(atPath: runs + "/resume").filter { !$0.hasPrefix(".") }
        XCTAssertEqual(ids.count, 1, "\(ids)")
        return runs + "/resume/" + (ids.first ?? "")
    }

    private func waitFor(_ path: String, process: Process, log: URL) throws {
        for _ in 0..<1200 where !FileManager.default.fileExists(atPath: path) {
            XCTAssertTrue(process.isRunning, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
            guard process.isRunning else { return }
            usleep(50_000)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "no \(path) after a minute")
    }

    /// Starts a run that checkpoints after every batch and waits for its first checkpoint.
    private func startInterruptible(_ config: String, runs: String) throws -> (Process, String, URL) {
        let log = directory.appendingPathComponent("first.log")
        let process = try RunnerBinary.start(["run", config, "--runs", runs, "--threads", "2",
                                              "--checkpoint-interval", "0"], output: log)
        var run = ""
        for _ in 0..<1200 {
            if let id = try? FileManager.default.contentsOfDirectory(atPath: runs + "/resume").first { run = id; break }
            usleep(50_000)
        }
        let directory = runs + "/resume/" + run
        try waitFor(directory + "/jobs/main/frozen.checkpoint.safetensors", process: process, log: log)
        return (process, directory, log)
    }

    private func files(_ run: String) throws -> [Data] {
        try ["metrics.jsonl", "stages.json", "final.json", "model.safetensors"].map { name in
            var data = try Data(contentsOf: URL(fileURLWithPath: run + "/jobs/main/" + name))
            if name == "stages.json" {
                // Wall times differ; everything else must not.
                let text = String(decoding: data, as: UTF8.self)
                data = Data(text.split(separator: "\n").filter { !$0.contains("\"seconds\"") }.joined(separator: "\n").utf8)
            }
            return data
        }
    }

    func testKilledWithSigkillThenResumedEndsByteIdenticalAndTheLockKeepsOutASecondRunner() throws {
        let config = try config()
        let whole = directory.appendingPathComponent("whole").path
        let uninterrupted = try RunnerBinary.run(["run", config, "--runs", whole, "--threads", "2"])
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.error)

        let runs = directory.appendingPathComponent("killed").path
        let (process, run, log) = try startInterruptible(config, runs: runs)
        // While it runs, a second runner may not write the same run.
        let second = try RunnerBinary.run(["run", config, "--runs", runs, "--resume"])
        XCTAssertEqual(second.status, 1, second.output)
        XCTAssertTrue(second.error.contains("being written by another runner (pid \(process.processIdentifier))"),
                      second.error)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/summary.json"), "a killed run must not look finished")

        let resumed = try RunnerBinary.run(["run", config, "--runs", runs, "--resume", "--threads", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.output.contains("resuming \(run)"), resumed.output)
        XCTAssertTrue(resumed.output.contains("resuming from the checkpoint at epoch"), resumed.output)
        XCTAssertEqual(try runDirectory(runs), run, "resuming continues the run, it makes no new one")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/summary.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/jobs/main/frozen.checkpoint.safetensors"))
        XCTAssertEqual(try files(run), try files(try runDirectory(whole)))

        let nothing = try RunnerBinary.run(["run", config, "--runs", runs, "--resume"])
        XCTAssertEqual(nothing.status, 1)
        XCTAssertTrue(nothing.error.contains("no unfinished run of this config"), nothing.error)
        XCTAssertTrue(nothing.error.contains("finished"), nothing.error)
    }

    /// A second Ctrl-C while OpenBLAS threads are inside a GEMM used to crash in libopenblas
    /// (SIGSEGV) as exit() tore the library down under them. 128 px images make the GEMMs large
    /// enough to run on both threads; the second signal lands 0–5 ms after the first, inside the
    /// batch that is finishing.
    func testASecondCtrlCQuitsWithExit130WhateverIsRunning() throws {
        let config = try config(size: 128)
        for attempt in 0..<6 {
            let runs = directory.appendingPathComponent("twice-\(attempt)").path
            let (process, _, log) = try startInterruptible(config, runs: runs)
            kill(process.processIdentifier, SIGINT)
            usleep(UInt32(attempt) * 1_000)
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            let text = try String(contentsOf: log, encoding: .utf8)
            XCTAssertEqual(process.terminationReason, .exit, "attempt \(attempt) died of a signal: \(text)")
            XCTAssertEqual(process.terminationStatus, 130, "attempt \(attempt): \(text)")
        }
    }

    func testCtrlCStopsAtABatchBoundaryWithExit130AndResumeFinishesTheRun() throws {
        let config = try config()
        let runs = directory.appendingPathComponent("interrupted").path
        let (process, run, log) = try startInterruptible(config, runs: runs)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 130, text)
        XCTAssertTrue(text.contains("stopping at the next batch boundary"), text)
        XCTAssertTrue(text.contains("Continue with the same command plus --resume"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/jobs/main/frozen.checkpoint.safetensors"))
        let resumed = try RunnerBinary.run(["run", config, "--runs", runs, "--resume", "--threads", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.output.contains("resuming from the checkpoint at epoch"),
                      "the stop wrote a checkpoint that the resume starts from: \(resumed.output)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/summary.json"))
        let lines = try String(contentsOfFile: run + "/jobs/main/metrics.jsonl", encoding: .utf8)
            .split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("\"event\":\"epoch\"") }.count, 4,
                       "one line per epoch of both stages, none twice: \(lines)")
        // Each training batch once: 7 batches an epoch, 4 epochs.
        let batches = lines.filter { $0.contains("\"event\":\"batch\"") }
        XCTAssertEqual(batches.count, 28, "\(batches)")
        XCTAssertEqual(Set(batches.map { $0.replacingOccurrences(of: #""loss":[0-9.e-]+,"#, with: "", options: .regularExpression) })
            .count, 28, "no batch logged twice")
    }
}
