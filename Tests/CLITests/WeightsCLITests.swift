// WeightsCLITests: `runner weights …`, `runner forward` on a .pth, and what validate and run say about downloads.

import Foundation
import Layers
import Tensors
import XCTest

final class WeightsCLITests: CLITestCase {
    private let fixtures = RunnerBinary.repository.appendingPathComponent("Tests/LayersTests/Fixtures/pth")

    private func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    func testImportConvertsLegacyAndZipCheckpointsKeepingTheirKeys() throws {
        let expected = try SafeTensors.read(path: fixture("squeezenet1_1.safetensors"))
        for name in ["squeezenet1_1.pth", "squeezenet1_1-legacy.pth"] {
            let output = directory.appendingPathComponent(name + ".safetensors").path
            let result = try runner(["weights", "import", fixture(name), output])
            XCTAssertEqual(result.status, 0, result.error)
            XCTAssertTrue(result.output.contains("52 tensors"), result.output)
            XCTAssertEqual(try SafeTensors.read(path: output).tensors, expected.tensors, name)
        }
        let nested = directory.appendingPathComponent("variants.safetensors").path
        let result = try runner(["weights", "import", fixture("variants.pth"), nested])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("took the state dict from the checkpoint's `model` entry"), result.output)
        let bad = try runner(["weights", "import", fixture("foreign-global.pth"), nested + "2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.error.contains("posix.system"), bad.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: nested + "2"))
    }

    func testForwardOnATorchCheckpointGivesTorchsLogits() throws {
        let reference = fixture("squeezenet1_1-logits.safetensors")
        let output = directory.appendingPathComponent("logits.safetensors").path
        let result = try runner(["forward", "--arch", "squeezenet1_1", "--classes", "10", "--weights",
                                 fixture("squeezenet1_1-legacy.pth"), "--input", reference, "--output", output])
        XCTAssertEqual(result.status, 0, result.error)
        let logits = try XCTUnwrap(try SafeTensors.read(path: output).tensors["logits"])
        let expected = try XCTUnwrap(try SafeTensors.read(path: reference).tensors["logits"])
        let scale = expected.data.map(abs).max() ?? 1
        let worst = zip(logits.data, expected.data).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale)
    }

    func testValidateSaysWhatRunWouldDownloadAndOfflineRunLeavesNothing() throws {
        let cache = directory.appendingPathComponent("cache").path
        let validate = try runner(["validate", "configs/pets.yaml"], environment: ["RUNNER_CACHE": cache])
        XCTAssertEqual(validate.status, 0, validate.error)
        XCTAssertTrue(validate.output.contains("would be downloaded from https://download.pytorch.org/models/resnet34-b627a593.pth"
                                               + " to \(cache)/weights/resnet34-b627a593.pth"), validate.output)
        XCTAssertTrue(validate.output.contains("https://s3.amazonaws.com/fast-ai-imageclas/oxford-iiit-pet.tgz"),
                      validate.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache + "/weights/resnet34-b627a593.pth"))

        let runs = directory.appendingPathComponent("runs").path
        let run = try runner(["run", "configs/pets.yaml", "--runs", runs, "--quiet"],
                             environment: ["RUNNER_CACHE": cache, "RUNNER_OFFLINE": "1"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.error.contains("resnet34-b627a593.pth") && run.error.contains(cache + "/weights/"), run.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs), "an offline failure left a run directory")
    }

    func testListAndPathShowTheCache() throws {
        let cache = directory.appendingPathComponent("cache").path
        let list = try runner(["weights", "list"], environment: ["RUNNER_CACHE": cache])
        XCTAssertEqual(list.status, 0, list.error)
        XCTAssertTrue(list.output.contains("resnet50:V2"), list.output)
        XCTAssertEqual(list.output.split(separator: "\n").count, 1 + 21)
        let path = try runner(["weights", "path", "resnet50:V2"], environment: ["RUNNER_CACHE": cache])
        XCTAssertEqual(path.status, 0, path.error)
        XCTAssertEqual(path.output, cache + "/weights/resnet50-11ad3fa6.pth\n")
        let unknown = try runner(["weights", "path", "resnet34:V2"], environment: ["RUNNER_CACHE": cache])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.error.contains("resnet34:V1"), unknown.error)
    }
}

