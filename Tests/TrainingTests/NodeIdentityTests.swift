// NodeIdentityTests: each input and each setting changes exactly the nodes whose output it shapes — no stale reuse, no needless retraining.

import Datasets
import Experiments
import Foundation
import Tensors
import Training
import XCTest

final class NodeIdentityTests: XCTestCase {
    private var folder: URL!
    private var cache: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("identity-\(UUID().uuidString)")
        try GeneratedDataset.write(variant: .target, classes: 3, imagesPerClass: 4, size: 32, seed: 1,
                                   to: folder.appendingPathComponent("images").path)
        try Data("first weights".utf8).write(to: folder.appendingPathComponent("weights.safetensors"))
        // The digest of a weights file is remembered under the cache; this test's own.
        cache = folder.appendingPathComponent("cache")
        setenv("RUNNER_CACHE", cache.path, 1)
    }

    override func tearDownWithError() throws {
        unsetenv("RUNNER_CACHE")
        try? FileManager.default.removeItem(at: folder)
    }

    private func yaml(weights: Bool = false) -> String {
        """
        version: 1
        data: {source: folder, path: \(folder.path)/images, labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'},
               size: 32, batch_size: 4}
        model: {arch: resnet18, meta: [8, 6]\(weights ? ", weights: \(folder.path)/weights.safetensors" : "")}
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
          - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-6, 1e-4)}
        """
    }

    /// Node ids of the one job, by kind and position: data, cache, model, stage 0, stage 1, evaluate.
    private func ids(_ overrides: [String] = [], weights: Bool = false) throws -> [String] {
        let loaded = try ConfigLoader.load(yaml: yaml(weights: weights), path: "identity.yaml",
                                           overrides: overrides,
                                           options: .init(checkFiles: false))
        let graph = try Planner.plan(loaded, facts: TransferFacts())
        let job = try XCTUnwrap(graph.jobs.first)
        XCTAssertEqual(graph.nodes(of: job).map(\.kind), [.data, .cache, .model, .stage, .stage, .evaluate])
        return job.nodes
    }

    private let kinds = ["data", "cache", "model", "frozen", "unfrozen", "evaluate"]

    /// Which nodes differ between two plans, by name.
    private func changed(_ a: [String], _ b: [String]) -> [String] {
        zip(kinds, zip(a, b)).filter { $0.1.0 != $0.1.1 }.map(\.0)
    }

    func testAnUnchangedConfigAndUnchangedFilesPlanTheSameNodes() throws {
        XCTAssertEqual(try ids(weights: true), try ids(weights: true))
    }

    func testReplacedImagesChangeTheDataNodeAndEverythingAfterIt() throws {
        let before = try ids()
        let images = folder.appendingPathComponent("images")
        let first = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: images.path).sorted().first)
        // Another image under the same name: its size differs.
        let other = try Data(contentsOf: images.appendingPathComponent(
            try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: images.path).sorted().last)))
        try other.write(to: images.appendingPathComponent(first))
        XCTAssertEqual(changed(before, try ids()), kinds, "a replaced image kept the old nodes")
    }

    func testATouchedImageOfTheSameSizeChangesTheDataNode() throws {
        let before = try ids()
        let images = folder.appendingPathComponent("images")
        let first = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: images.path).sorted().first)
        let path = images.appendingPathComponent(first).path
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: path)
        XCTAssertEqual(changed(before, try ids()), kinds)
    }

    func testAnOverwrittenWeightsFileChangesTheModelNodeAndItsStages() throws {
        let before = try ids(weights: true)
        XCTAssertEqual(try ids(weights: true), before, "the digest remembered under the cache gives the same id")
        try Data("other weights".utf8).write(to: folder.appendingPathComponent("weights.safetensors"))
        XCTAssertEqual(changed(before, try ids(weights: true)), ["model", "frozen", "unfrozen", "evaluate"])
    }

    /// Each setting changes the node whose output it shapes and the nodes after it, and no other.
    func testEachSettingChangesExactlyTheNodesItShapes() throws {
        let base = try ids()
        let expectations: [(String, [String])] = [
            ("seed=7", kinds),
            ("data.valid.pct=0.5", kinds),
            ("data.bad_files=skip", kinds),
            ("data.size=40", ["cache", "model", "frozen", "unfrozen", "evaluate"]),
            ("data.resize=squish", ["cache", "model", "frozen", "unfrozen", "evaluate"]),
            ("model.head.ps=0.25", ["model", "frozen", "unfrozen", "evaluate"]),
            ("model.meta=[7, 6]", ["model", "frozen", "unfrozen", "evaluate"]),
            ("preset=fastai2", ["model", "frozen", "unfrozen", "evaluate"]),
            ("data.batch_size=2", ["frozen", "unfrozen", "evaluate"]),
            ("data.augment=none", ["frozen", "unfrozen", "evaluate"]),
            ("data.normalize=none", ["frozen", "unfrozen", "evaluate"]),
            ("train.optimizer.wd=0.1", ["frozen", "unfrozen", "evaluate"]),
            ("train.label_smoothing=0.1", ["frozen", "unfrozen", "evaluate"]),
            ("train.bn_stats=freeze", ["frozen", "unfrozen", "evaluate"]),
            ("schedule.0.lr=1e-2", ["frozen", "unfrozen", "evaluate"]),
            ("schedule.0.epochs=2", ["frozen", "unfrozen", "evaluate"]),
            ("schedule.1.epochs=2", ["unfrozen", "evaluate"]),
            ("schedule.1.lr=slice(1e-5, 1e-4)", ["unfrozen", "evaluate"]),
            // lr_cut only regroups the body: the frozen stage trains the head alone either way.
            ("model.meta=[8, 5]", ["unfrozen", "evaluate"]),
            ("train.metrics=[accuracy]", ["evaluate"]),
            ("train.metrics=[error_rate, {name: top_k_accuracy, k: 3}]", ["frozen", "unfrozen", "evaluate"]),
            ("schedule.0.name=head", []),
            // Reproducible numerics give the same results for any thread count: the same work.
            ("train.threads=\(ExperimentRunner.defaultThreads + 1)", []),
            ("name=other", []),
        ]
        for (override, expected) in expectations {
            XCTAssertEqual(changed(base, try ids([override])), expected, override)
        }
    }

    func testUnderFastNumericsTheThreadCountIsPartOfEveryStage() throws {
        defer { Numerics.mode = .reproducible }
        Numerics.mode = .fast
        let base = try ids()
        XCTAssertEqual(changed(base, try ids(["train.threads=\(ExperimentRunner.defaultThreads + 1)"])),
                       ["frozen", "unfrozen", "evaluate"])
    }
}
