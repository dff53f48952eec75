// CLITests: the built `runner` binary on good and bad input — exit codes, messages, output files.

import Foundation
import XCTest

final class CLITests: CLITestCase {
    private func write(_ text: String, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testHelpListsTheSubcommands() throws {
        let result = try runner(["--help"])
        XCTAssertEqual(result.status, 0)
        for command in ["validate", "summary", "forward", "bench"] {
            XCTAssertTrue(result.output.contains(command), "help lacks \(command)")
        }
    }

    func testValidateAcceptsTheQuickstartAndRejectsABadFileWithItsLines() throws {
        let good = try runner(["validate", "configs/quickstart.yaml"])
        XCTAssertEqual(good.status, 0, good.error)
        let bad = try write("""
            version: 1
            data: {source: generated, variant: source, classes: 3, images_per_class: 4, size: 32}
            model: {arch: resnet18, split: [4, 9]}
            schedule:
              - {name: frozen, freeze_to: -1, epoch: 1, lr: 1e-3}
            """, "bad.yaml")
        let result = try runner(["validate", bad])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.error.contains("bad.yaml:5:"), result.error)
        XCTAssertTrue(result.error.contains("unknown key `epoch` — did you mean `epochs`?"), result.error)
        let split = try write("""
            version: 1
            data: {source: generated, variant: source, classes: 3, images_per_class: 4, size: 32}
            model: {arch: resnet18, split: [4, 9]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """, "split.yaml")
        let splitResult = try runner(["validate", split])
        XCTAssertEqual(splitResult.status, 2)
        XCTAssertTrue(splitResult.error.contains("split.yaml:3:32: model.split: split index 9 is outside the body"),
                      splitResult.error)
    }

    func testSummaryJSONHasFastaiCounts() throws {
        let result = try runner(["summary", "configs/pets.yaml", "--classes", "37", "--json"])
        XCTAssertEqual(result.status, 0, result.error)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        XCTAssertEqual(object["total_params"] as? Int, 21_831_525)
        XCTAssertEqual(object["trainable_params"] as? Int, 563_877)
        let unfrozen = try runner(["summary", "configs/pets.yaml", "--classes", "37", "--stage", "unfrozen"])
        XCTAssertTrue(unfrozen.output.contains("Total trainable params: 21,831,525"), unfrozen.output)
        XCTAssertTrue(unfrozen.output.contains("Model unfrozen"))
    }

    func testRunTrainsAndLogsAndABadConfigLeavesNoRun() throws {
        let runs = directory.appendingPathComponent("runs").path
        let config = try write("""
            version: 1
            name: tiny
            seed: 3
            data: {source: generated, variant: source, classes: 3, images_per_class: 6, size: 32, batch_size: 4}
            model: {arch: resnet18, head: {lin_ftrs: [16]}}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
            """, "tiny.yaml")
        let result = try runner(["run", config, "--runs", runs, "--threads", "2"])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("stage frozen: freeze_to -1, trainable"), result.output)
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tiny").first)
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(runs)/tiny/\(run)").sorted()
        XCTAssertEqual(files, [".lock", "config.yaml", "env.json", "jobs", "plan.json", "report.html", "resolved.yaml",
                               "summary.json"])
        let jobFiles = try FileManager.default.contentsOfDirectory(atPath: "\(runs)/tiny/\(run)/jobs/main").sorted()
        XCTAssertEqual(jobFiles, ["classes.json", "final.json", "interpretation.json", "job.yaml", "metrics.jsonl",
                                  "model.safetensors", "stages.json", "tb", "timings.jsonl"],
                       "no checkpoint left once the run has finished")
        let metrics = try String(contentsOfFile: "\(runs)/tiny/\(run)/jobs/main/metrics.jsonl", encoding: .utf8)
        XCTAssertEqual(metrics.split(separator: "\n").filter { $0.contains("\"event\":\"epoch\"") }.count, 2)
        XCTAssertGreaterThan(metrics.split(separator: "\n").filter { $0.contains("\"event\":\"batch\"") }.count, 2)

