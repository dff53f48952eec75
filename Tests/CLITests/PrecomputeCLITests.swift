// PrecomputeCLITests: a frozen stage trained on cached features gives the bytes it gives without them, and the features are reused until the images or the body's weights change (issue 15).

import Foundation
import XCTest

final class PrecomputeCLITests: CLITestCase {
    private var images: URL { directory.appendingPathComponent("images") }

    /// fastai07 (BatchNorm frozen with its statistics), squished and unaugmented images: the frozen
    /// stage's whole body and the middle stage's conv1…layer2 are fixed.
    private func config() throws -> String {
        if !FileManager.default.fileExists(atPath: images.path) {
            let generate = try runner(["data", "generate", "--variant", "target", "--classes", "3", "--per-class", "8",
                                       "--size", "32", "--out", images.path])
            XCTAssertEqual(generate.status, 0, generate.error)
        }
        let config = directory.appendingPathComponent("fixed.yaml").path
        try """
            version: 1
            name: fixed
            seed: 4
            preset: fastai07
            data:
              source: folder
              path: \(images.path)
              labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'}
              valid: {pct: 0.25, seed: 1}
              size: 32
              resize: squish
              batch_size: 6
              augment: none
            model: {arch: resnet18, weights: none, meta: [8, 6], head: {lin_ftrs: [16]}}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 1e-2}
              - {name: middle, freeze_to: 1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: 1e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    private func run(_ runs: String, _ extra: [String] = []) throws -> (output: String, run: URL) {
        let result = try runner(["run", try config(), "--runs", runs, "--progress", "plain"] + extra)
        XCTAssertEqual(result.status, 0, result.error)
        let folder = URL(fileURLWithPath: runs).appendingPathComponent("fixed")
        let newest = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().last ?? ""
        return (result.output + result.error, folder.appendingPathComponent(newest))
    }

    private func featureFolders(_ runs: String) -> [String] {
        let root = URL(fileURLWithPath: runs).appendingPathComponent(".cache/features").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
    }

    private func count(_ text: String, _ output: String) -> Int {
        output.components(separatedBy: text).count - 1
    }

    func testCachedFeaturesGiveTheSameMetricsAndWeights() throws {
        let cached = directory.appendingPathComponent("runs-cached").path
        let computed = directory.appendingPathComponent("runs-computed").path
        let with = try run(cached, ["--set", "train.precompute=true"])
        let without = try run(computed, ["--set", "train.precompute=false"])
        XCTAssertEqual(count("precompute: features of body children 0–7 (conv1…layer4)", with.output), 1, with.output)
        XCTAssertEqual(count("precompute: features of body children 0–5 (conv1…layer2)", with.output), 1, with.output)
        XCTAssertEqual(count("precompute:", without.output), 0, without.output)
        XCTAssertEqual(featureFolders(cached).count, 2)
        XCTAssertEqual(featureFolders(computed), [])
        for file in ["metrics.jsonl", "model.safetensors", "final.json"] {
            XCTAssertEqual(try Data(contentsOf: with.run.appendingPathComponent("jobs/main/\(file)")),
                           try Data(contentsOf: without.run.appendingPathComponent("jobs/main/\(file)")),
                           "\(file) differs with and without precompute")
        }
    }

    func testFeaturesAreReusedUntilTheImagesOrTheBodyWeightsChange() throws {
        let runs = directory.appendingPathComponent("runs").path
        let first = try run(runs)
        XCTAssertEqual(count("computed in", first.output), 2, "auto precomputes both frozen stages\n" + first.output)
        // --force trains every stage again; the features of the same weights and images are reused.
        let again = try run(runs, ["--force"])
        XCTAssertEqual(count("reused from", again.output), 2, again.output)
        XCTAssertEqual(try Data(contentsOf: first.run.appendingPathComponent("jobs/main/metrics.jsonl")),
                       try Data(contentsOf: again.run.appendingPathComponent("jobs/main/metrics.jsonl")))
        XCTAssertEqual(featureFolders(runs).count, 2)

        // Another seed initialises other body weights from the same images.
        let reseeded = try run(runs, ["--set", "seed=5"])
        XCTAssertEqual(count("computed in", reseeded.output), 2, reseeded.output)
        XCTAssertEqual(featureFolders(runs).count, 4)

        // One image replaced by another's bytes: the images changed.
        let files = try FileManager.default.contentsOfDirectory(atPath: images.path).sorted()
        let replaced = images.appendingPathComponent(files[0]), other = images.appendingPathComponent(files[1])
        try Data(contentsOf: other).write(to: replaced)
        let changed = try run(runs)
        XCTAssertEqual(count("computed in", changed.output), 2, changed.output)
        XCTAssertEqual(featureFolders(runs).count, 6)
    }

    func testThePlanSaysWhichStagesPrecompute() throws {
        let result = try runner(["plan", try config()])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertEqual(count("precomputed, their features cached once per image", result.output), 2, result.output)
        let off = try runner(["plan", try config(), "--set", "train.precompute=false"])
        XCTAssertEqual(count("run every epoch (precompute: false)", off.output), 2, off.output)
    }

    func testTrueWhereNotExactIsRefusedBeforeAnyRun() throws {
        let runs = directory.appendingPathComponent("runs").path
        let result = try runner(["run", try config(), "--runs", runs, "--set", "train.precompute=true",
                                 "--set", "data.augment=standard"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.error.contains("train.precompute: true, but the frozen layers' output changes between epochs:"
                                            + " data.augment"), result.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs + "/fixed"), "no run directory is left")
    }
}
