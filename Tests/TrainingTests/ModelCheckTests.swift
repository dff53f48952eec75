// ModelCheckTests: architecture-aware checks of experiment files, reported at the file's lines.

import Experiments
import Foundation
import Layers
import Tensors
import Training
import XCTest

final class ModelCheckTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A small valid experiment on the generated dataset, with `model` and `schedule` as given.
    private func config(model: String, schedule: String = """
        - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
        - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
        """) -> String {
        """
        version: 1
        data: {source: generated, variant: target, classes: 4, images_per_class: 5, size: 32}
        model:
        \(model.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        schedule:
        \(schedule.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    private func errors(_ yaml: String) throws -> [ConfigError] {
        let path = directory.appendingPathComponent("experiment.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try ConfigLoader.load(path: path)
        return ModelCheck.errors(in: loaded, facts: TransferFacts(requireFiles: false) { _ in 4 })
    }

    func testAValidFileHasNoErrors() throws {
        XCTAssertEqual(try errors(config(model: "arch: resnet18")), [])
        XCTAssertEqual(try errors(config(model: "arch: squeezenet1_1\nsplit: [5, 8]")), [])
    }

    func testSplitOutsideTheBodyPointsAtTheSplitLine() throws {
        let found = try errors(config(model: "arch: resnet18\nsplit: [4, 9]"))
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.keyPath.description, "model.split")
        XCTAssertEqual(found.first?.line, 5)
        XCTAssertTrue(found.first?.description.contains("split index 9 is outside the body") ?? false, "\(found)")
    }

    func testUnknownChildNameHasASuggestion() throws {
        let found = try errors(config(model: "arch: resnet34\nsplit: [layer33]"))
        XCTAssertEqual(found.first?.keyPath.description, "model.split")
        XCTAssertTrue(found.first?.description.contains("did you mean `layer3`") ?? false, "\(found)")
        let cut = try errors(config(model: "arch: resnet34\ncut: avgpol"))
        XCTAssertEqual(cut.first?.keyPath.description, "model.cut")
        XCTAssertTrue(cut.first?.description.contains("`avgpool`") ?? false, "\(cut)")
    }

    func testFreezeToAndLearningRatesAgainstTheGroupCount() throws {
        let found = try errors(config(model: "arch: resnet18", schedule: """
            - {name: a, freeze_to: 3, epochs: 1, lr: 1e-3}
            - {name: b, freeze_to: 0, epochs: 1, lr: [1e-5, 1e-4, 1e-3, 1e-2]}
            """))
        XCTAssertEqual(found.map(\.keyPath.description), ["schedule.0.freeze_to", "schedule.1.lr"])
        XCTAssertEqual(found.map(\.line), [6, 7])
        XCTAssertTrue(found[0].description.contains("outside the model's 3 layer groups"), "\(found[0])")
    }

    func testFastai07HasNoMetaForAlexnet() throws {
        let yaml = config(model: "arch: alexnet").replacingOccurrences(of: "version: 1", with: "version: 1\npreset: fastai07")
        let path = directory.appendingPathComponent("legacy.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try ConfigLoader.load(path: path)
        let found = ModelCheck.errors(in: loaded, facts: TransferFacts(requireFiles: false) { _ in 4 })
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.keyPath.description, "preset")
        XCTAssertTrue(found.first?.description.contains("fastai 0.7 had no model_meta for alexnet") ?? false, "\(found)")
    }

    func testWeightsAreCheckedAgainstTheBody() throws {
        var rng = RandomGenerator(seed: 5)
        let resnet18 = directory.appendingPathComponent("resnet18.safetensors").path
        try Architecture.resnet18.build(rng: &rng).stateDict().write(path: resnet18)
        XCTAssertEqual(try errors(config(model: "arch: resnet18\nweights: \(resnet18)")), [])

        let wrong = try errors(config(model: "arch: resnet34\nweights: \(resnet18)"))
        XCTAssertEqual(wrong.count, 1)
        XCTAssertEqual(wrong.first?.keyPath.description, "model.weights")
        XCTAssertTrue(wrong.first?.description.contains("missing keys") ?? false, "\(wrong)")
        XCTAssertTrue(wrong.first?.description.contains("layer1.2.bn1.bias") ?? false, "\(wrong)")
    }

    func testPretrainedWeightsReachTheBodyAndNotTheHead() throws {
        var rng = RandomGenerator(seed: 6)
        let network = Architecture.resnet18.build(rng: &rng)
        let path = directory.appendingPathComponent("w.safetensors").path
        try network.stateDict().write(path: path)
        let yaml = config(model: "arch: resnet18\nweights: \(path)")
        let file = directory.appendingPathComponent("e.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try ConfigLoader.load(path: file)
        let model = try ModelFactory.build(loaded.config, classes: 4)
        let bodyConv = try XCTUnwrap(model.namedParameters().first { $0.key == "layer4.1.conv2.weight" }?.parameter)
        XCTAssertEqual(bodyConv.value, network.namedParameters().first { $0.key == "layer4.1.conv2.weight" }?.parameter.value)
        XCTAssertEqual(model.head.parameterCount, 2_048 + 524_800 + 1_024 + 512 * 4 + 4)
    }
}

final class PlaneSizeCheckTests: XCTestCase {
    private func problems(_ arch: String, size: Int) throws -> [ConfigError] {
        let loaded = try ConfigLoader.load(yaml: """
            version: 1
            data: {source: generated, variant: target, classes: 4, images_per_class: 5, size: \(size)}
            model: {arch: \(arch)}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """, path: "p.yaml", options: .init(checkFiles: false))
        return ModelCheck.errors(in: loaded, facts: TransferFacts(requireFiles: false) { _ in 4 }, checkWeights: false)
    }

    /// Sizes that validate accepted and run crashed on (a kernel window larger than its input);
    /// the smallest sizes are torchvision's documented minimums.
    func testImageSizesTooSmallForTheNetworkAreErrorsNamingTheSmallestThatFits() throws {
        for (arch, tooSmall, smallest) in [("alexnet", 48, 63), ("squeezenet1_1", 16, 17), ("squeezenet1_0", 16, 21),
                                           ("vgg11_bn", 24, 32), ("densenet121", 24, 29)] {
            let found = try problems(arch, size: tooSmall)
            XCTAssertEqual(found.map(\.keyPath), ["data.size"], "\(arch): \(found)")
            let text = found.first?.description ?? ""
            XCTAssertTrue(text.contains("the smallest size that fits is \(smallest)"), text)
            XCTAssertEqual(try problems(arch, size: smallest), [], "\(arch) at \(smallest)")
        }
        XCTAssertEqual(try problems("resnet18", size: 8), [])
    }

    func testForwardRefusesImagesTooSmallAndSingleImageTraining() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plane-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.safetensors").path
        try SafeTensors(tensors: ["input": Tensor(zeros: [1, 3, 1, 1])]).write(path: input)
        let output = directory.appendingPathComponent("out.safetensors").path
        var rng = RandomGenerator(seed: 0, purpose: "init")
        XCTAssertThrowsError(try ForwardRun.run(Architecture.alexnet.build(numClasses: 3, rng: &rng),
                                                options: .init(inputPath: input, outputPath: output))) {
            XCTAssertTrue("\($0)".contains("too small for this network"), "\($0)")
        }
        XCTAssertThrowsError(try ForwardRun.run(Architecture.resnet18.build(numClasses: 3, rng: &rng),
                                                options: .init(inputPath: input, outputPath: output, training: true))) {
            XCTAssertTrue("\($0)".contains("at least 2 images"), "\($0)")
        }
    }
}
