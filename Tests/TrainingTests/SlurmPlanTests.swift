// SlurmPlanTests: the Slurm jobs, afterok edges and batch scripts `runner submit` makes for three graph shapes (issue 13).

import Experiments
import Foundation
@testable import Training
import XCTest

final class SlurmPlanTests: XCTestCase {
    private func graph(_ extra: String, overrides: [String] = []) throws -> JobGraph {
        let yaml = """
            version: 1
            name: slurm
            data: {source: generated, variant: target, classes: 3, images_per_class: 4, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-6, 1e-4)}
            """ + "\n" + extra
        let loaded = try ConfigLoader.load(yaml: yaml, path: "slurm.yaml", overrides: overrides,
                                           options: .init(checkFiles: false))
        return try Planner.plan(loaded, facts: TransferFacts(requireFiles: false, threads: 2))
    }

    private func ids(_ graph: JobGraph, kind: JobGraph.Kind, name: String? = nil) -> [String] {
        graph.nodes.filter { $0.kind == kind && (name == nil || $0.name == name) }.map(\.id)
    }

    func testASplitSweepSharesItsFrozenStageAndRunsTheUnfrozenOnesAsAnArray() throws {
        let graph = try graph("sweep: {model.meta: [[8, 5], [8, 6], [8, 7]]}")
        let plan = SlurmPlan(graph: graph, experiment: "slurm", runID: "R")
        let cache = ids(graph, kind: .cache), frozen = ids(graph, kind: .stage, name: "frozen")
        let unfrozen = ids(graph, kind: .stage, name: "unfrozen")
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(frozen.count, 1, "one frozen stage, shared by the three jobs")
        XCTAssertEqual(unfrozen.count, 3)
        XCTAssertEqual(plan.jobs.map(\.nodes), [cache, frozen, unfrozen])
        XCTAssertEqual(plan.jobs.map(\.after), [[], [.init(job: 0, task: nil)], [.init(job: 1, task: nil)]])
        XCTAssertEqual(plan.jobs.map(\.name), ["slurm/R/\(cache[0])", "slurm/R/\(frozen[0])", "slurm/R/unfrozen-x3"])
        XCTAssertEqual(plan.jobs[2].logs, ["logs/unfrozen-x3_0.log", "logs/unfrozen-x3_1.log", "logs/unfrozen-x3_2.log"])

        let script = plan.jobs[2].script(run: "/runs/slurm/R", runner: "/bin/runner", workingDirectory: "/work",
                                         settings: ClusterSettings(config: try XCTUnwrap(graph.jobs.first).config,
                                                                   flags: ClusterConfig(partition: "p", time: "10")),
                                         ids: { ["100", "101"][$0] })
        for line in ["#SBATCH --array=0-2", "#SBATCH --dependency=afterok:101", "#SBATCH --kill-on-invalid-dep=yes",
                     "#SBATCH --requeue", "#SBATCH --signal=B:TERM@120", "#SBATCH --cpus-per-task=1",
                     "#SBATCH --partition=p", "#SBATCH --time=10", "#SBATCH --chdir=/work",
                     "#SBATCH --output=/runs/slurm/R/logs/unfrozen-x3_%a.log", "#SBATCH --open-mode=append",
                     "nodes=(" + unfrozen.map { "'\($0)'" }.joined(separator: " ") + ")",
                     "exec '/bin/runner' exec '/runs/slurm/R' \"${nodes[$SLURM_ARRAY_TASK_ID]}\""] {
            XCTAssertTrue(script.contains(line + "\n"), "no `\(line)` in\n\(script)")
        }
        XCTAssertTrue(script.hasPrefix("#!/bin/bash\n"))
    }

