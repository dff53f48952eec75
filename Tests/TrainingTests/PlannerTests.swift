// PlannerTests: the job graph shares identical work — a split-point sweep plans its frozen stage once.

import Datasets
import Experiments
import Foundation
import Training
import XCTest

final class PlannerTests: XCTestCase {
    private func plan(_ yaml: String) throws -> JobGraph {
        let loaded = try ConfigLoader.load(yaml: yaml, path: "sweep.yaml", options: .init(checkFiles: false))
        return try Planner.plan(loaded, facts: TransferFacts { _ in 10 })
    }

    private func sweep(frozenLR: String = "1e-3", axis: String = "model.meta: [[8, 5], [8, 6], [8, 7]]") -> String {
        """
        version: 1
        data: {source: generated, variant: target, classes: 10, images_per_class: 5, size: 32}
        model: {arch: resnet18, meta: [8, 6]}
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: \(frozenLR)}
          - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-6, 1e-4)}
        sweep:
          \(axis)
        """
    }

    private func nodes(_ graph: JobGraph, _ name: String) -> [JobGraph.Node] {
        graph.nodes.filter { $0.name == name }
    }

    func testSplitSweepPlansTheFrozenStageOnceAndThreeUnfrozenStages() throws {
        let graph = try plan(sweep())
        XCTAssertEqual(graph.jobs.map(\.id), ["meta=8-5", "meta=8-6", "meta=8-7"])
        XCTAssertEqual(nodes(graph, "frozen").count, 1)
        XCTAssertEqual(nodes(graph, "frozen").first?.sharedBy.count, 3)
        XCTAssertEqual(nodes(graph, "unfrozen").count, 3)
        XCTAssertEqual(nodes(graph, "model").count, 1, "the split does not change the initial weights")
        for job in graph.jobs {
            XCTAssertEqual(job.nodes.count, 6)
            XCTAssertEqual(graph.node(job.nodes[4])?.parents, [job.nodes[3]])
        }
        // Per group: meta [8, 6] on resnet18 is 683,072 · 10,493,440 · head.
        let unfrozen = try XCTUnwrap(graph.node(graph.jobs[1].nodes[4])?.stage)
        XCTAssertEqual(unfrozen.groups.map(\.parameters).prefix(2), [683_072, 10_493_440])
        XCTAssertEqual(unfrozen.lrs.map { ($0 * 1e10).rounded() / 1e10 }, [1e-6, 1e-5, 1e-4])
    }

    func testDiscriminativeRatesInTheFrozenStageAreNotShared() throws {
        let graph = try plan(sweep(frozenLR: "slice(1e-4, 1e-3)"))
        XCTAssertEqual(nodes(graph, "frozen").count, 3, "BatchNorm of frozen groups trains at each group's rate")
    }

    func testEpochSweepSharesEverythingBeforeTheSweptStage() throws {
        let graph = try plan(sweep(axis: "schedule.1.epochs: [1, 2]"))
        XCTAssertEqual(nodes(graph, "frozen").count, 1)
        XCTAssertEqual(nodes(graph, "unfrozen").count, 2)
        XCTAssertEqual(try plan(sweep(axis: "schedule.1.epochs: [1, 2]")), graph, "planning is deterministic")
    }

