// SlurmCLITests: `runner submit`, `exec`, `status` and `cancel` on a real Slurm cluster (scripts/slurm-local.sh), and their errors without one (issue 13).

import Foundation
import TestSupport
import XCTest

final class SlurmCLITests: CLITestCase {
    /// The quickstart's graph (a pretrain chain and a from-scratch job) on fewer images and epochs.
    private let smallQuickstart = ["--set", "pretrain.data.images_per_class=60", "--set", "pretrain.epochs=3",
                                   "--set", "data.images_per_class=16", "--set", "schedule.1.epochs=2"]

    /// Skips, saying so loudly, unless a Slurm controller answers with a node that takes jobs.
    private func requireCluster() throws {
        let sinfo = ["/usr/bin/sinfo", "/usr/local/bin/sinfo"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let answer = try sinfo.map { try ExternalTool.run($0, ["-h", "-o", "%a %t"]).output } ?? ""
        guard answer.contains("up idle") || answer.contains("up mix") || answer.contains("up alloc") else {
            throw ExternalTool.skip(name, "no Slurm cluster answers (start one with `bash scripts/slurm-local.sh start`)")
        }
    }

    /// The run directory `submit` printed (`done: <path>`).
    private func submitted(_ result: (status: Int32, output: String, error: String)) throws -> URL {
        XCTAssertEqual(result.status, 0, result.output + result.error)
        let line = try XCTUnwrap(result.output.split(separator: "\n").first { $0.hasPrefix("done: ") }, result.output)
        return URL(fileURLWithPath: String(line.dropFirst("done: ".count)))
    }

    /// Waits until `condition` holds, polling every second, for at most `seconds`.
    private func wait(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 1)
        }
        XCTFail("gave up after \(Int(seconds)) s waiting for \(what)")
        throw XCTSkip("timed out")
    }

    private func status(_ run: URL) throws -> String {
        let result = try runner(["status", run.path])
        XCTAssertEqual(result.status, 0, result.error)
        return result.output
    }

    // MARK: On the cluster

    func testTheQuickstartSubmittedToSlurmMatchesALocalRunAfterASIGTERM() throws {
        try requireCluster()
        let runs = directory.appendingPathComponent("slurm-runs").path
        let run = try submitted(try runner(["submit", "configs/quickstart.yaml", "--cpus-per-task", "2", "--runs", runs]
                                           + smallQuickstart))
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent(
            "submission.json"))) as? [String: Any])
        let jobs = try XCTUnwrap((record["rounds"] as? [[String: Any]])?.first?["jobs"] as? [[String: Any]])
        XCTAssertEqual(jobs.count, 7, "2 caches, the pretrain stage, and two stages per job")
        let pretrain = try XCTUnwrap(jobs.first { ($0["name"] as? String)?.contains("/pretrain-") == true })
        let pretrainID = try XCTUnwrap(pretrain["id"] as? String)
        let log = run.appendingPathComponent(try XCTUnwrap((pretrain["logs"] as? [String])?.first))

        // SIGTERM to the batch step once the pretrain stage has finished an epoch: it checkpoints and requeues.
        try wait("the pretrain stage's first epoch", seconds: 600) {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("\n  0 ")
        }
        _ = try ExternalTool.run("/usr/bin/scancel", ["--batch", "--signal=TERM", pretrainID])
        try wait("the run to finish", seconds: 1200) {
            FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path)
        }
        let pretrainLog = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(pretrainLog.contains("requeueing Slurm job \(pretrainID)"), pretrainLog)
        XCTAssertTrue(pretrainLog.contains("resuming from the checkpoint at epoch"), pretrainLog)
        // The last node writes summary.json, then the report, then its own finished.json.
        try wait("every node to be recorded finished", seconds: 300) {
            try status(run).contains("7 of 7 nodes finished; the run is complete")
        }

        let localRuns = directory.appendingPathComponent("local-runs").path
        let local = try runner(["run", "configs/quickstart.yaml", "--threads", "2", "--runs", localRuns, "--quiet"]
                               + smallQuickstart)
        XCTAssertEqual(local.status, 0, local.error)
        let localRun = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: localRuns + "/quickstart").first)
        for job in ["weights=pretrain", "weights=none"] {
            for file in ["metrics.jsonl", "final.json", "model.safetensors", "classes.json"] {
                let slurm = try Data(contentsOf: run.appendingPathComponent("jobs/\(job)/\(file)"))
                let here = try Data(contentsOf: URL(fileURLWithPath: "\(localRuns)/quickstart/\(localRun)/jobs/\(job)/\(file)"))
                XCTAssertEqual(slurm, here, "\(job)/\(file) differs between Slurm and runner run")
            }
        }
        XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("summary.json")),
                       try Data(contentsOf: URL(fileURLWithPath: "\(localRuns)/quickstart/\(localRun)/summary.json")))
        let listing = try runner(["runs", "--root", runs])
        XCTAssertTrue(listing.output.contains("finished"), listing.output)
    }

    func testAFailingNodeShowsItsLogAndItsDependantsNeverStart() throws {
        try requireCluster()
        let images = directory.appendingPathComponent("images").path
        let generate = try runner(["data", "generate", "--variant", "target", "--classes", "3", "--per-class", "4",
                                   "--size", "32", "--out", images])
        XCTAssertEqual(generate.status, 0, generate.error)
        XCTAssertTrue(FileManager.default.createFile(atPath: images + "/class1_91.jpg", contents: Data("not an image".utf8)))
        let config = directory.appendingPathComponent("broken.yaml").path
        try """
            version: 1
            name: broken
            data: {source: folder, path: \(images), labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'},
                   size: 32, batch_size: 4, bad_files: fail}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: 1e-4}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        let run = try submitted(try runner(["submit", config, "--runs", runs]))
        try wait("the cache node to fail and the stages to leave the queue", seconds: 300) {
            let text = try status(run)
            return text.contains("failed: ") && !text.contains("pending") && !text.contains("running")
        }
        let text = try status(run)
        let rows = text.split(separator: "\n")
        XCTAssertTrue(rows.contains { $0.hasPrefix("cache-") && $0.contains("failed: ") && $0.contains("cannot be read") }, text)
        XCTAssertEqual(rows.filter { $0.hasPrefix("stage-") && $0.contains("never started: node ") }.count, 2, text)
        XCTAssertTrue(rows.contains { $0.contains("frozen") && $0.contains("never started: node cache-") }, text)
        XCTAssertTrue(text.contains("last lines of logs/cache-"), text)
        XCTAssertTrue(text.contains("class1_91.jpg"), "the log tail names the unreadable file:\n\(text)")
        XCTAssertTrue(text.contains("0 of 3 nodes finished"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("jobs/main/metrics.jsonl").path),
                       "a stage after the failed node trained")
    }

    func testACancelledRunIsSubmittedAgainAndFinishes() throws {
        try requireCluster()
        let config = directory.appendingPathComponent("tiny.yaml").path
        try """
            version: 1
            name: tiny
            data: {source: generated, variant: target, classes: 3, images_per_class: 8, size: 32, batch_size: 8}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: 1e-4}
            cluster: {cpus_per_task: 1, time: "10:00"}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        let run = try submitted(try runner(["submit", config, "--runs", runs]))
        let cancel = try runner(["cancel", run.path])
        XCTAssertEqual(cancel.status, 0, cancel.error)
        XCTAssertTrue(cancel.output.contains("cancelled 3 Slurm jobs"), cancel.output)
        // A cache node that was already decoding when cancelled may still finish, and cancelled jobs
        // stay in the queue while they complete: wait for it to empty.
        try wait("the jobs to leave the queue", seconds: 120) {
            try ExternalTool.run("/usr/bin/squeue", ["-h"]).output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        XCTAssertTrue(try status(run).contains("stopped"))
        let scripts = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("slurm").path)
        let second = try XCTUnwrap(scripts.first { $0.hasPrefix("02-") }, "\(scripts)")
        let script = try String(contentsOf: run.appendingPathComponent("slurm/" + second), encoding: .utf8)
        XCTAssertTrue(script.contains("#SBATCH --time=10:00\n") && script.contains("#SBATCH --cpus-per-task=1\n"), script)

        let again = try runner(["submit", "--resume", run.path, "--runs", runs])
        guard again.status == 0 else { return XCTFail(again.output + again.error) }
        XCTAssertTrue(again.output.contains("submitting the other 3 again")
                      || again.output.contains("1 node finished; submitting the other 2 again"), again.output)
        try wait("the resubmitted run to finish", seconds: 600) {
            FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path)
        }
        // The node that wrote summary.json goes on to the report: only an empty queue means done.
        try wait("the Slurm queue to empty", seconds: 300) {
            try ExternalTool.run("/usr/bin/squeue", ["-h"]).output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        let resumedAgain = try runner(["submit", "--resume", run.path, "--runs", runs])
        XCTAssertTrue(resumedAgain.output.contains("nothing to submit"), resumedAgain.output + resumedAgain.error)
    }

    // MARK: Without a cluster

    func testTheDryRunOfTheSplitSweepShowsOneFrozenJobAndThreeUnfrozenAfterIt() throws {
        let result = try runner(["submit", "configs/pets-split-sweep.yaml", "--dry-run", "--cpus-per-task", "2"])
        XCTAssertEqual(result.status, 0, result.error)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("dry run: 3 Slurm jobs for 3 jobs of pets-split-sweep, 2 CPUs each"), lines[0])
        XCTAssertEqual(lines.filter { $0.hasPrefix("    ") && $0.contains("stage frozen") }.count, 1, result.output)
        XCTAssertEqual(lines.filter { $0.contains("task ") && $0.contains("stage unfrozen") }.count, 3, result.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("$JOB3  pets-split-sweep/RUN_ID/unfrozen-x3  (after $JOB2)") },
                      result.output)
        XCTAssertTrue(result.output.contains("#SBATCH --dependency=afterok:$JOB2\n"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: RunnerBinary.repository.appendingPathComponent(
            "runs/pets-split-sweep/RUN_ID").path))
    }

    /// A PATH with only the given fake Slurm commands (shell scripts using shell built-ins alone).
    private func fakeSlurm(_ commands: [String: String]) throws -> [String: String] {
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for (name, body) in commands {
            let path = bin.appendingPathComponent(name).path
            try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        // Nothing else: /bin is /usr/bin on Debian, where a real sbatch may be.
        return ["PATH": bin.path]
    }

    func testWithoutSbatchSubmitSaysSoAndLeavesNoRun() throws {
        let runs = directory.appendingPathComponent("runs").path
        let result = try runner(["submit", "configs/quickstart.yaml", "--runs", runs], environment: try fakeSlurm([:]))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("`sbatch` is not on the PATH"), result.error)
        XCTAssertTrue(result.error.contains("nothing had been submitted"), result.error)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: runs + "/quickstart")) ?? [], [])
    }

    func testARefusedSubmissionCancelsWhatWasSubmitted() throws {
        let runs = directory.appendingPathComponent("runs").path
        let counter = directory.appendingPathComponent("count").path
        let cancelled = directory.appendingPathComponent("cancelled").path
        // Slurm takes two jobs, then refuses the third as a bad partition would be refused.
        let environment = try fakeSlurm([
            "sbatch": """
                n=0; [ -f '\(counter)' ] && read n < '\(counter)'; n=$((n + 1)); echo $n > '\(counter)'
                if [ $n -ge 3 ]; then echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1; fi
                echo "$((500 + n))"
                """,
            "scancel": "echo \"$@\" > '\(cancelled)'",
        ])
        let result = try runner(["submit", "configs/quickstart.yaml", "--runs", runs, "--partition", "nope"],
                                environment: environment)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("Invalid partition name specified"), result.error)
        XCTAssertTrue(result.error.contains("cancelled the 2 jobs already submitted (501, 502)"), result.error)
        XCTAssertEqual(try String(contentsOfFile: cancelled, encoding: .utf8), "501 502\n")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: runs + "/quickstart")) ?? [], [],
                       "the run directory of a cancelled submission is removed")
    }
}
