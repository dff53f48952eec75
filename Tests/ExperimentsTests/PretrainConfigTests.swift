// PretrainConfigTests: the `pretrain` section, `model.weights: pretrain | none`, and `train.early_stopping`.

@testable import Experiments
import XCTest

final class PretrainConfigTests: ConfigTestCase {
    private static let transfer = """
        version: 1
        name: t
        data: {source: generated, variant: target, classes: 4, images_per_class: 10, size: 32, batch_size: 8}
        model: {arch: resnet18, weights: pretrain}
        pretrain:
          data: {variant: source, classes: 6}
          epochs: 3
          lr: 3e-3
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
        """

    func testPretrainDataIsLaidOverTheExperimentsDataAndItsStageIsUnfrozen() throws {
        let config = try ConfigLoader.load(yaml: Self.transfer, path: "t.yaml", options: .init(checkFiles: false)).config
        XCTAssertEqual(config.model.weights, .pretrain)
        let pretrain = try XCTUnwrap(config.pretrain)
        XCTAssertEqual(pretrain.data.generated?.variant.rawValue, "source")
        XCTAssertEqual(pretrain.data.generated?.classes, 6)
        XCTAssertEqual(pretrain.data.generated?.imagesPerClass, 10, "inherited from data")
        XCTAssertEqual(pretrain.data.batchSize, 8, "inherited from data")
        XCTAssertEqual(pretrain.stage.name, "pretrain")
        XCTAssertEqual(pretrain.stage.freezeTo, 0)
        XCTAssertEqual(pretrain.stage.epochs, 3)
        XCTAssertEqual(pretrain.stage.policy.name, .oneCycle, "the preset's policy")

        let experiment = try XCTUnwrap(config.pretrainExperiment)
        XCTAssertNil(experiment.model.weights)
        XCTAssertEqual(experiment.schedule, [pretrain.stage])
        XCTAssertEqual(experiment.data, pretrain.data)
    }

    func testResolvedConfigReloadsToTheSameExperiment() throws {
        let loaded = try ConfigLoader.load(yaml: Self.transfer, path: "t.yaml", options: .init(checkFiles: false))
        XCTAssertTrue(loaded.resolvedYAML.contains("pretrain:"), loaded.resolvedYAML)
        let again = try ConfigLoader.load(yaml: loaded.resolvedYAML, path: "r.yaml", options: .init(checkFiles: false))
        XCTAssertEqual(again.config, loaded.config)
    }

    func testWeightsNoneAndAFileAndASweepOverBoth() throws {
        let none = try ConfigLoader.load(yaml: Self.transfer.replacingOccurrences(of: "weights: pretrain", with: "weights: none"),
                                         path: "t.yaml", options: .init(checkFiles: false)).config
        XCTAssertNil(none.model.weights)
        XCTAssertNil(none.pretrainExperiment, "nothing to pretrain when the body starts at random")
        let file = try ConfigLoader.load(yaml: Self.transfer.replacingOccurrences(of: "weights: pretrain",
                                                                                  with: "weights: w.safetensors"),
                                         path: "t.yaml", options: .init(checkFiles: false)).config
        XCTAssertEqual(file.model.weights, .file(ModelConfig.WeightsFileConfig(path: "w.safetensors")))
        let swept = try ConfigLoader.load(yaml: Self.transfer + "\nsweep:\n  model.weights: [pretrain, none]",
                                          path: "t.yaml", options: .init(checkFiles: false))
        XCTAssertEqual(swept.jobs.map(\.config.model.weights), [.pretrain, nil])
    }

    func testWeightsPretrainWithoutAPretrainSection() {
        let yaml = Self.transfer.replacingOccurrences(of: """
            pretrain:
              data: {variant: source, classes: 6}
              epochs: 3
              lr: 3e-3

            """, with: "")
        expectError(yaml, "model.weights: expected a .safetensors path or `none` without a `pretrain` section, found \"pretrain\""
                    + " — add a top-level `pretrain:` section", at: 4, 34)
    }

    func testPretrainUnknownKeyGetsDidYouMean() {
        let found = errors(Self.transfer.replacingOccurrences(of: "  epochs: 3", with: "  epoch: 3")).map(\.description)
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found.contains { $0.hasSuffix("exp.yaml:7:3: pretrain.epoch: unknown key `epoch` — did you mean `epochs`?") },
                      "\(found)")
        XCTAssertTrue(found.contains { $0.hasSuffix("exp.yaml:6:3: pretrain.epochs: missing required key `epochs`") }, "\(found)")
    }

    func testPretrainCannotChooseItsFreezing() {
        expectError(Self.transfer.replacingOccurrences(of: "  epochs: 3", with: "  epochs: 3\n  freeze_to: -1"),
                    "pretrain.freeze_to: unknown key `freeze_to`", at: 8, 3)
    }

    func testPretrainDataMustBeAMapping() {
        expectError(Self.transfer.replacingOccurrences(of: "data: {variant: source, classes: 6}", with: "data: source"),
                    "pretrain.data: expected a mapping of data keys that differ from `data`", at: 6, 9)
    }

    func testPretrainDataValuesAreChecked() {
        expectError(Self.transfer.replacingOccurrences(of: "variant: source", with: "variant: sorce"),
                    "pretrain.data.variant: expected one of source, target, found \"sorce\" — did you mean `source`?",
                    at: 6, 19)
    }

    func testPretrainNeedsEpochs() {
        expectError(Self.transfer.replacingOccurrences(of: "  epochs: 3\n", with: ""),
                    "pretrain.epochs: missing required key `epochs`", at: 6, 3)
    }

    func testEarlyStoppingIsReadAndChecked() throws {
        let yaml = Self.minimal + "\ntrain: {early_stopping: {monitor: accuracy, patience: 2, min_delta: 0.01}}"
        let config = try ConfigLoader.load(yaml: yaml, path: "t.yaml", options: .init(checkFiles: false)).config
        XCTAssertEqual(config.train.earlyStopping, EarlyStoppingConfig(monitor: .accuracy, patience: 2, minDelta: 0.01))
        expectError(Self.minimal + "\ntrain: {early_stopping: {monitor: acuracy}}",
                    "train.early_stopping.monitor: expected one of valid_loss, train_loss, accuracy, error_rate,"
                    + " top_k_accuracy, found \"acuracy\" — did you mean `accuracy`?", at: 9, 35)
        expectError(Self.minimal + "\ntrain: {early_stopping: {patience: 0}}",
                    "train.early_stopping.patience: expected an integer ≥ 1, found 0", at: 9, 36)
        expectError(Self.minimal + "\ntrain: {early_stopping: {min_delta: -1}}",
                    "train.early_stopping.min_delta: expected", at: 9, 37)
    }
}
