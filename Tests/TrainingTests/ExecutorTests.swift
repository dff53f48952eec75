// ExecutorTests: a run goes config → checks → plan → executor with each model built and the data listed once, and shared stages trained once.

import Experiments
import Foundation
import Training
import XCTest

final class ExecutorTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("executor-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func run(_ yaml: String) throws -> ExperimentRunner {
        let loaded = try ConfigLoader.load(yaml: yaml, path: "executor.yaml", options: .init(checkFiles: false))
        let runner = ExperimentRunner(loaded: loaded, runsRoot: root.appendingPathComponent("runs").path, threads: 2)
        runner.progress = ProgressReporter(mode: .quiet)
        _ = try runner.run()
        return runner
    }

    /// Three jobs of a split sweep: the checks build each job's model once and the executor trains
    /// with that instance (3 builds, where the model used to be built 3–4 times per job); the data is
    /// listed once; the shared frozen stage trains once. A second run takes every stage from the cache.
    func testASweepBuildsEachModelOnceAndTrainsTheSharedStageOnce() throws {
        let yaml = """
            version: 1
            name: executor
            data: {source: generated, variant: target, classes: 3, images_per_class: 4, size: 32, batch_size: 4,
                   augment: none}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
            sweep:
              model.meta: [[8, 5], [8, 6], [8, 7]]
            """
        let first = try run(yaml)
        XCTAssertEqual(first.modelsBuilt, 3)
        XCTAssertEqual(first.dataListings, 1)
        XCTAssertEqual(first.stagesTrained, 4, "one shared frozen stage and three unfrozen ones")
        XCTAssertEqual(first.stagesReused, 2)
        // Between jobs only the shared frozen stage stays in memory (all four did before).
        XCTAssertEqual(first.mostStageOutputsHeld, 1)
        let second = try run(yaml)
        XCTAssertEqual(second.stagesTrained, 0)
        XCTAssertEqual(second.stagesReused, 6)
    }
}
