// OverrideTests: `--set key.path=value` — values parsed as YAML, paths checked against the schema, errors named by their --set.

@testable import Experiments
import XCTest

final class OverrideTests: ConfigTestCase {
    static let twoStages = """
        version: 1
        name: t
        data:
          source: generated
          augment: standard
        model:
          arch: resnet34
          meta: [8, 6]
        schedule:
          - {name: frozen,   freeze_to: -1, epochs: 4, lr: 1e-3}
          - {name: unfrozen, freeze_to: 0,  epochs: 2, lr: slice(1e-6, 1e-4)}
        """

    func testValidOverridesReplaceValues() throws {
        let loaded = try XCTUnwrap(load(Self.twoStages, overrides: [
            "schedule.1.epochs=3", "model.meta=[8,5]", "train.optimizer.wd=0", "schedule.0.lr=slice(1e-4)",
            "data.augment.flip=false", "name=renamed", "model.head.ps=0.3",
        ]))
        let config = loaded.config
        XCTAssertEqual(config.schedule[1].epochs, 3)
        XCTAssertEqual(config.model.meta, ModelConfig.Meta(cut: 8, lrCut: 5))
        XCTAssertEqual(config.train.optimizer.wd, 0)
        XCTAssertEqual(config.schedule[0].lr, .slice(start: nil, end: 1e-4))
        XCTAssertEqual(config.data.augment.flip, false)
        XCTAssertEqual(config.data.augment.maxRotate, AugmentConfig.standard.maxRotate)
        XCTAssertEqual(config.name, "renamed")
        XCTAssertEqual(config.model.head.ps, .single(0.3))
        XCTAssertEqual(loaded.overrides.map(\.description),
                       ["schedule.1.epochs=3", "model.meta=[8, 5]", "train.optimizer.wd=0", "schedule.0.lr=slice(1e-4)",
                        "data.augment.flip=false", "name=renamed", "model.head.ps=0.3"])
    }

    func testOverrideIntoAListElementAndNullRemoves() throws {
        let config = try XCTUnwrap(load(Self.twoStages, overrides: ["model.meta.1=5"])).config
        XCTAssertEqual(config.model.meta, ModelConfig.Meta(cut: 8, lrCut: 5))
        // meta and split are exclusive; null removes meta so that split can take over.
        let split = try XCTUnwrap(load(Self.twoStages, overrides: ["model.meta=null", "model.split=[layer3]"])).config
        XCTAssertNil(split.model.meta)
        XCTAssertEqual(split.model.split, .names(["layer3"]))
    }

    func testLaterOverrideWins() throws {
        let config = try XCTUnwrap(load(Self.twoStages, overrides: ["seed=1", "seed=7"])).config
        XCTAssertEqual(config.seed, 7)
    }

    func testUnknownOverridePathGetsDidYouMean() {
        let found = errors(Self.twoStages, overrides: ["schedule.1.epoch=3"])
        XCTAssertEqual(found.map(\.description),
                       ["--set schedule.1.epoch: no key `schedule.1.epoch` in the experiment file — did you mean `epochs`?"])
        XCTAssertEqual(found.first?.location, .override(argument: "--set schedule.1.epoch"))
        XCTAssertNil(found.first?.line)
    }

    func testOverrideIndexOutOfRange() {
        let found = errors(Self.twoStages, overrides: ["schedule.2.epochs=3"])
        XCTAssertEqual(found.map(\.description), ["--set schedule.2.epochs: `schedule` has 2 entries; no index `2`"])
    }

    func testOverrideIntoAMissingListElement() {
        let found = errors(Self.twoStages, overrides: ["model.meta.4=1"])
        XCTAssertEqual(found.first?.description,
                       "--set model.meta.4: `model.meta` has no element `4` — set the whole value: model.meta=…")
    }

    func testOverrideWithoutEquals() {
        let found = errors(Self.twoStages, overrides: ["seed"])
        XCTAssertEqual(found.first?.description,
                       "--set seed: expected key.path=value, found \"seed\" — e.g. --set schedule.1.epochs=3")
    }

    func testBadOverrideValueIsNamedByItsSet() {
        let found = errors(Self.twoStages, overrides: ["schedule.1.epochs=two"])
        XCTAssertEqual(found.map(\.description), ["--set schedule.1.epochs: expected an integer ≥ 1, found \"two\""])
        XCTAssertEqual(found.first?.keyPath, "schedule.1.epochs")
    }

    func testOverrideOfAWholeSectionReportsTheInnerPath() {
        let found = errors(Self.twoStages, overrides: ["model={arch: resnet34, meta: [8]}"])
        XCTAssertEqual(found.map(\.description),
                       ["--set model: model.meta: expected [cut, lr_cut], two integers, found a list of 1 — e.g. [8, 6] for a resnet"])
    }

    func testOverrideValueThatIsNotYAML() {
        let found = errors(Self.twoStages, overrides: ["model.meta=[8, 6"])
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.location, .override(argument: "--set model.meta"))
        XCTAssertTrue(found.first?.description.contains("YAML syntax error") ?? false, "\(found)")
    }

    func testOverrideErrorsAndFileErrorsTogether() {
        let found = errors(Self.twoStages.replacingOccurrences(of: "epochs: 4", with: "epochs: 0"),
                           overrides: ["train.optimizer.wd=-1", "data.sise=3"])
        XCTAssertEqual(found.map(\.description), [
            "\(directory)/exp.yaml:10:45: schedule.0.epochs: expected an integer ≥ 1, found 0",
            "--set data.sise: no key `data.sise` in the experiment file — did you mean `size`?",
            "--set train.optimizer.wd: expected a number ≥ 0, found -1",
        ])
    }

    func testOverridesApplyBeforePresetsFillDefaults() throws {
        let config = try XCTUnwrap(load(Self.twoStages, overrides: ["preset=fastai2"])).config
        XCTAssertEqual(config.preset, .fastai2)
        XCTAssertEqual(config.train.optimizer.eps, 1e-5)
    }
}
