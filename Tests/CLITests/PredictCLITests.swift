// PredictCLITests: `runner predict` and `runner interpret` on a trained job agree with the run's own validation pass (issue 14).

import Foundation
import XCTest

final class PredictCLITests: CLITestCase {
    /// A trained one-job run; returns its directory.
    private func trainedRun() throws -> URL {
        let config = directory.appendingPathComponent("tiny.yaml").path
        try """
            version: 1
            name: tiny
            data: {source: generated, variant: target, classes: 3, images_per_class: 10, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6]}
            train: {metrics: [accuracy]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 3e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        let result = try runner(["run", config, "--runs", runs, "--threads", "2", "--quiet"])
        XCTAssertEqual(result.status, 0, result.error)
        let id = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tiny").first)
        return URL(fileURLWithPath: runs + "/tiny/" + id)
    }

    private func json(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func testInterpretAndPredictGiveTheRunsOwnValidationPredictions() throws {
        let run = try trainedRun()
        let interpreted = try runner(["interpret", run.path])
        XCTAssertEqual(interpreted.status, 0, interpreted.error)
        XCTAssertTrue(interpreted.output.contains("actual \\ predicted"), interpreted.output)
        XCTAssertTrue(interpreted.output.contains("most confused"), interpreted.output)
        let interpretation = try json(run.appendingPathComponent("jobs/main/interpretation.json"))
        let final = try json(run.appendingPathComponent("jobs/main/final.json"))
        let classes = try XCTUnwrap(interpretation["classes"] as? [String])
        let items = try XCTUnwrap(interpretation["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 6, "20% of 30 images")
        // The run's own validation pass counted the same hits and the same mean loss.
        let hits = items.filter { ($0["actual"] as? Int) == ($0["predicted"] as? Int) }.count
        XCTAssertEqual(Double(hits) / Double(items.count), try XCTUnwrap(final["accuracy"] as? Double))
        let meanLoss = items.compactMap { $0["loss"] as? Double }.reduce(0, +) / Double(items.count)
        XCTAssertEqual(meanLoss, try XCTUnwrap(final["valid_loss"] as? Double), accuracy: 1e-5)

        let paths = items.compactMap { $0["path"] as? String }
        let predicted = try runner(["predict", run.path, "--json", "--top", "3"] + paths)
        XCTAssertEqual(predicted.status, 0, predicted.error)
        let lines = predicted.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(lines.count, paths.count)
        for (line, item) in zip(lines, items) {
            let best = try XCTUnwrap((line["predictions"] as? [[String: Any]])?.first)
            XCTAssertEqual(best["class"] as? String, classes[try XCTUnwrap(item["predicted"] as? Int)], "\(line)")
            XCTAssertEqual(try XCTUnwrap(best["probability"] as? Double), try XCTUnwrap(item["probability"] as? Double),
                           accuracy: 1e-6)
            XCTAssertEqual((line["predictions"] as? [[String: Any]])?.count, 3)
        }
    }

    func testAJobFolderAloneIsEnoughAndTTAChangesTheProbabilities() throws {
        let run = try trainedRun()
        let moved = directory.appendingPathComponent("elsewhere/model")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: run.appendingPathComponent("jobs/main"), to: moved)
        try FileManager.default.removeItem(at: run)
        let images = directory.appendingPathComponent("images").path
        let generate = try runner(["data", "generate", "--variant", "target", "--classes", "3", "--per-class", "2",
                                   "--size", "48", "--out", images])
        XCTAssertEqual(generate.status, 0, generate.error)
        let image = images + "/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: images).sorted().first))
        let plain = try runner(["predict", moved.path, image])
        XCTAssertEqual(plain.status, 0, plain.error)
        XCTAssertTrue(plain.output.hasPrefix(image + ": "), plain.output)
        let tta = try runner(["predict", moved.path, image, "--tta"])
        XCTAssertEqual(tta.status, 0, tta.error)
        XCTAssertNotEqual(plain.output, tta.output, "the mirrored view must change the probabilities")

        let missing = try runner(["predict", moved.path, images + "/nope.jpg"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.error.contains("nope.jpg"), missing.error)
        let notJob = try runner(["predict", images, image])
        XCTAssertEqual(notJob.status, 1)
        XCTAssertTrue(notJob.error.contains("\(images) is not a trained job's folder (no job.yaml)"), notJob.error)
    }
}
