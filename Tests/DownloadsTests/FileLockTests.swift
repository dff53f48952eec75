// FileLockTests: a second holder waits for the first, and the lock file is gone afterwards.

import Downloads
import Foundation
import XCTest

final class FileLockTests: XCTestCase {
    func testASecondHolderWaitsUntilTheFirstReleases() throws {
        let path = try TestFiles.scratchFolder(self) + "/file.lock"
        let order = OrderLog()
        let first = try FileLock(path: path)
        let done = DispatchSemaphore(value: 0)
        Thread {
            do {
                try FileLock.withLock(path) { order.append("second") }
            } catch {
                order.append("error: \(error)")
            }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.2)
        order.append("first releases")
        first.unlock()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(order.entries, ["first releases", "second"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testAMissingFolderIsAClearError() {
        XCTAssertThrowsError(try FileLock(path: "/nonexistent/folder/file.lock")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/folder/file.lock"), "\(error)")
        }
    }
}

private final class OrderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ entry: String) { lock.lock(); list.append(entry); lock.unlock() }
    var entries: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
