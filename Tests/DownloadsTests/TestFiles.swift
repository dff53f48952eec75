// TestFiles: scratch folders and deterministic file contents for DownloadsTests.

import Downloads
import Foundation
import XCTest

enum TestFiles {
    /// A fresh empty folder, removed again when the test ends.
    static func scratchFolder(_ test: XCTestCase, _ name: String = #function) throws -> String {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("downloads-tests-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.path
    }

    /// `count` bytes of a seeded xorshift stream: different for each seed, the same on every run.
    static func bytes(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        return Data(bytes)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? -1
    }
}

/// Records what a fetch reported, for assertions.
final class RecordingProgress: DownloadProgress {
    var started: [(url: String, resumedAt: Int64, total: Int64?)] = []
    var advanced: [Int64] = []
    var finished: [Int64] = []

    func started(url: String, resumedAt: Int64, total: Int64?) { started.append((url, resumedAt, total)) }
    func advanced(bytes: Int64, total: Int64?) { advanced.append(bytes) }
    func finished(bytes: Int64) { finished.append(bytes) }
}
