// NodeExecutionTests: `runner exec` node by node gives the files `runner run` writes, and refuses what it cannot run (issue 13).

import Datasets
import Experiments
import Foundation
import Tensors
@testable import Training
import XCTest

final class NodeExecutionTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try GeneratedDataset.write(variant: .target, classes: 3, imagesPerClass: 4, size: 32, seed: 1,
                                   to: root.appendingPathComponent("images").path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private var yaml: String {
        """
        version: 1
        name: exec
        data: {source: folder, path: \(root.path)/images, labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'},
               size: 32, batch_size: 4, augment: none}
        model: {arch: resnet18, meta: [8, 6]}
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
          - {name: unfrozen, freeze_to: 0, epochs: 2, lr: slice(1e-5, 1e-3)}
        sweep:
          model.meta: [[8, 5], [8, 6]]
        """
    }

    private func loaded() throws -> LoadedConfig {
        try ConfigLoader.load(yaml: yaml, path: "exec.yaml")
    }

    /// A run directory as `runner submit` makes it, planned for 2 threads.
    private func submittedRun() throws -> (run: URL, graph: JobGraph) {
        let loaded = try loaded()
        let facts = TransferFacts(threads: 2)
        try ModelCheck.check(loaded, facts: facts)
        let graph = try Planner.plan(loaded, facts: facts)
        let store = try ExperimentRunner.createStore(loaded, runsRoot: root.appendingPathComponent("submitted").path,
                                                     graph: graph,
                                                     environment: ExperimentRunner.environment(loaded, threads: 2, archives: [:]))
        return (store.directory, graph)
    }

    private func execute(_ run: URL, _ node: String) throws -> NodeExecution.Outcome {
        let execution = NodeExecution(run: run, node: node)
        execution.progress = ProgressReporter(mode: .quiet)
        return try execution.execute()
    }

    func testNodeByNodeGivesTheFilesOfAWholeRun() throws {
        let (run, graph) = try submittedRun()
        let nodes = NodeExecution.runnable(graph)
        XCTAssertEqual(nodes.map(\.kind), [.cache, .stage, .stage, .stage])
        let outcomes = try nodes.map { try execute(run, $0.id) }
        XCTAssertEqual(outcomes.map(\.trained), [false, true, true, true])
        XCTAssertEqual(outcomes.map(\.finishedJobs), [[], [], ["meta=8-5"], ["meta=8-6"]])
        XCTAssertEqual(outcomes.map(\.finishedRun), [false, false, false, true])
        XCTAssertTrue(nodes.allSatisfy { NodeExecution.isFinished($0.id, run: run) })

        let local = ExperimentRunner(loaded: try loaded(), runsRoot: root.appendingPathComponent("local").path, threads: 2)
        local.progress = ProgressReporter(mode: .quiet)
        let localRun = try local.run()
        for job in ["meta=8-5", "meta=8-6"] {
            for file in ["metrics.jsonl", "final.json", "model.safetensors", "classes.json"] {
                XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("jobs/\(job)/\(file)")),
                               try Data(contentsOf: localRun.appendingPathComponent("jobs/\(job)/\(file)")), "\(job)/\(file)")
            }
        }
        XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("summary.json")),
                       try Data(contentsOf: localRun.appendingPathComponent("summary.json")))
        // Run again, a node takes its output from the cache and writes its jobs' files the same way.
        let again = try execute(run, nodes[3].id)
        XCTAssertFalse(again.trained)
        XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("jobs/meta=8-6/metrics.jsonl")),
                       try Data(contentsOf: localRun.appendingPathComponent("jobs/meta=8-6/metrics.jsonl")))
    }

    func testAStageBeforeItsParentFailsAndSaysWhichToRunFirst() throws {
        let (run, graph) = try submittedRun()
        let unfrozen = try XCTUnwrap(graph.nodes.first { $0.name == "unfrozen" })
        XCTAssertThrowsError(try execute(run, unfrozen.id)) { error in
            guard case let PlanError.unfinishedParent(_, stage, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(stage, "frozen")
        }
        let failure = run.appendingPathComponent("nodes/\(unfrozen.id)/failed.json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: failure.path), "status needs the failure")
        XCTAssertFalse(NodeExecution.isFinished(unfrozen.id, run: run))
        for node in NodeExecution.runnable(graph) where node.name != "unfrozen" { _ = try execute(run, node.id) }
        _ = try execute(run, unfrozen.id)
        XCTAssertFalse(FileManager.default.fileExists(atPath: failure.path), "a success clears the failure")
        XCTAssertTrue(NodeExecution.isFinished(unfrozen.id, run: run))
    }

    func testUnknownAndNonRunnableNodesAreRefused() throws {
        let (run, graph) = try submittedRun()
        XCTAssertThrowsError(try execute(run, "stage-0000000000")) { error in
            XCTAssertTrue("\(error)".contains("has no node `stage-0000000000`"), "\(error)")
            XCTAssertTrue("\(error)".contains(NodeExecution.runnable(graph)[0].id), "\(error)")
        }
        let evaluate = try XCTUnwrap(graph.nodes.first { $0.kind == .evaluate })
        XCTAssertThrowsError(try execute(run, evaluate.id)) { error in
            XCTAssertTrue("\(error)".contains("is a `evaluate` node, which runs as part of the stages"), "\(error)")
        }
    }

    /// Reproducible numbers do not depend on the CPU count, fast ones do; the numerics must be the run's.
    func testAnotherCPUCountUnderFastNumericsOtherNumericsOrChangedDataAreRefused() throws {
        let (run, graph) = try submittedRun()
        let cache = NodeExecution.runnable(graph)[0].id
        let execution = NodeExecution(run: run, node: cache)
        execution.progress = ProgressReporter(mode: .quiet)
        execution.slurmCPUs = 4
        XCTAssertNoThrow(try execution.execute(), "reproducible numerics take the CPUs Slurm gives")
        defer { Numerics.mode = .reproducible }
        Numerics.mode = .fast
        XCTAssertThrowsError(try execute(run, cache)) { error in
            XCTAssertTrue("\(error)".contains("was planned with --numerics reproducible but this process runs fast"),
                          "\(error)")
        }
        let (fastRun, _) = try submittedRun()
        let fast = NodeExecution(run: fastRun, node: cache)
        fast.progress = ProgressReporter(mode: .quiet)
        fast.slurmCPUs = 4
        XCTAssertThrowsError(try fast.execute()) { error in
            XCTAssertTrue("\(error)".contains("planned for 2 threads but the Slurm job has SLURM_CPUS_PER_TASK=4"),
                          "\(error)")
        }
        Numerics.mode = .reproducible
        // An image replaced after submission: the data node is another one, so the plan no longer holds.
        let image = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("images").path)
            .sorted().first)
        try Data(repeating: 1, count: 10).write(to: root.appendingPathComponent("images/\(image)"))
        XCTAssertThrowsError(try execute(run, cache)) { error in
            XCTAssertTrue("\(error)".contains("no longer holds"), "\(error)")
        }
    }
}
