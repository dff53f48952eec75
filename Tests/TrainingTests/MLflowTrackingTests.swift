// MLflowTrackingTests: `tracking:` across an interrupt and `--resume`, and node by node as on Slurm — the same MLflow runs go on, every step logged once (issue 14).

import Experiments
import Foundation
import TestSupport
@testable import Training
import XCTest

final class MLflowTrackingTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-tracking-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// 20 train images at batch 4: 5 batches an epoch; 3 epochs over two stages.
    private func runner(_ uri: String, name: String) throws -> ExperimentRunner {
        let yaml = """
            version: 1
            name: \(name)
            data: {source: generated, variant: target, classes: 3, images_per_class: 8, size: 32, batch_size: 4,
                   augment: none}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
            tracking: {mlflow: '\(uri)'}
            """
        let loaded = try ConfigLoader.load(yaml: yaml, path: "\(name).yaml", options: .init(checkFiles: false))
        let runner = ExperimentRunner(loaded: loaded, runsRoot: root.appendingPathComponent("runs").path, threads: 2)
        runner.progress = ProgressReporter(mode: .quiet)
        return runner
    }

    func testAnInterruptedRunResumedGoesOnInTheSameRunsWithEveryStepOnce() throws {
        let server = try MLflowServer(folder: root.appendingPathComponent("server"), test: name)
        try server.start()
        let first = try runner(server.uri, name: "resumed")
        first.checkpointInterval = 0
        var polls = 0
        first.interruptRequested = {
            polls += 1
            return polls == 8
        }
        XCTAssertThrowsError(try first.run())
        let stopped = try server.runs(experiment: "resumed")
        XCTAssertEqual(stopped.map { $0["status"] as? String }, ["KILLED", "KILLED"], "\(stopped)")
        // The first epoch was sent at its end; the batches of the interrupted one were not.
        let job = try XCTUnwrap(stopped.first { $0["name"] as? String == "main" })
        XCTAssertEqual(job["batch_steps"] as? [Int], Array(1...5))

        let second = try runner(server.uri, name: "resumed")
        second.resume = true
        _ = try second.run()
        let resumed = try server.runs(experiment: "resumed")
        XCTAssertEqual(resumed.count, 2, "the same parent and job runs: \(resumed)")
        let main = try XCTUnwrap(resumed.first { $0["name"] as? String == "main" })
        XCTAssertEqual(main["id"] as? String, job["id"] as? String)
        XCTAssertEqual(resumed.map { $0["status"] as? String }, ["FINISHED", "FINISHED"])
        XCTAssertEqual(main["batch_steps"] as? [Int], Array(1...15))
        XCTAssertEqual((main["valid"] as? [[Double]])?.map { Int($0[0]) }, [5, 10, 15])

        // The values an uninterrupted run logs.
        let whole = try runner(server.uri, name: "whole")
        whole.force = true
        _ = try whole.run()
        let wholeMain = try XCTUnwrap(try server.runs(experiment: "whole").first { $0["name"] as? String == "main" })
        XCTAssertEqual(wholeMain["valid"] as? [[Double]], main["valid"] as? [[Double]])
        XCTAssertEqual(wholeMain["metrics"] as? [String: Double], main["metrics"] as? [String: Double])
    }

    /// As `runner submit` runs it: a node per process, the shared frozen stage first, then each
    /// job's unfrozen stage, which replays the frozen one from the cache.
    func testNodesRunOneByOneLogIntoOneParentRunWithEveryStepOnce() throws {
        let server = try MLflowServer(folder: root.appendingPathComponent("server"), test: name)
        try server.start()
        let yaml = """
            version: 1
            name: nodes
            data: {source: generated, variant: target, classes: 3, images_per_class: 8, size: 32, batch_size: 4,
                   augment: none}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 2, lr: slice(1e-5, 1e-3)}
            sweep: {model.meta: [[8, 5], [8, 6]]}
            tracking: {mlflow: '\(server.uri)'}
            """
        let loaded = try ConfigLoader.load(yaml: yaml, path: "nodes.yaml", options: .init(checkFiles: false))
        let facts = TransferFacts(threads: 2)
        try ModelCheck.check(loaded, facts: facts)
        let graph = try Planner.plan(loaded, facts: facts)
        let run = try ExperimentRunner.createStore(loaded, runsRoot: root.appendingPathComponent("runs").path, graph: graph,
                                                   environment: ExperimentRunner.environment(loaded, threads: 2,
                                                                                             archives: [:])).directory
        for node in NodeExecution.runnable(graph) {
            let execution = NodeExecution(run: run, node: node.id)
            execution.progress = ProgressReporter(mode: .quiet)
            _ = try execution.execute()
        }
        let seen = try server.runs(experiment: "nodes")
        XCTAssertEqual(seen.count, 3, "\(seen)")
        XCTAssertEqual(Set(seen.compactMap { $0["status"] as? String }), ["FINISHED"])
        let parent = try XCTUnwrap(seen.first { $0["parent"] is NSNull || $0["parent"] == nil })
        for job in seen where job["parent"] as? String == parent["id"] as? String {
            XCTAssertEqual(job["batch_steps"] as? [Int], Array(1...15), "\(job)")
            XCTAssertEqual((job["valid"] as? [[Double]])?.map { Int($0[0]) }, [5, 10, 15], "\(job)")
        }
    }
}
