// LRFindCLITests: `runner lr-find` on a tiny generated config — the chart, the files beside the runs, and a clear error for an unknown stage.

import Foundation
import XCTest

final class LRFindCLITests: CLITestCase {
    func testLRFindChartsTheSweepAndWritesTheSVGBesideTheRuns() throws {
        let runs = directory.appendingPathComponent("runs").path
        let config = directory.appendingPathComponent("tiny.yaml").path
        try """
            version: 1
            name: tiny
            seed: 3
            data: {source: generated, variant: source, classes: 3, images_per_class: 4, size: 32, batch_size: 4}
            model: {arch: resnet18, head: {lin_ftrs: [16]}}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
            """.write(toFile: config, atomically: true, encoding: .utf8)

        let result = try runner(["lr-find", config, "--runs", runs, "--batches", "20", "--threads", "2"])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("lr finder — tiny, resnet18, stage frozen"), result.output)
        XCTAssertTrue(result.output.contains("└"), "the chart's axis: \(result.output)")
        XCTAssertFalse(result.output.contains("\u{1B}"), "a pipe gets no control characters")
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/tiny").first)
        let svg = try String(contentsOfFile: "\(runs)/tiny/\(run)/lr_find.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml") && svg.contains("<path class=\"curve\""), svg)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(runs)/tiny/\(run)/lr_find.json"))
        XCTAssertTrue(result.output.contains("\(run)/lr_find.svg"), result.output)
        let listed = try runner(["runs", "--root", runs])
        XCTAssertTrue(listed.output.contains("lr-find"), listed.output)

        let unknown = try runner(["lr-find", config, "--runs", runs, "--stage", "middle"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.error.contains("no stage `middle`; stages: frozen, unfrozen"), unknown.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runs + "/tiny").count, 1,
                       "an unknown stage leaves no directory")

        // The lr-find directory carries the config's hash but is no unfinished run to resume.
        let resume = try runner(["run", config, "--runs", runs, "--resume", "--quiet"])
        XCTAssertEqual(resume.status, 1, resume.output + resume.error)
        XCTAssertTrue(resume.error.contains("no unfinished run of this config"), resume.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(runs)/tiny/\(run)/summary.json"))
    }
}
