// BadFilesCLITests: unreadable images under bad_files skip (left out, counted, listed) and fail (all named, no run left).

import Foundation
import XCTest

final class BadFilesCLITests: CLITestCase {
    private func config(badFiles: String) throws -> (config: String, images: String) {
        let images = directory.appendingPathComponent("images").path
        if !FileManager.default.fileExists(atPath: images) {
            let generate = try runner(["data", "generate", "--variant", "target", "--classes", "3", "--per-class", "4",
                                       "--size", "32", "--out", images])
            XCTAssertEqual(generate.status, 0, generate.error)
            // An empty file and one that is text, both named like the others.
            XCTAssertTrue(FileManager.default.createFile(atPath: images + "/class0_90.jpg", contents: Data()))
            XCTAssertTrue(FileManager.default.createFile(atPath: images + "/class1_91.jpg", contents: Data("not an image".utf8)))
        }
        let config = directory.appendingPathComponent("bad-\(badFiles).yaml").path
        try """
            version: 1
            name: bad-\(badFiles)
            data:
              source: folder
              path: \(images)
              labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'}
              valid: {pct: 0.25, seed: 1}
              size: 32
              batch_size: 4
              augment: none
              bad_files: \(badFiles)
            model: {arch: resnet18, meta: [8, 6]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, images)
    }

    func testSkipLeavesUnreadableImagesOutAndListsThem() throws {
        let (config, images) = try config(badFiles: "skip")
        let runs = directory.appendingPathComponent("runs").path
        let result = try runner(["run", config, "--runs", runs, "--progress", "plain"])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("2 unreadable images skipped (listed in skipped_files.json)"), result.output)
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/bad-skip").first)
        let listed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
            "\(runs)/bad-skip/\(run)/jobs/main/skipped_files.json"))) as? [[String: String]])
        XCTAssertEqual(Set(listed.compactMap { $0["path"] }), [images + "/class0_90.jpg", images + "/class1_91.jpg"])
    }

    func testFailNamesEveryUnreadableImageBeforeARunExists() throws {
        let (config, images) = try config(badFiles: "fail")
        let runs = directory.appendingPathComponent("runs").path
        let result = try runner(["run", config, "--runs", runs])
        XCTAssertNotEqual(result.status, 0)
        for name in ["class0_90.jpg", "class1_91.jpg"] {
            XCTAssertTrue(result.error.contains(images + "/" + name), result.error)
        }
        XCTAssertTrue(result.error.contains("2 images cannot be read (bad_files: fail)"), result.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs + "/bad-fail"), "a rejected run left a directory")
    }
}