    func testAPretrainChainWaitsForBothItsCaches() throws {
        let graph = try graph("""
            pretrain: {data: {variant: source, classes: 4}, epochs: 1, lr: 1e-3}
            """, overrides: ["model.weights=pretrain"])
        let plan = SlurmPlan(graph: graph, experiment: "slurm", runID: "R")
        let pretrainCache = try XCTUnwrap(graph.nodes.first { $0.kind == .cache && $0.pretraining }).id
        let cache = try XCTUnwrap(graph.nodes.first { $0.kind == .cache && !$0.pretraining }).id
        let pretrain = ids(graph, kind: .pretrain), frozen = ids(graph, kind: .stage, name: "frozen")
        let unfrozen = ids(graph, kind: .stage, name: "unfrozen")
        XCTAssertEqual(plan.jobs.map(\.nodes), [[pretrainCache], pretrain, [cache], frozen, unfrozen])
        XCTAssertEqual(plan.jobs.map { $0.after.map(\.job) }, [[], [0], [], [1, 2], [3]])
        XCTAssertFalse(plan.jobs.contains(where: \.isArray))
        let script = plan.jobs[3].script(run: "/r", runner: "/bin/runner", workingDirectory: "/w",
                                         settings: ClusterSettings(config: try XCTUnwrap(graph.jobs.first).config),
                                         ids: { "\(200 + $0)" })
        XCTAssertTrue(script.contains("#SBATCH --dependency=afterok:201:202\n"), script)
        XCTAssertTrue(script.contains("exec '/bin/runner' exec '/r' '\(frozen[0])'\n"), script)
        XCTAssertTrue(script.contains("#SBATCH --output=/r/logs/\(frozen[0]).log\n"), script)
        XCTAssertFalse(script.contains("--array"), script)
        XCTAssertFalse(script.contains("--partition"), "no partition asked: Slurm's default", )
    }

    func testAOneJobConfigIsAChain() throws {
        let graph = try graph("train: {threads: 3}")
        let plan = SlurmPlan(graph: graph, experiment: "slurm", runID: "R")
        XCTAssertEqual(plan.jobs.map(\.nodes), [ids(graph, kind: .cache), ids(graph, kind: .stage, name: "frozen"),
                                                ids(graph, kind: .stage, name: "unfrozen")])
        XCTAssertEqual(plan.jobs.map { $0.after.map(\.job) }, [[], [0], [1]])
        // train.threads is the count the config was made for, so the default CPU request.
        let settings = ClusterSettings(config: try XCTUnwrap(graph.jobs.first).config)
        XCTAssertEqual(settings.cpusPerTask, 3)
        XCTAssertEqual(ClusterSettings(config: try XCTUnwrap(graph.jobs.first).config,
                                       flags: ClusterConfig(cpusPerTask: 5)).cpusPerTask, 5)
        let first = plan.jobs[0].script(run: "/r", runner: "/bin/runner", workingDirectory: "/w", settings: settings,
                                        ids: { _ in XCTFail("the first job waits for nothing"); return "" })
        XCTAssertFalse(first.contains("--dependency"), first)
    }

    func testFinishedNodesAreNotSubmittedAgainAndNothingWaitsForThem() throws {
        let graph = try graph("sweep: {model.meta: [[8, 5], [8, 6], [8, 7]]}")
        let done = Set(ids(graph, kind: .cache) + ids(graph, kind: .stage, name: "frozen"))
        let plan = SlurmPlan(graph: graph, experiment: "slurm", runID: "R", finished: done)
        XCTAssertEqual(plan.jobs.map(\.nodes), [ids(graph, kind: .stage, name: "unfrozen")])
        XCTAssertEqual(plan.jobs[0].after, [])
    }

    func testAnArrayTaskIsWaitedForByItsTaskID() throws {
        // Three learning rates: three frozen stages after the cache (an array), each with its own unfrozen one.
        let graph = try graph("sweep: {schedule.0.lr: [1e-3, 2e-3, 3e-3]}")
        let plan = SlurmPlan(graph: graph, experiment: "slurm", runID: "R")
        XCTAssertEqual(plan.jobs.count, 5)
        XCTAssertTrue(plan.jobs[1].isArray)
        XCTAssertEqual(plan.jobs[2...].map(\.after), [[.init(job: 1, task: 0)], [.init(job: 1, task: 1)],
                                                      [.init(job: 1, task: 2)]])
        let script = plan.jobs[3].script(run: "/r", runner: "/bin/runner", workingDirectory: "/w",
                                         settings: ClusterSettings(config: try XCTUnwrap(graph.jobs.first).config),
                                         ids: { "\(300 + $0)" })
        XCTAssertTrue(script.contains("#SBATCH --dependency=afterok:301_1\n"), script)
    }

    func testQueueOutputIsParsed() {
        XCTAssertEqual(SlurmClient.states("12|PENDING|Dependency\n13_1|RUNNING|None\n"), [
            .init(id: "12", state: "PENDING", reason: "Dependency"), .init(id: "13_1", state: "RUNNING", reason: "None"),
        ])
        XCTAssertEqual(SlurmClient.states("14|CANCELLED by 0|\n"), [.init(id: "14", state: "CANCELLED", reason: "")])
    }
}
