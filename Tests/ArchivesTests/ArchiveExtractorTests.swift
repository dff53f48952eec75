// ArchiveExtractorTests: unpacks the fixtures of tools/make_archive_fixtures.py — datasets byte for byte, and
// hostile or broken archives refused with nothing left behind.

@testable import Archives
import Foundation
import XCTest

final class ArchiveExtractorTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("archives-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        // The extraction folder sits two levels down, so `../` and `../../` targets are checked inside scratch.
        try FileManager.default.createDirectory(atPath: scratch + "/cache/datasets", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }
    private var destination: String { scratch + "/cache/datasets/pets" }

    /// Every path under `root`, relative, sorted (symlinks are listed, not followed).
    private func tree(_ root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
    }

    private func assertSameFiles(_ extracted: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = fixture("expected")
        let files = tree(expected).filter { !isFolder(expected + "/" + $0) }
        XCTAssertFalse(files.isEmpty, "run tools/make_archive_fixtures.py", file: file, line: line)
        for name in files {
            XCTAssertEqual(FileManager.default.contents(atPath: extracted + "/" + name),
                           FileManager.default.contents(atPath: expected + "/" + name), name, file: file, line: line)
        }
    }

    /// The bytes of the regular files the dataset archives hold.
    private func expectedBytes() -> Int64 {
        let expected = fixture("expected")
        return tree(expected).filter { !isFolder(expected + "/" + $0) }
            .reduce(0) { $0 + Int64(FileManager.default.contents(atPath: expected + "/" + $1)?.count ?? 0) }
    }

    private func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }

    /// The scratch folder holds nothing but the (empty) parent of the destination: no destination, no temporary
    /// folder, nothing written beside or above it.
    private func assertNothingLeft(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(tree(scratch), ["cache", "cache/datasets"], file: file, line: line)
    }

    private func extractionError(_ archive: String, placement: ArchiveExtractor.Placement = .automatic,
                                 file: StaticString = #filePath, line: UInt = #line) -> ArchiveError? {
        do {
            let summary = try ArchiveExtractor.extract(archive: fixture(archive), to: destination, placement: placement)
            XCTFail("expected \(archive) to be refused, extracted \(summary)", file: file, line: line)
        } catch let error as ArchiveError {
            return error
        } catch {
            XCTFail("expected an ArchiveError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testUnpacksATarGzByteForByte() throws {
        for placement in [ArchiveExtractor.Placement.automatic, .absolutePaths] {
            try? FileManager.default.removeItem(atPath: destination)
            let summary = try ArchiveExtractor.extract(archive: fixture("pets.tgz"), to: destination, placement: placement)
            // 8 files, the script, a symlink and a hard link (whose data is its target's).
            XCTAssertEqual(summary, ExtractionSummary(files: 11, bytes: expectedBytes()))
            try assertSameFiles(destination)
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: destination + "/pets/latest.jpg"),
                           "images/Abyssinian_1.jpg")
            XCTAssertEqual(FileManager.default.contents(atPath: destination + "/pets/images/Bengal_1_copy.jpg"),
                           FileManager.default.contents(atPath: fixture("expected/pets/images/Bengal_1.jpg")))
            var info = stat()
            XCTAssertEqual(stat(destination + "/pets/tools/run.sh", &info), 0)
            XCTAssertEqual(info.st_mode & (S_ISUID | S_ISGID), 0, "setuid must not be restored")
            XCTAssertNotEqual(info.st_mode & S_IXUSR, 0, "the execute bit is kept")
            XCTAssertEqual(tree(scratch + "/cache/datasets").filter { !$0.contains("/") }, ["pets"], "no temporary folder left")
        }
    }

    func testUnpacksAZipByteForByte() throws {
        let summary = try ArchiveExtractor.extract(archive: fixture("pets.zip"), to: destination)
        XCTAssertEqual(summary, ExtractionSummary(files: 9, bytes: expectedBytes()))
        try assertSameFiles(destination)
        XCTAssertEqual(tree(destination).filter { !isFolder(destination + "/" + $0) }.count, 9)
        XCTAssertTrue(FileManager.default.fileExists(atPath: destination + "/pets/images/Birman_été_1.jpg"), "UTF-8 names survive")
        XCTAssertEqual(tree(scratch + "/cache/datasets").filter { !$0.contains("/") }, ["pets"], "no temporary folder left")
    }

    func testRefusesParentComponents() {
        for archive in ["dotdot.tgz", "dotdot.zip"] {
            XCTAssertEqual(extractionError(archive),
                           .unsafeEntry(archive: fixture(archive), entry: "../evil.txt", reason: .parentComponent), archive)
            assertNothingLeft()
        }
    }

    func testRefusesAbsolutePaths() {
        let outside = "/tmp/runner-archives-fixture-evil.txt"
        try? FileManager.default.removeItem(atPath: outside)
        for archive in ["absolute.tgz", "absolute.zip"] {
            for placement in [ArchiveExtractor.Placement.automatic, .absolutePaths] {
                XCTAssertEqual(extractionError(archive, placement: placement),
                               .unsafeEntry(archive: fixture(archive), entry: outside, reason: .absolutePath), archive)
                assertNothingLeft()
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
    }

    func testRefusesSymlinksLeadingOutside() {
        let cases: [(String, String, ArchiveError.UnsafeReason)] = [
            ("symlink-outside.tgz", "pets/link", .symlinkOutside(target: "../../outside")),
            ("symlink-absolute.tgz", "pets/passwd", .symlinkAbsolute(target: "/etc/passwd")),
            ("symlink-chain.tgz", "pets/a", .symlinkOutside(target: "b/../..")),
            ("through-symlink.tgz", "pets/dir/file.txt", .throughSymlink(link: "pets/dir")),
        ]
        for (archive, entry, reason) in cases {
            let error = extractionError(archive)
            XCTAssertEqual(error, .unsafeEntry(archive: fixture(archive), entry: entry, reason: reason), archive)
            XCTAssertTrue(error?.description.contains("entry `\(entry)`") ?? false)
            assertNothingLeft()
        }
    }

    func testRefusesHardLinksOutsideAndSpecialFiles() {
        let cases: [(String, String, ArchiveError.UnsafeReason)] = [
            ("hardlink-outside.tar", "pets/evil", .hardlinkOutside(target: "../outside.txt")),
            ("fifo.tar", "pets/pipe", .specialFile(kind: "FIFO")),
            ("device.tar", "pets/null", .specialFile(kind: "character device")),
        ]
        for (archive, entry, reason) in cases {
            XCTAssertEqual(extractionError(archive), .unsafeEntry(archive: fixture(archive), entry: entry, reason: reason))
            assertNothingLeft()
        }
    }

    func testATruncatedArchiveLeavesNothing() {
        let error = extractionError("truncated.tgz")
        guard case let .unreadable(archive, _, detail)? = error else {
            return XCTFail("expected unreadable, got \(String(describing: error))")
        }
        XCTAssertEqual(archive, fixture("truncated.tgz"))
        XCTAssertFalse(detail.isEmpty)
        XCTAssertTrue(error?.description.contains("truncated or corrupt") ?? false)
        assertNothingLeft()
    }

    func testNotAnArchiveIsUnreadable() throws {
        let garbage = scratch + "/garbage.tgz"
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try ArchiveExtractor.extract(archive: garbage, to: destination)) { error in
            guard case .unreadable(garbage, nil, _)? = error as? ArchiveError else { return XCTFail("\(error)") }
        }
        try FileManager.default.removeItem(atPath: garbage)
        assertNothingLeft()
    }

    func testAnExistingDestinationIsRefusedAndLeftAlone() throws {
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        XCTAssertEqual(extractionError("pets.tgz"), .destinationExists(path: destination))
        XCTAssertEqual(tree(scratch), ["cache", "cache/datasets", "cache/datasets/pets"])
        XCTAssertThrowsError(try ArchiveExtractor.extract(archive: fixture("missing.tgz"), to: scratch + "/x")) { error in
            XCTAssertEqual(error as? ArchiveError, .archiveNotFound(path: fixture("missing.tgz")))
        }
    }

    func testRemovesTheTemporaryFolderOfAKilledExtraction() throws {
        // A process id that is not running, as after `kill -9` of an earlier extraction.
        var gone: Int32 = 4_000_000
        while kill(gone, 0) == 0 || errno != ESRCH { gone -= 1 }
        let abandoned = scratch + "/cache/datasets/.pets.unpacking-\(gone)-1f"
        let running = scratch + "/cache/datasets/.pets.unpacking-\(getppid())-2e"
        for folder in [abandoned, running] {
            try FileManager.default.createDirectory(atPath: folder + "/pets/images", withIntermediateDirectories: true)
        }
        _ = try ArchiveExtractor.extract(archive: fixture("pets.zip"), to: destination)
        XCTAssertFalse(FileManager.default.fileExists(atPath: abandoned))
        XCTAssertTrue(FileManager.default.fileExists(atPath: running), "another live process may still be writing it")
    }

    func testTheProcessWorkingDirectoryStaysWhereItWas() throws {
        let before = FileManager.default.currentDirectoryPath
        let summary = try ArchiveExtractor.extract(archive: fixture("pets.zip"), to: destination)
        XCTAssertEqual(summary.files, 9)
        XCTAssertEqual(FileManager.default.currentDirectoryPath, before)
        #if os(Linux)
        // The automatic placement relies on this; if it failed, extraction would quietly use absolute paths.
        let inside = try PrivateWorkingDirectory.run(in: scratch) { FileManager.default.currentDirectoryPath }
        XCTAssertEqual(inside, scratch)
        XCTAssertEqual(FileManager.default.currentDirectoryPath, before)
        #endif
    }

    #if os(Linux)
    func testLibarchiveRefusesEscapesEvenWithoutEntryPolicy() throws {
        let folder = scratch + "/cache/datasets/unscreened"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        for archive in ["dotdot.tgz", "absolute.tgz", "through-symlink.tgz"] {
            let unpacker = DiskUnpacker(archive: fixture(archive), folder: nil, screensEntries: false)
            XCTAssertThrowsError(try PrivateWorkingDirectory.run(in: folder) { try unpacker.run() }, archive) { error in
                guard case .cannotWrite(_, let entry?, _)? = error as? ArchiveError else { return XCTFail("\(error)") }
                XCTAssertNotEqual(entry, "pets/ok.txt")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/cache/datasets/evil.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/runner-archives-fixture-evil.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/pets/file.txt"))
    }
    #endif
}
