// PrecomputeConfigTests: `train.precompute` read and written back, and `true` refused where cached features would not be exact.

@testable import Experiments
import XCTest

final class PrecomputeConfigTests: ConfigTestCase {
    /// fastai07 with squished, unaugmented images: frozen layers compute a fixed function of fixed inputs.
    private func fixed(data: String = "  resize: squish\n  augment: none", preset: String = "fastai07",
                       precompute: String = "true") -> String {
        """
        version: 1
        name: t
        preset: \(preset)
        data:
          source: generated
        \(data)
        model:
          arch: resnet18
        train:
          precompute: \(precompute)
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
        """
    }

    func testAutoIsTheDefaultAndEveryValueIsWrittenBack() throws {
        XCTAssertEqual(try XCTUnwrap(load(Self.minimal)).config.train.precompute, .auto)
        for (text, value) in [("auto", TrainConfig.Precompute.auto), ("true", .on), ("false", .off)] {
            let loaded = try XCTUnwrap(load(fixed(precompute: text)))
            XCTAssertEqual(loaded.config.train.precompute, value, text)
            XCTAssertEqual(try XCTUnwrap(load(loaded.resolvedYAML)).config.train.precompute, value, "resolved.yaml: \(text)")
        }
    }

    func testFixedSettingsHaveNoBlockers() throws {
        XCTAssertEqual(try XCTUnwrap(load(fixed())).config.precomputeBlockers, [])
    }

    func testTrueWhereNotExactNamesEverySettingInTheWay() {
        let yaml = fixed(data: "  resize: crop\n  augment: standard", preset: "fastai1")
        for setting in ["train.train_bn: true (BatchNorm trains", "train.bn_stats: update (BatchNorm statistics",
                        "data.augment (each epoch", "data.resize: crop (training takes a random square",
                        "set train.train_bn: false, train.bn_stats: freeze, data.augment: none, data.resize: squish or pad"] {
            expectError(yaml, setting, at: 11, 15)
        }
        expectError(yaml, "train.precompute: true, but the frozen layers' output changes between epochs", at: 11, 15)
    }

    func testOneSettingInTheWayIsNamedAlone() {
        let errors = self.errors(fixed(data: "  resize: squish\n  augment: {flip: true, p_affine: 0, p_lighting: 0}"))
        XCTAssertEqual(errors.count, 1)
        let text = errors.first?.description ?? ""
        XCTAssertTrue(text.contains("data.augment (each epoch draws new transforms"), text)
        XCTAssertTrue(text.contains("set data.augment: none, or precompute: auto"), text)
        XCTAssertFalse(text.contains("train_bn"), text)
    }

    func testAugmentationThatCannotFireIsNoAugmentation() throws {
        let loaded = try XCTUnwrap(load(fixed(data: "  resize: pad\n  augment: {flip: false, p_affine: 0, p_lighting: 0}")))
        XCTAssertEqual(loaded.config.precomputeBlockers, [])
    }

    func testAutoAndFalseNeverFail() throws {
        for value in ["auto", "false"] {
            XCTAssertNotNil(load(fixed(data: "  resize: crop\n  augment: standard", preset: "fastai1", precompute: value)), value)
        }
    }

    func testAnUnknownValueListsTheChoices() {
        expectError(fixed(precompute: "always"), "train.precompute: expected one of auto, true, false", at: 11, 15)
    }
}