    func testJSONHasTheDocumentedShape() throws {
        let object = PlanRenderer.jsonObject(try plan(sweep()))
        let data = try JSONSerialization.data(withJSONObject: object)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let jobs = try XCTUnwrap(parsed["jobs"] as? [[String: Any]])
        XCTAssertEqual(Set(jobs[0].keys), ["id", "overrides", "nodes"])
        let nodes = try XCTUnwrap(parsed["nodes"] as? [[String: Any]])
        XCTAssertEqual(Set(nodes[0].keys), ["id", "kind", "name", "hash", "parents", "shared_by", "identity"])
        let stage = try XCTUnwrap(nodes.first { $0["kind"] as? String == "stage" }?["stage"] as? [String: Any])
        XCTAssertEqual(Set(stage.keys), ["freeze_to", "epochs", "lrs", "total_params", "trainable_params", "groups",
                                         "exact_prefix", "precompute"])
        let group = try XCTUnwrap((stage["groups"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(group.keys), ["index", "params", "trainable", "lr"])
    }

    func testPretrainIsItsOwnNodeChainFeedingOnlyTheTransferredModel() throws {
        let graph = try plan("""
            version: 1
            data: {source: generated, variant: target, classes: 10, images_per_class: 5, size: 32}
            model: {arch: resnet18, weights: pretrain}
            pretrain: {data: {variant: source}, epochs: 2, lr: 3e-3}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-6, 1e-4)}
            sweep:
              model.weights: [pretrain, none]
            """)
        XCTAssertEqual(graph.jobs.map(\.id), ["weights=pretrain", "weights=none"])
        let pretrain = try XCTUnwrap(graph.nodes.first { $0.kind == .pretrain })
        XCTAssertEqual(pretrain.sharedBy, ["weights=pretrain"])
        XCTAssertEqual(pretrain.stage?.freezeTo, 0)
        XCTAssertEqual(pretrain.stage?.epochs, 2)
        XCTAssertEqual(pretrain.stage?.trainable, pretrain.stage?.parameters, "pretraining trains everything")
        XCTAssertEqual(graph.node(pretrain.parents[0])?.name, "pretrain-model")

        let transferred = graph.jobs[0].nodes.compactMap { graph.node($0) }
        let scratch = graph.jobs[1].nodes.compactMap { graph.node($0) }
        XCTAssertEqual(transferred.map(\.kind), [.data, .cache, .model, .pretrain, .data, .cache, .model, .stage, .stage,
                                                 .evaluate])
        XCTAssertEqual(scratch.map(\.kind), [.data, .cache, .model, .stage, .stage, .evaluate])
        XCTAssertEqual(transferred[6].parents, [transferred[5].id, pretrain.id], "the model starts from the pretrain node")
        XCTAssertEqual(transferred[4].id, scratch[0].id, "both jobs read the same target data")
        XCTAssertNotEqual(transferred[6].id, scratch[2].id, "other initial weights, another model node")
        XCTAssertNotEqual(transferred[7].id, scratch[3].id)
        XCTAssertNotEqual(graph.node(pretrain.parents[0])?.id, scratch[2].id)
    }

    func testTheGeneratedDrawingVersionIsOneNumberOnBothSides() throws {
        // The planner hashes Experiments' copy; the folder name uses Datasets'. A redraw must bump both.
        XCTAssertEqual(DataConfig.Generated.drawing, GeneratedDataset.drawing)
        XCTAssertEqual(Preset.maxPixels, ImageDecoder.defaultMaxPixels)
        XCTAssertEqual(DataConfig.Generated.maxClasses, GeneratedDataset.maxClasses)
        let config = try ConfigLoader.load(yaml: sweep(), path: "s.yaml", options: .init(checkFiles: false)).config
        XCTAssertTrue(DataFactory.generatedFolder(config.data, seed: config.seed)?.hasSuffix("-v\(GeneratedDataset.drawing)")
                      ?? false)
    }
}

/// Which stages precompute: the fixed prefix of each, under the settings that make it exact.
final class PrecomputePlanTests: XCTestCase {
    private func stages(preset: String = "fastai07", data: String = "resize: squish, augment: none",
                        train: String = "{}") throws -> [JobGraph.StagePlan] {
        let yaml = """
            version: 1
            preset: \(preset)
            data: {source: generated, variant: target, classes: 3, images_per_class: 4, size: 32, \(data)}
            model: {arch: resnet18, meta: [8, 6]}
            train: \(train)
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: half, freeze_to: 1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: 1e-3}
            """
        let loaded = try ConfigLoader.load(yaml: yaml, path: "p.yaml", options: .init(checkFiles: false))
        return try Planner.plan(loaded, facts: TransferFacts { _ in 3 }).nodes.compactMap(\.stage)
    }

    func testAutoPrecomputesEachFrozenStageUpToItsFirstTrainingChild() throws {
        let plans = try stages()
        XCTAssertEqual(plans.map(\.exactPrefix), [8, 6, 0], "the whole body, conv1…layer2, nothing")
        XCTAssertEqual(plans.map(\.precompute), [true, true, false])
    }

    func testFalseKeepsTheExactPrefixAndComputesItEveryEpoch() throws {
        let plans = try stages(train: "{precompute: false}")
        XCTAssertEqual(plans.map(\.exactPrefix), [8, 6, 0], "the prefix still runs one image at a time")
        XCTAssertEqual(plans.map(\.precompute), [false, false, false])
    }

    func testAutoDoesNotEngageWhenBatchNormTrainsOrInputsChange() throws {
        for (label, plans) in [
            ("train_bn", try stages(train: "{train_bn: true}")),
            ("bn_stats update", try stages(train: "{bn_stats: update}")),
            ("fastai1", try stages(preset: "fastai1")),
            ("augment", try stages(data: "resize: squish, augment: standard")),
            ("random crop", try stages(data: "resize: crop, augment: none")),
        ] {
            XCTAssertEqual(plans.map(\.precompute), [false, false, false], label)
            XCTAssertEqual(plans.map(\.exactPrefix), [0, 0, 0], label)
        }
    }
}
