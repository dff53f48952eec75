// ReproducibilityCLITests: under the default reproducible numerics a run's metrics.jsonl and weights are the same bytes for any --threads, for a portable build, and as committed (issue 15).

import Foundation
import TestSupport
import XCTest

final class ReproducibilityCLITests: CLITestCase {
    /// A few batches of every kind: frozen and unfrozen stages, BatchNorm, a head with dropout.
    static let config = """
        version: 1
        name: golden
        seed: 3
        data: {source: generated, variant: target, classes: 3, images_per_class: 12, size: 32, batch_size: 8,
               augment: none}
        model: {arch: resnet18, weights: none, meta: [8, 6]}
        train: {metrics: [error_rate, accuracy]}
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 3e-3}
          - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-4, 1e-3)}
        """

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reproducible")

    /// Trains the config with `binary` and returns its job's metrics.jsonl, weights and env.json.
    private func train(threads: Int, binary: URL? = nil, extra: [String] = []) throws
        -> (metrics: Data, model: Data, env: [String: Any]) {
        let config = directory.appendingPathComponent("golden.yaml")
        try Self.config.write(to: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs-\(threads)-\(UUID().uuidString.prefix(6))")
        let arguments = ["run", config.path, "--runs", runs.path, "--threads", String(threads), "--quiet"] + extra
        if let binary {
            let result = try ExternalTool.run(binary.path, arguments)
            XCTAssertEqual(result.status, 0, result.output)
        } else {
            let result = try runner(arguments)
            XCTAssertEqual(result.status, 0, result.error)
        }
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: runs.appendingPathComponent("golden"),
                                                                           includingPropertiesForKeys: nil).first)
        let env = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("env.json")))
        return (try Data(contentsOf: run.appendingPathComponent("jobs/main/metrics.jsonl")),
                try Data(contentsOf: run.appendingPathComponent("jobs/main/model.safetensors")),
                env as? [String: Any] ?? [:])
    }

    /// The kernel family this machine's environment fixes, when it is not the one Runner pins.
    private var otherKernels: String? {
        guard let set = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], set.lowercased() != "haswell" else {
            return nil
        }
        return set
    }

    func testTheThreadCountChangesNoByte() throws {
        let one = try train(threads: 1)
        XCTAssertEqual(one.env["numerics"] as? String, "reproducible")
        if otherKernels == nil { XCTAssertEqual(one.env["cpu"] as? String, "Haswell", "OpenBLAS's kernels are pinned") }
        for threads in [2, 3] {
            let other = try train(threads: threads)
            XCTAssertEqual(other.metrics, one.metrics, "metrics.jsonl, --threads \(threads) against 1")
            XCTAssertEqual(other.model, one.model, "model.safetensors, --threads \(threads) against 1")
        }
    }

    /// Committed bytes: CI on another processor proves the promise or breaks. After a deliberate
    /// change of the numbers, RUNNER_UPDATE_GOLDEN=1 writes them anew (say why in the commit).
    func testTheCommittedRunIsMatchedByteForByte() throws {
        if let otherKernels {
            throw ExternalTool.skip(name, "this machine's environment sets OPENBLAS_CORETYPE=\(otherKernels), which"
                                    + " Runner must not override; the golden bytes are for Haswell kernels")
        }
        let run = try train(threads: 2)
        let metricsFile = Self.fixtures.appendingPathComponent("metrics.jsonl")
        let modelFile = Self.fixtures.appendingPathComponent("model.sha256")
        let digest = try ExternalTool.run("/usr/bin/sha256sum", [try saved(run.model).path]).output.prefix(64)
        if ProcessInfo.processInfo.environment["RUNNER_UPDATE_GOLDEN"] == "1" {
            try run.metrics.write(to: metricsFile)
            try (String(digest) + "\n").write(to: modelFile, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(String(decoding: run.metrics, as: UTF8.self),
                       try String(contentsOf: metricsFile, encoding: .utf8), "metrics.jsonl differs from the committed run")
        XCTAssertEqual(String(digest), try String(contentsOf: modelFile, encoding: .utf8).trimmingCharacters(in: .newlines),
                       "model.safetensors differs from the committed run")
    }

    /// scripts/test.sh builds `.build-portable/release/runner` with RUNNER_PORTABLE=1 (the baseline
    /// instruction set instead of this machine's).
    func testAPortableBuildGivesTheSameBytes() throws {
        let portable = RunnerBinary.repository.appendingPathComponent(".build-portable/release/runner")
        guard FileManager.default.isExecutableFile(atPath: portable.path) else {
            throw ExternalTool.skip(name, "no portable build at \(portable.path) (scripts/test.sh makes it)")
        }
        let native = try train(threads: 2)
        let other = try train(threads: 2, binary: portable)
        XCTAssertEqual(other.env["build"] as? String, "portable")
        XCTAssertEqual(other.metrics, native.metrics, "metrics.jsonl, portable against native")
        XCTAssertEqual(other.model, native.model, "model.safetensors, portable against native")
    }

    func testFastNumericsAreRecordedAndAConflictingEnvironmentIsRefused() throws {
        let fast = try train(threads: 2, extra: ["--numerics", "fast"])
        XCTAssertEqual(fast.env["numerics"] as? String, "fast")
        let conflict = try runner(["run", directory.appendingPathComponent("golden.yaml").path, "--numerics", "fast",
                                   "--runs", directory.appendingPathComponent("conflict").path],
                                  environment: ["RUNNER_NUMERICS": "reproducible"])
        XCTAssertNotEqual(conflict.status, 0)
        XCTAssertTrue(conflict.error.contains("conflicts with RUNNER_NUMERICS=reproducible"), conflict.error)
    }

    private func saved(_ data: Data) throws -> URL {
        let file = directory.appendingPathComponent("model-\(UUID().uuidString).safetensors")
        try data.write(to: file)
        return file
    }
}
