// InvalidConfigTests: one wrong file per test, each checked for its own message and its line:column.

@testable import Experiments
import Diagnostics
import XCTest

final class InvalidConfigTests: ConfigTestCase {
    // MARK: Top level

    func testVersionMustBeOne() {
        expectError(Self.minimal.replacingOccurrences(of: "version: 1", with: "version: 2"),
                    "version: expected 1, found 2", at: 1, 10)
    }

    func testMissingVersion() {
        expectError("""
            name: t
            data: {source: generated}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "version: missing required key `version` — add `version: 1`", at: 1, 1)
    }

    func testUnknownTopLevelKeyGetsDidYouMean() {
        expectError("""
            version: 1
            data: {source: generated}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            sed: 3
            """, "sed: unknown key `sed` — did you mean `seed`?", at: 5, 1)
    }

    func testNegativeSeed() {
        expectError(Self.minimal + "\nseed: -1", "seed: expected an integer ≥ 0, found -1", at: 9, 7)
    }

    func testUnknownPreset() {
        expectError(Self.minimal + "\npreset: fastai3",
                    "preset: expected one of fastai1, fastai2, fastai07, found \"fastai3\" — did you mean `fastai1`?",
                    at: 9, 9)
    }

    func testNameWithSpaces() {
        expectError(Self.minimal.replacingOccurrences(of: "name: t", with: "name: 'my run'"),
                    "name: expected a name of letters, digits", at: 2, 7)
    }

    func testTopLevelMustBeAMapping() {
        expectError("- version: 1\n- name: t\n", "expected a mapping with version", at: 1, 1)
    }

    func testYAMLSyntaxErrorKeepsYamsPosition() {
        expectError("version: 1\nschedule: [1, 2\nname: t\n", "YAML syntax error", at: 3, 5)
    }

    func testDuplicateKeyIsReported() {
        expectError("version: 1\nversion: 1\n", "duplicate key `version`", at: 1, 1)
    }

    func testEmptySchedule() {
        expectError("""
            version: 1
            data: {source: generated}
            model: {arch: resnet18}
            schedule: []
            """, "schedule: expected a non-empty list of stages, found an empty list", at: 4, 11)
    }

    func testMissingSchedule() {
        expectError("""
            version: 1
            data: {source: generated}
            model: {arch: resnet18}
            """, "missing required key `schedule`", at: 1, 1)
    }

    func testDuplicateStageNames() {
        expectError(Self.minimal + "\n  - {name: frozen, freeze_to: 0, epochs: 1, lr: 1e-4}",
                    "schedule.1.name: duplicate stage name `frozen` — stage 0 is already called that", at: 9, 12)
    }

    // MARK: data

    /// 352 bytes that expand to 10⁹ values: converting them took 7.7 GB before the budget.
    func testAliasBombsAndHugeFilesAreRefusedCheaply() throws {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let found = errors(bomb)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.description.contains("expands to more than 100000 values") ?? false, "\(found)")

        let path = directory + "/huge.yaml"
        let list = (0..<300_000).map(String.init).joined(separator: ",")
        try "version: 1\nsweep:\n  seed: [\(list)]\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigLoader.load(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("an experiment file of at most 1024 KiB, found 1942 KiB"), text)
        }
    }

    /// Values validate accepted and run crashed on (allocation, the drawing's 24 pairs, BatchNorm on one value).
    func testSizesAndCountsBeyondWhatRunsAreRefused() {
        func data(_ fields: String) -> String {
            Self.minimal.replacingOccurrences(of: "data:\n  source: generated", with: "data: {source: generated, \(fields)}")
        }
        expectError(data("size: 100000"), "data.size: expected an integer from 8 to 2048", at: 3, 33)
        expectError(data("images_per_class: 1000000000"), "data.images_per_class: expected an integer from 2 to 10000",
                    at: 3, 45)
        expectError(data("classes: 25"), "data.classes: expected an integer from 2 to 24", at: 3, 36)
        expectError(data("batch_size: 1"), "data.batch_size: expected an integer ≥ 2", at: 3, 39)
    }

    func testTwoTopKMetricsAreRefused() {
        expectError(Self.minimal + "\ntrain:\n  metrics: [{name: top_k_accuracy, k: 3}, top_k_accuracy]",
                    "train.metrics.1: expected one top_k_accuracy, found \"top_k_accuracy\"", at: 10, 43)
    }

    func testANameLongerThanAFolderNameMayBeIsRefused() {
        expectError(Self.minimal.replacingOccurrences(of: "name: t", with: "name: " + String(repeating: "n", count: 300)),
                    "name: expected a name of letters, digits, `.`, `_` and `-`, at most 100 characters (it names the run directory)",
                    at: 2, 7)
    }

    func testUnknownSourceGetsDidYouMean() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated", with: "source: folders"),
                    "data.source: expected one of folder, csv, generated, url, fastai, found \"folders\" — did you mean `folder`?",
                    at: 4, 11)
    }

    func testFolderSourceNeedsPath() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated", with: "source: folder"),
                    "data.path: missing required key `path`", at: 4, 3)
    }

    func testImageSizeTooSmall() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated", with: "source: generated\n  size: 4"),
                    "data.size: expected an integer from 8 to 2048, found 4", at: 5, 9)
    }

    func testBatchSizeZero() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  batch_size: 0"),
                    "data.batch_size: expected an integer ≥ 2, found 0", at: 5, 15)
    }

    func testValidPctMustBeBelowOne() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  valid: {pct: 1.0}"),
                    "data.valid.pct: expected a number in [0, 1), found 1.0", at: 5, 16)
    }

    func testValidMixesForms() {
        expectError("""
            version: 1
            data:
              source: folder
              path: images
              valid: {pct: 0.2, folder: valid}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "data.valid: `valid` mixes `pct` and `folder`", at: 5, 10)
    }

