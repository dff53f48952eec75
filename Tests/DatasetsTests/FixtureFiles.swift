// FixtureFiles: paths of the committed test images (tools/make_dataset_fixtures.py) and scratch folders.

import Foundation
import XCTest

enum FixtureFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// A fresh empty folder, removed again when the test ends.
    static func scratchFolder(_ test: XCTestCase, _ name: String = #function) throws -> String {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("datasets-tests-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.path
    }

    /// Creates `relative` (and its folders) under `root` holding `contents`.
    static func touch(_ root: String, _ relative: String, _ contents: String = "x") throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }
}
