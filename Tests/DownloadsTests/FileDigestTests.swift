// FileDigestTests: SHA-256 and MD5 against published test vectors, and the MD5 of a prefix.

import Downloads
import Foundation
import XCTest

final class FileDigestTests: XCTestCase {
    private func file(_ data: Data) throws -> String {
        let path = try TestFiles.scratchFolder(self) + "/data"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func testKnownVectors() throws {
        let abc = try file(Data("abc".utf8))
        XCTAssertEqual(try FileDigest.sha256(path: abc), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(try FileDigest.md5OfPrefix(path: abc, bytes: 1 << 20), "900150983cd24fb0d6963f7d28e17f72")
        let empty = try file(Data())
        XCTAssertEqual(try FileDigest.sha256(path: empty), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testLargeFilesAreHashedAcrossBlocksAndPrefixesStopWhereAsked() throws {
        // One million "a": a NIST vector that spans the 1 MiB read blocks unevenly.
        let million = try file(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
        XCTAssertEqual(try FileDigest.sha256(path: million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let abcd = try file(Data("abcdef".utf8))
        XCTAssertEqual(try FileDigest.md5OfPrefix(path: abcd, bytes: 3), "900150983cd24fb0d6963f7d28e17f72")
    }

    func testAMissingFileNamesItsPath() {
        XCTAssertThrowsError(try FileDigest.sha256(path: "/nonexistent/weights.pth")) { error in
            XCTAssertEqual(error as? DownloadError,
                           .fileSystem(path: "/nonexistent/weights.pth", operation: "open", detail: "No such file or directory"))
        }
    }
}
