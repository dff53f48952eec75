// RenderTests: resolved.yaml is deterministic and reloads to the same config, jobs and all.

@testable import Experiments
import XCTest

final class RenderTests: ConfigTestCase {
    private func assertRoundTrip(_ yaml: String, overrides: [String] = [], file: StaticString = #filePath,
                                 line: UInt = #line) {
        guard let first = load(yaml, overrides: overrides, file: file, line: line) else { return }
        let text = ConfigLoader.render(first.config)
        XCTAssertEqual(text, ConfigLoader.render(first.config), file: file, line: line)
        guard let again = load(text, file: file, line: line) else { return XCTFail(text, file: file, line: line) }
        XCTAssertEqual(again.config, first.config, text, file: file, line: line)
        XCTAssertEqual(again.jobs.map(\.id), first.jobs.map(\.id), file: file, line: line)
        XCTAssertEqual(again.jobs.map(\.config), first.jobs.map(\.config), file: file, line: line)
        XCTAssertEqual(ConfigLoader.render(again.config), text, file: file, line: line)
    }

    func testMinimalRendersEverySetting() throws {
        let text = try XCTUnwrap(load(Self.minimal)).resolvedYAML
        XCTAssertEqual(text, """
            version: 1
            name: t
            seed: 42
            preset: fastai1
            data:
              source: generated
              valid:
                pct: 0.2
                seed: 42
              size: 64
              resize: crop
              batch_size: 64
              augment: standard
              normalize: imagenet
              bad_files: fail
              variant: source
              classes: 10
              images_per_class: 60
            model:
              arch: resnet18
              head:
                lin_ftrs: [512]
                ps: 0.5
                concat_pool: true
                bn_final: false
                first_bn: true
                lin_first: false
            train:
              loss: cross_entropy
              label_smoothing: 0.0
              metrics: [error_rate]
              optimizer:
                name: adam
                wd: 0.01
                betas: [0.9, 0.99]
                eps: 1e-8
                true_wd: true
                bn_wd: true
              train_bn: true
              bn_stats: update
              precompute: auto
            schedule:
              - name: frozen
                freeze_to: -1
                epochs: 1
                lr: 0.001
                policy: one_cycle
                pct_start: 0.3
                div: 25.0
                final_div: 250000.0
                moms: [0.95, 0.85]

            """)
        assertRoundTrip(Self.minimal)
    }

    func testRichConfigRoundTrips() {
        let csv = write("name,label\n", name: "labels.csv")
        assertRoundTrip("""
            version: 1
            name: rich.run-1
            seed: 7
            preset: fastai2
            data:
              source: csv
              path: images
              labels: {from: csv, file: '\(csv)', label_column: breed}
              valid: {csv_column: is_valid}
              size: 128
              resize: pad
              batch_size: 16
              augment: {flip: false, max_rotate: 5}
              normalize: {mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}
              bad_files: skip
            model:
              arch: densenet121
              weights: "w eights/it's.safetensors"
              cut: features
              split: [denseblock2, denseblock4]
              head: {lin_ftrs: [256, 128], ps: [0.1, 0.2, 0.3], concat_pool: false, bn_final: true, first_bn: false}
              classes: 37
            train:
              label_smoothing: 0.1
              metrics: [accuracy, {name: top_k_accuracy, k: 3}, error_rate, valid_loss]
              optimizer: {name: sgd, wd: 1e-4, momentum: 0.8, true_wd: false}
              train_bn: false
              bn_stats: freeze
              threads: 2
            schedule:
              - {name: a, freeze_to: -1, epochs: 1, lr: [1e-4, 1e-3, 1e-2, 1e-1], policy: constant}
              - {name: b, freeze_to: 1, epochs: 2, lr: {slice: [1e-5, 1e-3]}, policy: cosine}
              - {name: c, freeze_to: 0, epochs: 3, lr: slice(1e-3), moms: [0.9, 0.8]}
            sweep:
              train.optimizer.wd: [0, 1e-2]
              data.normalize: [imagenet, none]
              schedule.2.lr: ['slice(1e-6, 1e-4)', [1e-5, 1e-4, 1e-3, 1e-2]]
            """)
    }

    func testOverridesAreRenderedAsResolvedValues() throws {
        let loaded = try XCTUnwrap(load(Self.minimal, overrides: ["seed=5", "data.valid={folder: v}", "data.source=folder",
                                                                  "data.path=imgs"]))
        XCTAssertTrue(loaded.resolvedYAML.contains("seed: 5\n"))
        XCTAssertTrue(loaded.resolvedYAML.contains("  valid:\n    folder: v\n"), loaded.resolvedYAML)
        assertRoundTrip(Self.minimal, overrides: ["seed=5", "data.valid={folder: v}", "data.source=folder", "data.path=imgs"])
    }

    func testStringsThatLookLikeOtherTypesAreQuoted() throws {
        let yaml = Self.minimal.replacingOccurrences(of: "name: frozen", with: "name: 'true'")
            .replacingOccurrences(of: "arch: resnet18", with: "arch: resnet18\n  cut: '12'")
        let loaded = try XCTUnwrap(load(yaml))
        XCTAssertEqual(loaded.config.model.cut, .name("12"))
        XCTAssertTrue(loaded.resolvedYAML.contains("cut: '12'"), loaded.resolvedYAML)
        XCTAssertTrue(loaded.resolvedYAML.contains("- name: 'true'"), loaded.resolvedYAML)
        assertRoundTrip(yaml)
    }
}
