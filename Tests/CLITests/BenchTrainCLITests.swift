// BenchTrainCLITests: `runner bench train` on any architecture, and `--compare-torch` beside PyTorch's baseline (issue 15).

import Foundation
import TestSupport
import XCTest

final class BenchTrainCLITests: CLITestCase {
    private func object(_ line: Substring) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testEveryFamilyRunsAStep() throws {
        for arch in ["mobilenet_v2", "densenet121", "vgg16_bn", "resnet50"] {
            let result = try runner(["bench", "train", "--arch", arch, "--size", "32", "--batch", "2", "--mode", "frozen",
                                     "--seconds", "0.1", "--json"])
            XCTAssertEqual(result.status, 0, result.error)
            let line = try object(try XCTUnwrap(result.output.split(separator: "\n").last))
            XCTAssertEqual(line["arch"] as? String, arch)
            XCTAssertGreaterThan(try XCTUnwrap(line["img_per_s"] as? Double), 0)
        }
    }

    func testAMissingBaselineScriptIsNamed() throws {
        let result = try runner(["bench", "train", "--size", "32", "--mode", "frozen", "--compare-torch",
                                 "--torch-script", "/nonexistent/torch_baseline.py"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.error.contains("no PyTorch baseline at /nonexistent/torch_baseline.py"), result.error)
    }

    func testCompareTorchPrintsBothSidesAndTheirRatios() throws {
        _ = try ExternalTool.python(importing: "torchvision", test: name)
        let script = RunnerBinary.repository.deletingLastPathComponent().appendingPathComponent("shared/tools/torch_baseline.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw ExternalTool.skip(name, "no ../shared/tools/torch_baseline.py beside the repository")
        }
        let result = try runner(["bench", "train", "--size", "32", "--batch", "4", "--mode", "frozen-nobn",
                                 "--seconds", "0.5", "--compare-torch", "--json", "--torch-script", script.path])
        XCTAssertEqual(result.status, 0, result.error)
        let line = try object(try XCTUnwrap(result.output.split(separator: "\n").last))
        let runner = try XCTUnwrap(line["img_per_s"] as? Double), torch = try XCTUnwrap(line["torch_img_per_s"] as? Double)
        XCTAssertGreaterThan(torch, 0)
        XCTAssertEqual(try XCTUnwrap(line["speed_ratio"] as? Double), runner / torch, accuracy: 0.01)
        XCTAssertGreaterThan(try XCTUnwrap(line["torch_peak_rss_mb"] as? Int), 0)
        XCTAssertNotNil(line["memory_ratio"] as? Double)
    }
}