final class DownloadedDataCLITests: CLITestCase {
    /// A run on a dataset fetched by URL (file://, so no network) and weights from a torch .pth:
    /// the archive is verified, unpacked once into the cache, recorded in env.json, and trained on.
    func testRunTrainsOnAURLDatasetWithTorchWeights() throws {
        let images = directory.appendingPathComponent("pets/images").path
        let generate = try runner(["data", "generate", "--variant", "target", "--classes", "3", "--per-class", "4",
                                   "--size", "64", "--out", images])
        XCTAssertEqual(generate.status, 0, generate.error)
        let archive = directory.appendingPathComponent("pets.tgz")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["czf", archive.path, "-C", directory.path, "pets"]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        let weights = RunnerBinary.repository.appendingPathComponent("Tests/LayersTests/Fixtures/pth/squeezenet1_1.pth")
        let config = directory.appendingPathComponent("url.yaml").path
        try """
            version: 1
            name: url-pth
            seed: 1
            data:
              source: url
              url: \(archive.absoluteString)
              path: pets/images
              labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'}
              valid: {pct: 0.25, seed: 1}
              size: 64
              batch_size: 4
              augment: none
            model: {arch: squeezenet1_1, weights: {path: \(weights.path)}}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let cache = directory.appendingPathComponent("cache").path
        let runs = directory.appendingPathComponent("runs").path
        let environment = ["RUNNER_CACHE": cache]

        let validate = try runner(["validate", config], environment: environment)
        XCTAssertEqual(validate.status, 0, validate.error)
        XCTAssertTrue(validate.output.contains("would be downloaded from \(archive.absoluteString)"), validate.output)

        let first = try runner(["run", config, "--runs", runs, "--progress", "plain"], environment: environment)
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertTrue(first.output.contains("unpacking"), first.output)
        let unpacked = try FileManager.default.contentsOfDirectory(atPath: cache + "/datasets").filter { $0.hasSuffix("-pets") }
        XCTAssertEqual(unpacked.count, 1, "\(unpacked)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache + "/datasets/\(unpacked.first ?? "")/pets/images"))
        let second = try runner(["run", config, "--runs", runs, "--progress", "plain"], environment: environment)
        XCTAssertEqual(second.status, 0, second.error)
        XCTAssertFalse(second.output.contains("unpacking"), second.output)

        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/url-pth").sorted().first)
        let env = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(runs)/url-pth/\(run)/env.json"))) as? [String: Any])
        let archives = try XCTUnwrap(env["archives"] as? [[String: String]])
        let sum = Process()
        sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sum.arguments = [archive.path]
        let pipe = Pipe()
        sum.standardOutput = pipe
        try sum.run()
        let digest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        sum.waitUntilExit()
        XCTAssertEqual(archives, [["url": archive.absoluteString, "sha256": String(digest)]])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(runs)/url-pth/\(run)/jobs/main/metrics.jsonl"))
    }
}

final class TerminalSafetyCLITests: CLITestCase {
    /// A tensor key holding an escape sequence and a newline reaches the terminal escaped.
    func testKeysAndPathsWithControlCharactersAreEscapedInErrors() throws {
        var file = SafeTensors(tensors: ["evil\u{1B}[2J\nforged line": Tensor(shape: [1], data: [0])])
        file.metadata = [:]
        let weights = directory.appendingPathComponent("evil.safetensors").path
        try file.write(path: weights)
        let input = directory.appendingPathComponent("input.safetensors").path
        try SafeTensors(tensors: ["input": Tensor(zeros: [1, 3, 32, 32])]).write(path: input)
        let result = try runner(["forward", "--arch", "resnet18", "--weights", weights, "--input", input,
                                 "--output", directory.appendingPathComponent("out.safetensors").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.error.contains("\u{1B}"), result.error)
        XCTAssertTrue(result.error.contains("evil\\u{1B}[2J\\u{A}forged line"), result.error)
        XCTAssertFalse(result.error.split(separator: "\n").contains { $0.hasPrefix("forged line") }, result.error)

        let folder = directory.appendingPathComponent("images\u{1B}[31m").path
        let config = directory.appendingPathComponent("c.yaml").path
        try """
            version: 1
            data: {source: folder, path: "\(folder.replacingOccurrences(of: "\u{1B}", with: "\\e"))"}
            model: {arch: resnet18}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let validate = try runner(["validate", config])
        XCTAssertEqual(validate.status, 2, validate.error)
        XCTAssertFalse(validate.error.contains("\u{1B}"), validate.error)
        XCTAssertTrue(validate.error.contains("images\\u{1B}[31m"), validate.error)
    }
}

