// BundledConfigTests: every file in configs/ parses; only the data and weights that are not in the repository are missing.

@testable import Experiments
import XCTest

final class BundledConfigTests: ConfigTestCase {
    private func bundled(_ name: String, checkFiles: Bool = false) throws -> LoadedConfig {
        let path = (repositoryRoot as NSString).appendingPathComponent("configs/\(name)")
        return try ConfigLoader.load(path: path, options: .init(checkFiles: checkFiles, baseDirectory: directory))
    }

    func testEveryBundledConfigParses() throws {
        for name in ["quickstart.yaml", "pets.yaml", "pets-split-sweep.yaml", "pets-precompute.yaml", "presets/fastai1.yaml",
                     "presets/fastai2.yaml", "presets/fastai07.yaml"] {
            do {
                let loaded = try bundled(name)
                let again = try ConfigLoader.load(yaml: loaded.resolvedYAML, path: name,
                                                  options: .init(checkFiles: false))
                XCTAssertEqual(again.config, loaded.config, name)
            } catch {
                XCTFail("\(name):\n\(error)")
            }
        }
    }

    func testPetsPrecomputeIsExact() throws {
        let config = try bundled("pets-precompute.yaml").config
        XCTAssertEqual(config.train.precompute, .on)
        XCTAssertEqual(config.precomputeBlockers, [])
    }

    func testPetsIsLessonOne() throws {
        let config = try bundled("pets.yaml").config
        XCTAssertEqual(config.name, "pets-resnet34")
        XCTAssertEqual(config.model.arch, .resnet34)
        XCTAssertEqual(config.model.meta, ModelConfig.Meta(cut: 8, lrCut: 6))
        XCTAssertEqual(config.model.weights, .imagenet(variant: nil))
        XCTAssertEqual(config.data.source, .fastai)
        XCTAssertEqual(config.data.remote, .fastai(try XCTUnwrap(FastaiDataset.named("oxford-iiit-pet"))))
        XCTAssertEqual(config.data.labels, .filename(pattern: #"^(.+)_\d+\.jpg$"#))
        XCTAssertEqual(config.data.path, "oxford-iiit-pet/images")
        XCTAssertEqual(config.data.valid, .random(pct: 0.2, seed: 2))
        XCTAssertEqual(config.schedule.map(\.epochs), [4, 2])
        XCTAssertEqual(config.schedule.map(\.freezeTo), [-1, 0])
        XCTAssertEqual(config.schedule.map(\.lr), [.constant(1e-3), .slice(start: 1e-6, end: 1e-4)])
    }

    func testSplitSweepHasThreeJobs() throws {
        let loaded = try bundled("pets-split-sweep.yaml")
        XCTAssertEqual(loaded.jobs.map(\.id), ["meta=8-5", "meta=8-6", "meta=8-7"])
        XCTAssertEqual(loaded.jobs.map { $0.config.model.meta?.lrCut }, [5, 6, 7])
    }

    func testQuickstartNeedsNoFiles() throws {
        let config = try bundled("quickstart.yaml", checkFiles: true).config
        XCTAssertEqual(config.data.source, .generated)
        XCTAssertEqual(config.model.arch, .resnet18)
        XCTAssertEqual(config.schedule.map(\.name), ["frozen", "unfrozen"])
    }

    func testPresetFilesUseTheirPresets() throws {
        XCTAssertEqual(try bundled("presets/fastai1.yaml").config.schedule[0].lr, .slice(start: nil, end: 3e-3))
        XCTAssertEqual(try bundled("presets/fastai2.yaml").config.train.optimizer.eps, 1e-5)
        XCTAssertEqual(try bundled("presets/fastai2.yaml").config.model.split, .names(["layer3"]))
        XCTAssertEqual(try bundled("presets/fastai07.yaml").config.train.optimizer.name, .sgd)
    }

    func testMissingDataAndWeightsAreTheOnlyErrors() {
        for (name, pathLine, weightsLine) in [("presets/fastai1.yaml", 10, 16), ("presets/fastai2.yaml", 10, 16),
                                             ("presets/fastai07.yaml", 9, 15)] {
            XCTAssertThrowsError(try bundled(name, checkFiles: true), name) { error in
                let found = (error as? ConfigErrors)?.errors ?? []
                XCTAssertEqual(found.map(\.keyPath), ["data.path", "model.weights"], "\(name): \(found)")
                XCTAssertEqual(found.map(\.line), [pathLine, weightsLine], name)
                XCTAssertEqual(found.map(\.column), [9, 12], name)
            }
        }
    }

    func testPetsNeedsNoLocalFiles() throws {
        // Its weights and data are fetched into the cache by `runner run`, so nothing local is missing.
        XCTAssertEqual(try bundled("pets.yaml", checkFiles: true).jobs.count, 1)
        XCTAssertEqual(try bundled("pets-split-sweep.yaml", checkFiles: true).jobs.count, 3)
    }
}
