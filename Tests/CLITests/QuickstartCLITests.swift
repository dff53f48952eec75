// QuickstartCLITests: the README's default experiment end to end — pretraining pays on the target task.

import Foundation
import XCTest

final class QuickstartCLITests: XCTestCase {
    func testTheTransferredModelBeatsTheOneTrainedFromScratch() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("quickstart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let result = try RunnerBinary.run(["run", "configs/quickstart.yaml", "--runs", runs, "--threads", "2",
                                           "--progress", "plain"])
        XCTAssertEqual(result.status, 0, result.error)
        for stage in ["stage pretrain: freeze_to 0, trainable 11311306 of 11311306",
                      "stage frozen: freeze_to -1, trainable 143878 of 11310790",
                      "stage unfrozen: freeze_to 0, trainable 11310790 of 11310790"] {
            XCTAssertTrue(result.output.contains(stage), "no `\(stage)` in\n\(result.output)")
        }
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/quickstart").first)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(runs)/quickstart/\(run)/summary.json"))
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        func accuracy(_ job: String) throws -> Double {
            let row = try XCTUnwrap(rows.first { $0["job"] as? String == job }, "no job \(job)")
            return try XCTUnwrap((row["final"] as? [String: Any])?["accuracy"] as? Double)
        }
        let transferred = try accuracy("weights=pretrain"), scratch = try accuracy("weights=none")
        print("quickstart: transferred \(transferred), from scratch \(scratch)")
        XCTAssertGreaterThan(transferred, scratch + 0.15, "pretraining on the source task should pay on the target")
        XCTAssertTrue(result.output.contains("weights=pretrain        model.weights=pretrain"), result.output)
    }
}