    func testResizeModeTypo() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  resize: sqush"),
                    "data.resize: expected one of crop, squish, pad, found \"sqush\" — did you mean `squish`?", at: 5, 11)
    }

    func testAugmentKnobWrongType() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  augment: {flip: maybe}"),
                    "data.augment.flip: expected true or false, found \"maybe\"", at: 5, 19)
    }

    func testAugmentZoomBelowOne() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  augment: {max_zoom: 0.5}"),
                    "data.augment.max_zoom: expected a number ≥ 1, found 0.5", at: 5, 23)
    }

    func testUnknownAugmentKnob() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  augment: {max_rotation: 5}"),
                    "unknown key `max_rotation` — did you mean `max_rotate`?", at: 5, 13)
    }

    func testNormalizeNeedsThreeMeans() {
        expectError(Self.minimal.replacingOccurrences(
            of: "source: generated", with: "source: generated\n  normalize: {mean: [0.5, 0.5], std: [0.2, 0.2, 0.2]}"),
                    "data.normalize.mean: expected a list of 3 numbers, found a list of 2", at: 5, 21)
    }

    func testNormalizeNeedsStd() {
        expectError(Self.minimal.replacingOccurrences(
            of: "source: generated", with: "source: generated\n  normalize: {mean: [0.5, 0.5, 0.5]}"),
                    "data.normalize.std: missing required key `std`", at: 5, 14)
    }

    func testFilenameLabelsNeedPattern() {
        expectError("""
            version: 1
            data:
              source: folder
              path: images
              labels: {from: filename}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "data.labels.pattern: missing required key `pattern`", at: 5, 11)
    }

    func testLabelPatternMustCompile() {
        expectError("""
            version: 1
            data:
              source: folder
              path: images
              labels: {from: filename, pattern: '^(.+_\\d+$'}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "data.labels.pattern: expected a valid regular expression", at: 5, 37)
    }

    func testLabelPatternNeedsACaptureGroup() {
        expectError("""
            version: 1
            data:
              source: folder
              path: images
              labels: {from: filename, pattern: '^.+\\.jpg$'}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "expected a regular expression with a capture group", at: 5, 37)
    }

    func testGeneratedDataTakesNoLabels() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  labels: folder"),
                    "data.labels: `labels` is not used with generated data", at: 5, 11)
    }

    /// A folder given with generated data was accepted, hashed into the data node and never read.
    func testGeneratedDataTakesNoPath() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  path: images"),
                    "data.path: `path` is not used with generated data, which is drawn into data/generated/", at: 5, 9)
    }

    func testGeneratedKnobsNeedGeneratedSource() {
        expectError("""
            version: 1
            data:
              source: folder
              path: images
              classes: 5
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "data.classes: `classes` is not used unless `source: generated`", at: 5, 12)
    }

    func testBadFilesChoice() {
        expectError(Self.minimal.replacingOccurrences(of: "source: generated",
                                                      with: "source: generated\n  bad_files: ignore"),
                    "data.bad_files: expected one of skip, fail, found \"ignore\"", at: 5, 14)
    }

    func testMissingDataFolder() {
        expectError("""
            version: 1
            data:
              source: folder
              path: no/such/images
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "data.path: expected an existing image folder, found \"no/such/images\" — no such directory",
                    at: 4, 9, checkFiles: true)
    }

    func testCSVSourceNeedsCSVLabels() {
        expectError("""
            version: 1
            data:
              source: csv
              path: images
              labels: {from: filename, pattern: '(.+)'}
            model: {arch: resnet18}
            schedule: [{freeze_to: 0, epochs: 1}]
            """, "data.labels.from: expected csv (source csv reads labels from its CSV), found \"filename\"",
                    at: 5, 18)
    }

    // MARK: model

    func testArchTypo() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet35"),
                    "model.arch: expected one of resnet18", at: 6, 9)
        XCTAssertTrue(errors(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet35"))
            .first?.description.hasSuffix("— did you mean `resnet34`?") ?? false)
    }

    func testMetaWithCut() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  meta: [8, 6]\n  cut: -2"),
                    "model.cut: `cut` cannot be combined with `meta`", at: 8, 8)
    }

    func testMetaWithSplit() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18",
                                                      with: "arch: resnet18\n  split: [6]\n  meta: [8, 6]"),
                    "model.split: `split` cannot be combined with `meta`", at: 7, 10)
    }

    func testSplitMixesIndicesAndNames() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18",
                                                      with: "arch: resnet18\n  split: [4, layer3]"),
                    "model.split.1: split mixes indices and child names", at: 7, 14)
    }

    func testSplitIndicesMustIncrease() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  split: [6, 4]"),
                    "model.split.1: expected an index above 6 (split points strictly increase), found 4", at: 7, 14)
    }

    func testMetaNeedsTwoIntegers() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  meta: [8]"),
                    "model.meta: expected [cut, lr_cut], two integers, found a list of 1", at: 7, 9)
    }

    func testHeadDropoutOutOfRange() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  head: {ps: 1.5}"),
                    "model.head.ps: expected a number in [0, 1), found 1.5", at: 7, 14)
    }

    func testHeadDropoutListLength() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18",
                                                      with: "arch: resnet18\n  head: {lin_ftrs: [512], ps: [0.1, 0.2, 0.3]}"),
                    "model.head.ps: expected 2 dropout probabilities", at: 7, 31)
    }

    func testMissingWeightsFile() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18",
                                                      with: "arch: resnet18\n  weights: weights/nope.safetensors"),
                    "model.weights: expected an existing weights file", at: 7, 12, checkFiles: true)
    }

    func testCutZero() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  cut: 0"),
                    "model.cut: expected a non-zero index or a child name, found 0", at: 7, 8)
    }

    func testOneClassIsNotAClassifier() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  classes: 1"),
                    "model.classes: expected an integer ≥ 2, found 1", at: 7, 12)
    }

    func testModelClassesMustAgreeWithGeneratedData() {
        let yaml = Self.minimal.replacingOccurrences(of: "source: generated", with: "source: generated\n  classes: 3")
        expectError(yaml.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  classes: 5"),
                    "model.classes: expected 3, the generated dataset's data.classes (or no `classes`), found 5",
                    at: 8, 12)
        XCTAssertNotNil(load(yaml.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  classes: 3")))
    }

    func testMissingArch() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "cut: -2"),
                    "model.arch: missing required key `arch`", at: 6, 3)
    }

    // MARK: train

    func testOptimizerNameTypo() {
        expectError(Self.minimal + "\ntrain:\n  optimizer: {name: adamm}",
                    "train.optimizer.name: expected one of adam, adamw, sgd, found \"adamm\" — did you mean `adam`?",
                    at: 10, 21)
    }

    func testNegativeWeightDecay() {
        expectError(Self.minimal + "\ntrain:\n  optimizer: {wd: -0.1}",
                    "train.optimizer.wd: expected a number ≥ 0, found -0.1", at: 10, 19)
    }

    func testLabelSmoothingOne() {
        expectError(Self.minimal + "\ntrain:\n  label_smoothing: 1",
                    "train.label_smoothing: expected a number in [0, 1), found 1", at: 10, 20)
    }

    func testMetricTypo() {
        expectError(Self.minimal + "\ntrain:\n  metrics: [accuracy, error_rte]",
                    "train.metrics.1: expected one of error_rate, accuracy, top_k_accuracy, valid_loss, found "
                        + "\"error_rte\" — did you mean `error_rate`?", at: 10, 23)
    }

    func testMomentumWithAdam() {
        expectError(Self.minimal + "\ntrain:\n  optimizer: {name: adam, momentum: 0.9}",
                    "train.optimizer.momentum: `momentum` is not used by adam (its momentum is betas[0])", at: 10, 37)
    }

    func testBetasNeedTwoValues() {
        expectError(Self.minimal + "\ntrain:\n  optimizer: {betas: [0.9]}",
                    "train.optimizer.betas: expected a list of 2 numbers in [0, 1), found a list of 1", at: 10, 22)
    }

    func testBNStatsTypo() {
        expectError(Self.minimal + "\ntrain:\n  bn_stats: frozen",
                    "train.bn_stats: expected one of update, freeze, found \"frozen\" — did you mean `freeze`?",
                    at: 10, 13)
    }

    func testThreadsZero() {
        expectError(Self.minimal + "\ntrain:\n  threads: 0", "train.threads: expected an integer ≥ 1, found 0",
                    at: 10, 12)
    }

    func testTrainBNNotABool() {
        expectError(Self.minimal + "\ntrain:\n  train_bn: 'yes please'",
                    "train.train_bn: expected true or false, found \"yes please\"", at: 10, 13)
    }

    func testAdamWIsAlwaysDecoupled() {
        expectError(Self.minimal + "\ntrain:\n  optimizer: {name: adamw, true_wd: false}",
                    "train.optimizer.true_wd: expected true (AdamW is decoupled weight decay), found false", at: 10, 37)
    }

    // MARK: schedule

    func testEpochsAsWord() {
        expectError(Self.minimal + "\n  - name: unfrozen\n    freeze_to: 0\n    epochs: two",
                    "schedule.1.epochs: expected an integer ≥ 1, found \"two\"", at: 11, 13)
    }

    func testEpochsZero() {
        expectError(Self.minimal.replacingOccurrences(of: "epochs: 1", with: "epochs: 0"),
                    "schedule.0.epochs: expected an integer ≥ 1, found 0", at: 8, 43)
    }

    func testFreezeToMustBeAnInteger() {
        expectError(Self.minimal.replacingOccurrences(of: "freeze_to: -1", with: "freeze_to: 1.5"),
                    "schedule.0.freeze_to: expected an integer, found 1.5", at: 8, 31)
    }

    func testMissingFreezeTo() {
        expectError(Self.minimal.replacingOccurrences(of: "freeze_to: -1, ", with: ""),
                    "schedule.0.freeze_to: missing required key `freeze_to`", at: 8, 5)
    }

    func testNegativeLearningRate() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: -1e-3"),
                    "schedule.0.lr: expected a number > 0, found -1e-3", at: 8, 50)
    }

    func testSliceStartAboveEnd() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: slice(1e-4, 1e-6)"),
                    "schedule.0.lr: slice start 0.0001 is above its end 1e-6 — write slice(1e-6, 0.0001)", at: 8, 50)
    }

    func testMalformedSlice() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: 'slice(1e-6 1e-4)'"),
                    "schedule.0.lr: expected a learning rate > 0", at: 8, 50)
    }

    func testPolicyTypo() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: 1e-3, policy: onecycle"),
                    "schedule.0.policy: expected one of one_cycle, constant, cosine, found \"onecycle\" — did you mean "
                        + "`one_cycle`?", at: 8, 64)
    }

    func testOneCycleKnobWithConstantPolicy() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: 1e-3, policy: constant, pct_start: 0.3"),
                    "schedule.0.pct_start: `pct_start` is not used by policy constant — remove it", at: 8, 85)
    }

    func testLearningRateListDisagreesWithMeta() {
        expectError(Self.minimal.replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  meta: [8, 6]")
                        .replacingOccurrences(of: "lr: 1e-3", with: "lr: [1e-4, 1e-3]"),
                    "schedule.0.lr: 2 learning rates, but meta gives 3 layer groups", at: 9, 50)
    }

    func testLearningRateListsDisagreeAcrossStages() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: [1e-4, 1e-3]")
                        + "\n  - {name: unfrozen, freeze_to: 0, epochs: 1, lr: [1e-5, 1e-4, 1e-3]}",
                    "schedule.1.lr: 3 learning rates, but stage 0 (`frozen`) lists 2", at: 9, 51)
    }

    func testUnknownStageKeyAndTheKeyItWasMeantToBe() {
        let found = errors(Self.minimal.replacingOccurrences(of: "epochs: 1", with: "epoch: 1"))
        XCTAssertEqual(found.map(\.description), [
            "\(directory)/exp.yaml:8:5: schedule.0.epochs: missing required key `epochs`",
            "\(directory)/exp.yaml:8:35: schedule.0.epoch: unknown key `epoch` — did you mean `epochs`?",
        ])
    }

    func testUnknownKeyWithoutACloseMatchListsTheKeys() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: 1e-3, zzz: 1"),
                    "schedule.0.zzz: unknown key `zzz` — valid keys: name, freeze_to, epochs, lr, policy, pct_start, "
                        + "div, final_div, moms", at: 8, 56)
    }

    func testMomsLength() {
        expectError(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: 1e-3, moms: [0.9]"),
                    "schedule.0.moms: expected a list of 2 momentums in [0, 1): start and middle (preset fastai1), found a list of 1",
                    at: 8, 62)
    }

    func testFastai07StageNeedsALearningRate() {
        expectError(Self.minimal.replacingOccurrences(of: ", lr: 1e-3", with: "") + "\npreset: fastai07",
                    "schedule.0.lr: missing required key `lr` — the fastai07 preset has no default learning rate",
                    at: 8, 5)
    }

    func testStageIsNotAMapping() {
        expectError(Self.minimal + "\n  - unfrozen", "schedule.1: expected a mapping with keys name, freeze_to",
                    at: 9, 5)
    }

    // MARK: sweep

    func testSweepKeyPathMustExist() {
        expectError(Self.minimal + "\nsweep:\n  model.metaa: [[8, 5]]",
                    "model.metaa: no key `model.metaa` in the experiment file — did you mean `meta`?", at: 10, 3)
    }

    func testSweepValuesMustBeAList() {
        expectError(Self.minimal + "\nsweep:\n  seed: 3", "sweep.seed: expected a non-empty list of values", at: 10, 9)
    }

    func testSweepValuesOnce() {
        expectError(Self.minimal + "\nsweep:\n  seed: [1, 2, 1]", "sweep.seed.2: expected each value once, found 1",
                    at: 10, 16)
    }

    func testBadSweepValueIsReportedWhereItIsWritten() {
        expectError(Self.minimal + "\nsweep:\n  model.meta: [[8, 5], [8]]",
                    "model.meta: expected [cut, lr_cut], two integers, found a list of 1", at: 10, 24)
    }

    func testSweepIndexOutOfRange() {
        expectError(Self.minimal + "\nsweep:\n  schedule.3.epochs: [1, 2]",
                    "schedule.3.epochs: `schedule` has 1 entry; no index `3`", at: 10, 3)
    }

    // MARK: many at once

    func testAllErrorsAreReportedTogetherInFileOrder() {
        let found = errors("""
            version: 1
            seed: x
            data:
              source: folder
              size: 2
            model:
              arch: resnet34
              meta: [8, 6]
              split: [6]
            train:
              optimizer: {name: adam, wd: -1}
            schedule:
              - {name: a, freeze_to: -1, epoch: 4}
              - {name: a, freeze_to: 0, epochs: 2, lr: slice(1e-4, 1e-6)}
            """)
        let expected: [(Int, Int, String)] = [
            (2, 7, "seed: expected an integer ≥ 0, found \"x\""),
            (4, 3, "data.path: missing required key `path`"),
            (5, 9, "data.size: expected an integer from 8 to 2048, found 2"),
            (9, 10, "model.split: `split` cannot be combined with `meta`"),
            (11, 31, "train.optimizer.wd: expected a number ≥ 0, found -1"),
            (13, 5, "schedule.0.epochs: missing required key `epochs`"),
            (13, 30, "schedule.0.epoch: unknown key `epoch` — did you mean `epochs`?"),
            (14, 44, "schedule.1.lr: slice start 0.0001 is above its end 1e-6"),
        ]
        XCTAssertEqual(found.count, expected.count, found.map(\.description).joined(separator: "\n"))
        for (error, (line, column, fragment)) in zip(found, expected) {
            XCTAssertEqual(error.line, line, error.description)
            XCTAssertEqual(error.column, column, error.description)
            XCTAssertTrue(error.description.contains(fragment), "\(error)\n  lacks: \(fragment)")
        }
        let all = ConfigErrors(found).description
        XCTAssertTrue(all.hasSuffix("\n8 errors"), all)
        XCTAssertEqual(all.split(separator: "\n").count, 9)
    }

    func testErrorFieldsAreStructured() {
        guard let error = errors(Self.minimal.replacingOccurrences(of: "epochs: 1", with: "epochs: 'two'")).first else {
            return XCTFail("no error")
        }
        XCTAssertEqual(error.keyPath, "schedule.0.epochs")
        XCTAssertEqual(error.expected, "an integer ≥ 1")
        XCTAssertEqual(error.found, "\"two\"")
        XCTAssertEqual(error.line, 8)
        XCTAssertEqual(error.column, 43)
        XCTAssertEqual(error.description, "\(directory)/exp.yaml:8:43: schedule.0.epochs: expected an integer ≥ 1, found \"two\"")
    }

    func testUnreadableFile() {
        XCTAssertThrowsError(try ConfigLoader.load(path: "\(directory)/missing.yaml")) { error in
            let description = (error as? ConfigErrors)?.description ?? ""
            XCTAssertTrue(description.hasPrefix("\(directory)/missing.yaml: cannot read the experiment file"), description)
        }
    }

    func testSuggestionDistance() {
        XCTAssertEqual(Suggestion.levenshtein("epoch", "epochs"), 1)
        XCTAssertEqual(Suggestion.levenshtein("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestion.closest(to: "batchsize", in: ["size", "batch_size"]), "batch_size")
        XCTAssertNil(Suggestion.closest(to: "zzz", in: ["epochs", "lr"]))
    }
}