final class PlainErrorsCLITests: CLITestCase {
    /// Foundation called a FIFO given as weights a permission problem; `--runs ''` ran into the
    /// working directory.
    func testAFIFOAsWeightsAndAnEmptyRunsFolderAreNamedForWhatTheyAre() throws {
        let fifo = directory.appendingPathComponent("weights.pth").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let config = directory.appendingPathComponent("c.yaml").path
        try """
            version: 1
            data: {source: generated, variant: target, classes: 3, images_per_class: 4, size: 32}
            model: {arch: resnet18, weights: \(fifo)}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let validate = try runner(["validate", config])
        XCTAssertEqual(validate.status, 2)
        XCTAssertTrue(validate.error.contains("a FIFO, not a weights file"), validate.error)
        XCTAssertFalse(validate.error.contains("permission"), validate.error)
        for command in ["run", "lr-find"] {
            let result = try runner([command, "configs/quickstart.yaml", "--runs", ""])
            XCTAssertNotEqual(result.status, 0, command)
            XCTAssertTrue(result.error.contains("--runs needs a folder"), "\(command): \(result.error)")
        }
    }

    /// A runs folder that cannot hold a run printed Foundation's NSCocoaErrorDomain dump.
    func testARunsFolderThatCannotHoldARunSaysWhereAndWhy() throws {
        let config = directory.appendingPathComponent("c.yaml").path
        try """
            version: 1
            name: blocked
            data: {source: generated, variant: target, classes: 3, images_per_class: 4, size: 32}
            model: {arch: resnet18}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("file").path
        let runs = directory.appendingPathComponent("runs").path
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        for path in [file, runs + "/blocked"] { _ = FileManager.default.createFile(atPath: path, contents: Data()) }
        let inside = try runner(["run", config, "--runs", file + "/runs", "--quiet"])
        XCTAssertTrue(inside.error.contains("\(file)/runs/.cache/decode") && inside.error.contains("Not a directory"),
                      inside.error)
        let blocked = try runner(["run", config, "--runs", runs, "--quiet"])
        XCTAssertTrue(blocked.error.contains("cannot create the run folder \(runs)/blocked: a file of that name is in"
                                             + " the way"), blocked.error)
        for result in [inside, blocked] {
            XCTAssertEqual(result.status, 1)
            XCTAssertFalse(result.error.contains("NSCocoaErrorDomain"), result.error)
        }
    }
}

final class MetricsCLITests: CLITestCase {
    /// `train.metrics` was validated and hashed but never read: every run showed and logged accuracy
    /// and error_rate, and top_k_accuracy's k was fixed at 5.
    func testTheConfiguredMetricsAreTheTableTheLogsAndTheComparison() throws {
        let runs = directory.appendingPathComponent("runs").path
        var finals: [Int: [String: Double]] = [:]
        for k in [2, 3] {
            let config = directory.appendingPathComponent("m\(k).yaml").path
            try """
                version: 1
                name: metrics-k\(k)
                data: {source: generated, variant: target, classes: 3, images_per_class: 6, size: 32, batch_size: 4}
                model: {arch: resnet18, meta: [8, 6]}
                train: {metrics: [{name: top_k_accuracy, k: \(k)}, accuracy]}
                schedule:
                  - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let result = try runner(["run", config, "--runs", runs, "--progress", "plain"])
            XCTAssertEqual(result.status, 0, result.error)
            XCTAssertTrue(result.output.contains("epoch  train_loss  valid_loss  top_\(k)_accuracy  accuracy  time"),
                          result.output)
            let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/metrics-k\(k)").first)
            let folder = "\(runs)/metrics-k\(k)/\(run)/jobs/main/"
            // The epoch's line (the batch lines come before it).
            let line = try XCTUnwrap(try String(contentsOfFile: folder + "metrics.jsonl", encoding: .utf8)
                .split(separator: "\n").first { $0.contains("\"event\":\"epoch\"") })
            let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(Set(event.keys), ["event", "stage", "epoch", "train_loss", "valid_loss", "top_\(k)_accuracy", "accuracy"])
            finals[k] = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                folder + "final.json"))) as? [String: Double])
            let compare = try runner(["compare", "metrics-k\(k)", "--root", runs])
            XCTAssertTrue(compare.output.contains("top_\(k)_accuracy"), compare.output)
            XCTAssertFalse(compare.output.contains("error_rate"), compare.output)
        }
        // With 3 classes the top 3 always hold the label; the top 2 need not.
        XCTAssertEqual(finals[3]?["top_3_accuracy"], 1)
        XCTAssertNotNil(finals[2]?["top_2_accuracy"])
        XCTAssertNil(finals[2]?["error_rate"])
    }
}
