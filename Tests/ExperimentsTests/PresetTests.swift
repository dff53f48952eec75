// PresetTests: each preset fills the defaults of its fastai version, and anything written in the file wins.

@testable import Experiments
import XCTest

final class PresetTests: ConfigTestCase {
    /// A file that leaves everything optional out.
    private func bare(_ preset: String?, stage: String = "{freeze_to: -1, epochs: 1}", extra: String = "") -> String {
        """
        version: 1
        \(preset.map { "preset: \($0)" } ?? "")
        data: {source: folder, path: images}
        model: {arch: resnet34}
        schedule:
          - \(stage)
        \(extra)
        """
    }

    func testSharedDefaults() throws {
        let config = try XCTUnwrap(load(bare(nil))).config
        XCTAssertEqual(config.preset, .fastai1)
        XCTAssertEqual(config.name, "exp")
        XCTAssertEqual(config.seed, 42)
        XCTAssertEqual(config.data.size, 224)
        XCTAssertEqual(config.data.batchSize, 64)
        XCTAssertEqual(config.data.resize, .crop)
        XCTAssertEqual(config.data.augment, .standard)
        XCTAssertEqual(config.data.normalize, .imagenet)
        XCTAssertEqual(config.data.valid, .random(pct: 0.2, seed: 42))
        XCTAssertEqual(config.data.badFiles, .fail)
        XCTAssertEqual(config.data.labels, .folder)
        XCTAssertEqual(config.train.loss, .crossEntropy)
        XCTAssertEqual(config.train.labelSmoothing, 0)
        XCTAssertEqual(config.train.metrics, [.errorRate])
        XCTAssertNil(config.train.threads)
        XCTAssertEqual(config.schedule[0].name, "stage0")
        XCTAssertEqual(config.model.head.linFtrs, [512])
        XCTAssertTrue(config.model.head.concatPool)
        XCTAssertFalse(config.model.head.bnFinal)
        XCTAssertNil(config.model.weights)
        XCTAssertNil(config.model.meta)
        XCTAssertEqual(config.model.declaredGroupCount, nil)
    }

    func testFastai1() throws {
        let config = try XCTUnwrap(load(bare("fastai1"))).config
        XCTAssertEqual(config.train.optimizer, OptimizerConfig(name: .adam, wd: 1e-2, betas: [0.9, 0.99], eps: 1e-8,
                                                               trueWD: true, bnWD: true, momentum: 0.9))
        XCTAssertTrue(config.train.trainBN)
        XCTAssertEqual(config.train.bnStats, .update)
        XCTAssertEqual(config.schedule[0].lr, .slice(start: nil, end: 3e-3))
        XCTAssertEqual(config.schedule[0].policy,
                       .oneCycle(.init(pctStart: 0.3, div: 25, finalDiv: 2.5e5, moms: [0.95, 0.85])))
        XCTAssertEqual(config.model.head.ps, .single(0.5))
    }

    func testFastai1FinalDivFollowsDiv() throws {
        let config = try XCTUnwrap(load(bare("fastai1", stage: "{freeze_to: -1, epochs: 1, div: 10}"))).config
        XCTAssertEqual(config.schedule[0].policy, .oneCycle(.init(pctStart: 0.3, div: 10, finalDiv: 1e5,
                                                                 moms: [0.95, 0.85])))
    }

    func testFastai2() throws {
        let config = try XCTUnwrap(load(bare("fastai2", stage: "{freeze_to: -1, epochs: 1, div: 5}"))).config
        XCTAssertEqual(config.train.optimizer, OptimizerConfig(name: .adam, wd: 1e-2, betas: [0.9, 0.99], eps: 1e-5,
                                                               trueWD: true, bnWD: false, momentum: 0.9))
        XCTAssertTrue(config.train.trainBN)
        XCTAssertEqual(config.schedule[0].lr, .constant(1e-3))
        XCTAssertEqual(config.schedule[0].policy,
                       .oneCycle(.init(pctStart: 0.25, div: 5, finalDiv: 1e5, moms: [0.95, 0.85, 0.95])))
        XCTAssertEqual(config.model.head.ps, .single(0.5))
    }

    func testFastai07() throws {
        let config = try XCTUnwrap(load(bare("fastai07", stage: "{freeze_to: -1, epochs: 1, lr: 0.01}"))).config
        XCTAssertEqual(config.train.optimizer.name, .sgd)
        XCTAssertEqual(config.train.optimizer.momentum, 0.9)
        XCTAssertEqual(config.train.optimizer.wd, 0)
        XCTAssertFalse(config.train.trainBN)
        XCTAssertEqual(config.train.bnStats, .freeze)
        XCTAssertEqual(config.model.head.ps, .perLayer([0.25, 0.5]))
        XCTAssertEqual(config.schedule[0].policy, .constant)
    }

    func testFastai07DropoutFollowsLinFtrs() throws {
        let yaml = bare("fastai07", stage: "{freeze_to: -1, epochs: 1, lr: 0.01}")
            .replacingOccurrences(of: "model: {arch: resnet34}", with: "model: {arch: resnet34, head: {lin_ftrs: [1024, 256]}}")
        let config = try XCTUnwrap(load(yaml)).config
        XCTAssertEqual(config.model.head.ps, .perLayer([0.25, 0.25, 0.5]))
    }

    func testTheFileWins() throws {
        let yaml = bare("fastai07", stage: "{freeze_to: -1, epochs: 1, lr: 0.01, policy: one_cycle, pct_start: 0.5}",
                        extra: "train: {optimizer: {name: adam, wd: 0.1}, train_bn: true, bn_stats: update}")
            .replacingOccurrences(of: "model: {arch: resnet34}", with: "model: {arch: resnet34, head: {ps: 0.2}}")
        let config = try XCTUnwrap(load(yaml)).config
        XCTAssertEqual(config.train.optimizer.name, .adam)
        XCTAssertEqual(config.train.optimizer.wd, 0.1)
        XCTAssertEqual(config.train.optimizer.betas, [0.9, 0.999])
        XCTAssertFalse(config.train.optimizer.trueWD)
        XCTAssertTrue(config.train.trainBN)
        XCTAssertEqual(config.train.bnStats, .update)
        XCTAssertEqual(config.model.head.ps, .single(0.2))
        XCTAssertEqual(config.schedule[0].policy, .oneCycle(.init(pctStart: 0.5, div: 25, finalDiv: 2.5e5,
                                                                 moms: [0.95, 0.85])))
        let eps = try XCTUnwrap(load(bare("fastai2", extra: "train: {optimizer: {eps: 1e-8, bn_wd: true}}"))).config
        XCTAssertEqual(eps.train.optimizer.eps, 1e-8)
        XCTAssertTrue(eps.train.optimizer.bnWD)
    }

    func testAdamWUnderFastai07IsDecoupled() throws {
        let yaml = bare("fastai07", stage: "{freeze_to: -1, epochs: 1, lr: 0.01}",
                        extra: "train: {optimizer: {name: adamw}}")
        XCTAssertTrue(try XCTUnwrap(load(yaml)).config.train.optimizer.trueWD)
    }

    func testGeneratedDataDefaults() throws {
        let config = try XCTUnwrap(load(Self.minimal)).config
        XCTAssertEqual(config.data.size, 64)
        XCTAssertEqual(config.data.generated, DataConfig.Generated(variant: .source, classes: 10, imagesPerClass: 60))
        XCTAssertNil(config.data.labels)
        XCTAssertNil(config.data.path)
    }
}
