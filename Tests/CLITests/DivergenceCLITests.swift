// DivergenceCLITests: a stage whose weights or BatchNorm statistics overflow stops at that step and is never cached.

import Foundation
import XCTest

final class DivergenceCLITests: CLITestCase {
    /// With lr 1e6 the head's BatchNorm statistics overflow within a few batches while the loss is
    /// still finite. Checked only at checkpoints, a one-epoch stage used to finish with an infinite
    /// `running_var`, go into runs/.cache, and be reused by the next run.
    func testAnOverflowingStateStopsTheStageAndIsNeverCached() throws {
        let config = directory.appendingPathComponent("diverge.yaml").path
        try """
            version: 1
            name: diverge
            data: {source: generated, variant: target, classes: 3, images_per_class: 8, size: 32, batch_size: 4, augment: none}
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e6}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        for attempt in 1...2 {
            let result = try runner(["run", config, "--runs", runs, "--quiet"])
            XCTAssertNotEqual(result.status, 0, "attempt \(attempt) finished")
            XCTAssertTrue(result.error.contains("became infinite or NaN") && result.error.contains("lower the learning rate"),
                          "attempt \(attempt): \(result.error)")
            let cached = try FileManager.default.contentsOfDirectory(atPath: runs + "/.cache")
            XCTAssertEqual(cached.filter { $0.hasPrefix("stage-") }, [], "attempt \(attempt) cached a non-finite stage")
        }
        // Both attempts are listed as failed with their error, not as resumable, and --resume takes neither.
        let listed = try runner(["runs", "--root", runs])
        XCTAssertEqual(listed.output.components(separatedBy: "failed: stage `frozen`").count - 1, 2, listed.output)
        XCTAssertFalse(listed.output.contains("unfinished"), listed.output)
        let resumed = try runner(["run", config, "--runs", runs, "--quiet", "--resume"])
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertTrue(resumed.error.contains("no unfinished run"), resumed.error)
    }
}