        // A rerun takes both stages from runs/.cache and logs the same metrics; --force retrains.
        let again = try runner(["run", config, "--runs", runs, "--threads", "2"])
        XCTAssertEqual(again.status, 0, again.error)
        XCTAssertEqual(again.output.components(separatedBy: "is in runs/.cache").count - 1, 2, again.output)
        let runsNow = try FileManager.default.contentsOfDirectory(atPath: runs + "/tiny").sorted()
        XCTAssertEqual(runsNow.count, 2)
        for other in runsNow where other != run {
            XCTAssertEqual(try String(contentsOfFile: "\(runs)/tiny/\(other)/jobs/main/metrics.jsonl", encoding: .utf8),
                           metrics)
        }
        let forced = try runner(["run", config, "--runs", runs, "--threads", "2", "--force"])
        XCTAssertEqual(forced.status, 0, forced.error)
        XCTAssertFalse(forced.output.contains("is in runs/.cache"), forced.output)
        let forcedRun = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tiny")
            .filter { !runsNow.contains($0) }.first)
        XCTAssertEqual(try String(contentsOfFile: "\(runs)/tiny/\(forcedRun)/jobs/main/metrics.jsonl", encoding: .utf8),
                       metrics, "retrained from scratch with the same seed: byte-identical metrics")

        let bad = try write("""
            version: 1
            name: bad
            data: {source: generated, variant: source, classes: 3, images_per_class: 6, size: 32}
            model: {arch: resnet18}
            schedule:
              - {name: frozen, freeze_to: 7, epochs: 1, lr: 1e-3}
            """, "bad.yaml")
        let failed = try runner(["run", bad, "--runs", runs])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.error.contains("bad.yaml:6:31: schedule.0.freeze_to"), failed.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs + "/bad"))
    }

    func testASplitSweepTrainsItsSharedFrozenStageOnceWithTheSameResult() throws {
        let runs = directory.appendingPathComponent("runs").path
        let config = try write("""
            version: 1
            name: sweep
            seed: 3
            data: {source: generated, variant: source, classes: 3, images_per_class: 6, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6], head: {lin_ftrs: [16]}}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
            sweep:
              model.meta: [[8, 5], [8, 6], [8, 7]]
            """, "sweep.yaml")
        let swept = try runner(["run", config, "--runs", runs, "--threads", "2"])
        XCTAssertEqual(swept.status, 0, swept.error)
        XCTAssertEqual(swept.output.components(separatedBy: "reused, not retrained").count - 1, 2, swept.output)
        let single = try runner(["run", config, "--runs", runs + "-single", "--threads", "2", "--set", "sweep=null",
                                 "--set", "model.meta=[8,7]", "--quiet"])
        XCTAssertEqual(single.status, 0, single.error)
        func metrics(_ root: String, _ job: String) throws -> String {
            let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: root + "/sweep").first)
            return try String(contentsOfFile: "\(root)/sweep/\(run)/jobs/\(job)/metrics.jsonl", encoding: .utf8)
        }
        // Job meta=8-7 took its frozen stage from job meta=8-5, yet logs exactly what training it would.
        XCTAssertEqual(try metrics(runs, "meta=8-7"), try metrics(runs + "-single", "main"))

        let listed = try runner(["runs", "--root", runs])
        XCTAssertEqual(listed.status, 0, listed.error)
        XCTAssertTrue(listed.output.contains("finished"), listed.output)
        let compared = try runner(["compare", "sweep", "--root", runs])
        XCTAssertEqual(compared.status, 0, compared.error)
        for job in ["meta=8-5", "meta=8-6", "meta=8-7"] {
            XCTAssertTrue(compared.output.contains(job), compared.output)
        }
        XCTAssertTrue(compared.output.contains("model.meta=[8, 6]"), compared.output)
        let missing = try runner(["compare", "nope", "--root", runs])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.error.contains("no run `nope`; runs: sweep/"), missing.error)
    }

    func testPlanOfTheSplitSweepSharesTheFrozenStage() throws {
        let result = try runner(["plan", "configs/pets-split-sweep.yaml", "--classes", "37", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.error)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let nodes = try XCTUnwrap(object["nodes"] as? [[String: Any]])
        let stages = nodes.filter { $0["kind"] as? String == "stage" }
        XCTAssertEqual(stages.filter { $0["name"] as? String == "frozen" }.count, 1)
        XCTAssertEqual(stages.filter { $0["name"] as? String == "unfrozen" }.count, 3)
        let text = try runner(["plan", "configs/pets-split-sweep.yaml", "--classes", "37"])
        XCTAssertTrue(text.output.contains("3 jobs, 10 nodes"), text.output)
    }

    func testSummaryCountsClassesFromTheData() throws {
        let images = directory.appendingPathComponent("images").path
        let generate = try runner(["data", "generate", "--variant", "target", "--classes", "5", "--per-class", "2",
                                   "--size", "32", "--out", images])
        XCTAssertEqual(generate.status, 0, generate.error)
        // pets.yaml on a local folder of Pets-style file names instead of the downloaded archive.
        let config = try String(contentsOfFile: RunnerBinary.repository.appendingPathComponent("configs/pets.yaml").path,
                                encoding: .utf8)
            .replacingOccurrences(of: "source: fastai ", with: "source: folder ")
            .replacingOccurrences(of: "name: oxford-iiit-pet ",
                                  with: "path: \(images)\n  labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'} ")
        let pets = directory.appendingPathComponent("pets-local.yaml").path
        try config.write(toFile: pets, atomically: true, encoding: .utf8)
        let result = try runner(["summary", pets, "--set", "model.weights=null", "--json"])
        XCTAssertEqual(result.status, 0, result.error)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        // resnet34 body + fastai1 head for 5 classes: 21,284,672 + 2,048 + 524,800 + 1,024 + 2,565.
        XCTAssertEqual(object["total_params"] as? Int, 21_284_672 + 2_048 + 524_800 + 1_024 + 2_565)
        let valid = try runner(["validate", pets, "--set", "model.weights=null"])
        XCTAssertEqual(valid.status, 0, valid.error)
    }

    func testForwardWritesLogitsAndGradients() throws {
        // Write the batch with Runner's own format, so the test needs no torch.
        let input = directory.appendingPathComponent("x.safetensors").path
        let target = directory.appendingPathComponent("t.safetensors").path
        let output = directory.appendingPathComponent("y.safetensors").path
        try safetensors(["input": ([2, 3, 32, 32], (0..<(2 * 3 * 32 * 32)).map { Float($0 % 7) / 7 - 0.5 })], path: input)
        try safetensors(["target": ([2], [1, 3])], path: target)
        let result = try runner(["forward", "--arch", "squeezenet1_1", "--head-preset", "fastai2", "--classes", "5",
                                 "--input", input, "--target", target, "--output", output, "--grads"])
        XCTAssertEqual(result.status, 0, result.error)
        let header = try safetensorsHeader(output)
        XCTAssertEqual((header["logits"] as? [String: Any])?["shape"] as? [Int], [2, 5])
        XCTAssertNotNil(header["loss"])
        XCTAssertNotNil(header["grad.features.0.weight"])
        XCTAssertNotNil(header["grad.head.8.weight"])

        let missing = try runner(["forward", "--arch", "resnet18", "--input", input, "--output", output,
                                  "--weights", directory.appendingPathComponent("none.safetensors").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.error.contains("none.safetensors: cannot read weights file"), missing.error)
        let badArch = try runner(["forward", "--arch", "resnet19", "--input", input, "--output", output])
        XCTAssertNotEqual(badArch.status, 0)
        XCTAssertTrue(badArch.error.contains("unknown --arch `resnet19`"), badArch.error)
    }

    /// A minimal F32 safetensors writer, independent of the code under test.
    private func safetensors(_ tensors: [String: ([Int], [Float])], path: String) throws {
        var header: [String: Any] = [:]
        var data = Data()
        for (key, (shape, values)) in tensors.sorted(by: { $0.key < $1.key }) {
            header[key] = ["dtype": "F32", "shape": shape, "data_offsets": [data.count, data.count + 4 * values.count]]
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        let json = try JSONSerialization.data(withJSONObject: header)
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try file.write(to: URL(fileURLWithPath: path))
    }

    private func safetensorsHeader(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
    }
}
