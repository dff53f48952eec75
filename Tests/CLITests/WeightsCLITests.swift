// WeightsCLITests: `runner weights …`, `runner forward` on a .pth, and what validate and run say about downloads.

import Foundation
import Layers
import XCTest

final class WeightsCLITests: CLITestCase {
    private let fixtures = RunnerBinary.repository.appendingPathComponent("Tests/LayersTests/Fixtures/pth")

    private func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    func testImportConvertsLegacyAndZipCheckpointsKeepingTheirKeys() throws {
        let expected = try SafeTensors.read(path: fixture("squeezenet1_1.safetensors"))
        for name in ["squeezenet1_1.pth", "squeezenet1_1-legacy.pth"] {
            let output = directory.appendingPathComponent(name + ".safetensors").path
            let result = try runner(["weights", "import", fixture(name), output])
            XCTAssertEqual(result.status, 0, result.error)
            XCTAssertTrue(result.output.contains("52 tensors"), result.output)
            XCTAssertEqual(try SafeTensors.read(path: output).tensors, expected.tensors, name)
        }
        let nested = directory.appendingPathComponent("variants.safetensors").path
        let result = try runner(["weights", "import", fixture("variants.pth"), nested])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("took the state dict from the checkpoint's `model` entry"), result.output)
        let bad = try runner(["weights", "import", fixture("foreign-global.pth"), nested + "2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.error.contains("posix.system"), bad.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: nested + "2"))
    }

    func testForwardOnATorchCheckpointGivesTorchsLogits() throws {
        let reference = fixture("squeezenet1_1-logits.safetensors")
        let output = directory.appendingPathComponent("logits.safetensors").path
        let result = try runner(["forward", "--arch", "squeezenet1_1", "--classes", "10", "--weights",
                                 fixture("squeezenet1_1-legacy.pth"), "--input", reference, "--output", output])
        XCTAssertEqual(result.status, 0, result.error)
        let logits = try XCTUnwrap(try SafeTensors.read(path: output).tensors["logits"])
        let expected = try XCTUnwrap(try SafeTensors.read(path: reference).tensors["logits"])
        let scale = expected.data.map(abs).max() ?? 1
        let worst = zip(logits.data, expected.data).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale)
    }

    func testValidateSaysWhatRunWouldDownloadAndOfflineRunLeavesNothing() throws {
        let cache = directory.appendingPathComponent("cache").path
        let validate = try runner(["validate", "configs/pets.yaml"], environment: ["RUNNER_CACHE": cache])
        XCTAssertEqual(validate.status, 0, validate.error)
        XCTAssertTrue(validate.output.contains("would be downloaded from https://download.pytorch.org/models/resnet34-b627a593.pth"
                                               + " to \(cache)/weights/resnet34-b627a593.pth"), validate.output)
        XCTAssertTrue(validate.output.contains("https://s3.amazonaws.com/fast-ai-imageclas/oxford-iiit-pet.tgz"),
                      validate.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache + "/weights/resnet34-b627a593.pth"))

        let runs = directory.appendingPathComponent("runs").path
        let run = try runner(["run", "configs/pets.yaml", "--runs", runs, "--quiet"],
                             environment: ["RUNNER_CACHE": cache, "RUNNER_OFFLINE": "1"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.error.contains("resnet34-b627a593.pth") && run.error.contains(cache + "/weights/"), run.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs), "an offline failure left a run directory")
    }

    func testListAndPathShowTheCache() throws {
        let cache = directory.appendingPathComponent("cache").path
        let list = try runner(["weights", "list"], environment: ["RUNNER_CACHE": cache])
        XCTAssertEqual(list.status, 0, list.error)
        XCTAssertTrue(list.output.contains("resnet50:V2"), list.output)
        XCTAssertEqual(list.output.split(separator: "\n").count, 1 + 21)
        let path = try runner(["weights", "path", "resnet50:V2"], environment: ["RUNNER_CACHE": cache])
        XCTAssertEqual(path.status, 0, path.error)
        XCTAssertEqual(path.output, cache + "/weights/resnet50-11ad3fa6.pth\n")
        let unknown = try runner(["weights", "path", "resnet34:V2"], environment: ["RUNNER_CACHE": cache])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.error.contains("resnet34:V1"), unknown.error)
    }
}
