// DownloaderTests: fetches from a local HTTP server — caching, resuming, restarting, checks, errors, offline
// mode, hand-copied files and concurrent fetchers.

import Downloads
import Foundation
import XCTest

final class DownloaderTests: XCTestCase {
    private var server: LocalHTTPServer!
    private var scratch = ""
    /// Where fetched files go: a cache folder that does not exist yet, as on a fresh machine.
    private var cache: String { scratch + "/cache/weights" }
    private let body = TestFiles.bytes(300_000)

    override func setUpWithError() throws {
        scratch = try TestFiles.scratchFolder(self)
        server = try LocalHTTPServer(scratch: scratch)
        try server.serve("model.bin", body)
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func sha256(_ data: Data) throws -> String {
        let path = scratch + "/hash-\(UInt32.random(in: 0...UInt32.max))"
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try FileDigest.sha256(path: path)
    }

    private func request(_ path: String, check: IntegrityCheck? = nil, name: String = "model.bin") throws -> DownloadRequest {
        DownloadRequest(url: server.url(path), destination: cache + "/" + name, check: try check ?? .sha256(sha256(body)))
    }

    private func fetchError(_ request: DownloadRequest, offline: Bool = false,
                            file: StaticString = #filePath, line: UInt = #line) -> DownloadError? {
        do {
            let result = try Downloader.fetch(request, offline: offline, progress: nil)
            XCTFail("expected an error, got \(result)", file: file, line: line)
            return nil
        } catch let error as DownloadError {
            return error
        } catch {
            XCTFail("expected a DownloadError, got \(error)", file: file, line: line)
            return nil
        }
    }

    private func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func testDownloadsOnceThenUsesTheFileAndItsSidecar() throws {
        let request = try request("model.bin")
        let progress = RecordingProgress()
        let first = try Downloader.fetch(request, offline: false, progress: progress)
        XCTAssertEqual(first, DownloadResult(path: request.destination, sha256: try sha256(body), bytes: 300_000, downloaded: true))
        XCTAssertEqual(contents(request.destination), body)
        XCTAssertFalse(TestFiles.exists(request.destination + ".partial"))
        XCTAssertFalse(TestFiles.exists(request.destination + ".lock"), "the lock file is removed after use")
        XCTAssertEqual(progress.started.first?.resumedAt, 0)
        XCTAssertEqual(progress.started.first?.total, 300_000)
        XCTAssertEqual(progress.finished, [300_000])

        let second = try Downloader.fetch(request, offline: false, progress: progress)
        XCTAssertEqual(second, DownloadResult(path: request.destination, sha256: first.sha256, bytes: 300_000, downloaded: false))
        XCTAssertEqual(server.requests().count, 1, "a file in place is not requested again")
        XCTAssertEqual(progress.started.count, 1)

        // The sidecar, not a rehash, is what answers: a digest planted in it (size and mtime unchanged) comes back.
        let sidecarPath = request.destination + ".sha256"
        let sidecar = try XCTUnwrap(try JSONSerialization.jsonObject(with: XCTUnwrap(contents(sidecarPath))) as? [String: Any])
        XCTAssertEqual(sidecar["sha256"] as? String, first.sha256)
        XCTAssertEqual((sidecar["size"] as? NSNumber)?.int64Value, 300_000)
        var planted = sidecar
        planted["sha256"] = String(repeating: "ab", count: 32)
        try JSONSerialization.data(withJSONObject: planted).write(to: URL(fileURLWithPath: sidecarPath))
        let unchecked = DownloadRequest(url: request.url, destination: request.destination, check: .none)
        XCTAssertEqual(try Downloader.fetch(unchecked, offline: false, progress: nil).sha256, String(repeating: "ab", count: 32))
        // A changed mtime invalidates the sidecar, and the file is hashed again.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: request.destination)
        XCTAssertEqual(try Downloader.fetch(request, offline: false, progress: nil).sha256, first.sha256)
        XCTAssertEqual(server.requests().count, 1)
    }

    func testResumesAfterACutConnection() throws {
        let request = try request("cut/model.bin")
        let partial = request.destination + ".partial"
        let error = fetchError(request)
        guard case let .interrupted(url, partialPath, bytes, _) = error else {
            return XCTFail("expected interrupted, got \(String(describing: error))")
        }
        XCTAssertEqual([url, partialPath], [request.url, partial])
        XCTAssertEqual(bytes, 150_000)
        XCTAssertTrue(error?.description.contains("rerunning resumes") ?? false, "\(String(describing: error))")
        XCTAssertEqual(TestFiles.size(partial), 150_000)
        XCTAssertFalse(TestFiles.exists(request.destination))

        let progress = RecordingProgress()
        let result = try Downloader.fetch(request, offline: false, progress: progress)
        XCTAssertTrue(result.downloaded)
        XCTAssertEqual(result.sha256, try sha256(body))
        XCTAssertEqual(contents(request.destination), body)
        XCTAssertFalse(TestFiles.exists(partial))
        XCTAssertEqual(server.requests().map(\.range), [nil, "bytes=150000-"])
        XCTAssertEqual(progress.started.first?.resumedAt, 150_000)
        XCTAssertEqual(progress.started.first?.total, 300_000)
    }

    func testStartsOverWhenTheServerIgnoresRange() throws {
        let request = try request("norange/model.bin")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        // Not a prefix of the file: if it were kept, the result would fail its check.
        try TestFiles.bytes(1000, seed: 99).write(to: URL(fileURLWithPath: request.destination + ".partial"))
        let result = try Downloader.fetch(request, offline: false, progress: nil)
        XCTAssertEqual(result.sha256, try sha256(body))
        XCTAssertEqual(contents(request.destination), body)
        XCTAssertEqual(server.requests().map(\.range), ["bytes=1000-", nil])
    }

    func testStartsOverWhenThePartialIsLongerThanTheFile() throws {
        let request = try request("model.bin")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try TestFiles.bytes(300_010, seed: 5).write(to: URL(fileURLWithPath: request.destination + ".partial"))
        let result = try Downloader.fetch(request, offline: false, progress: nil)
        XCTAssertEqual(result.sha256, try sha256(body))
        XCTAssertEqual(server.requests().map(\.range), ["bytes=300010-", nil], "416, then the whole file")
    }

    func testAMismatchedDownloadIsDeleted() throws {
        let wrong = String(repeating: "0", count: 64)
        let request = try request("model.bin", check: .sha256(wrong))
        let error = fetchError(request)
        XCTAssertEqual(error, .checksumMismatch(url: request.url, destination: request.destination,
                                                expected: "sha256 \(wrong)", actual: "sha256 \(try sha256(body))"))
        for suffix in ["", ".partial", ".sha256", ".lock"] {
            XCTAssertFalse(TestFiles.exists(request.destination + suffix), "\(suffix) left behind")
        }
    }

    func testTorchvisionPrefixCheck() throws {
        let digest = try sha256(body)
        let good = try request("model.bin", check: .sha256Prefix(String(digest.prefix(8)).uppercased()))
        XCTAssertEqual(try Downloader.fetch(good, offline: false, progress: nil).sha256, digest)

        let bad = try request("model.bin", check: .sha256Prefix("00000000"), name: "other.bin")
        XCTAssertEqual(fetchError(bad), .checksumMismatch(url: bad.url, destination: bad.destination,
                                                          expected: "sha256 starting 00000000", actual: "sha256 \(digest)"))
        XCTAssertEqual(fetchError(try request("model.bin", check: .sha256Prefix("xyz"))),
                       .invalidCheck("sha256 prefix `xyz` is not 1 to 64 hex digits"))
    }

    func testFastaiSizeAndFirstMiBCheck() throws {
        // Larger than the MiB fastai hashes, so a hash of the whole file would not match.
        let large = TestFiles.bytes(1_200_000, seed: 7)
        try server.serve("dataset.tgz", large)
        let firstMiB = scratch + "/first-mib"
        try large.prefix(1 << 20).write(to: URL(fileURLWithPath: firstMiB))
        let md5 = try FileDigest.md5OfPrefix(path: firstMiB, bytes: .max)
        XCTAssertNotEqual(md5, try FileDigest.md5OfPrefix(path: server.folder + "/dataset.tgz", bytes: .max))

        let good = DownloadRequest(url: server.url("dataset.tgz"), destination: cache + "/dataset.tgz",
                                   check: .fastai(size: 1_200_000, md5OfFirstMiB: md5))
        XCTAssertEqual(try Downloader.fetch(good, offline: false, progress: nil).bytes, 1_200_000)

        let wrongSize = DownloadRequest(url: server.url("dataset.tgz"), destination: cache + "/a.tgz",
                                        check: .fastai(size: 1_200_001, md5OfFirstMiB: md5))
        XCTAssertEqual(fetchError(wrongSize), .checksumMismatch(
            url: wrongSize.url, destination: wrongSize.destination,
            expected: "1200001 bytes with md5 of the first MiB \(md5)", actual: "1200000 bytes"))
        let wrongHash = DownloadRequest(url: server.url("dataset.tgz"), destination: cache + "/b.tgz",
                                        check: .fastai(size: 1_200_000, md5OfFirstMiB: String(repeating: "f", count: 32)))
        XCTAssertEqual(fetchError(wrongHash), .checksumMismatch(
            url: wrongHash.url, destination: wrongHash.destination,
            expected: "1200000 bytes with md5 of the first MiB \(String(repeating: "f", count: 32))",
            actual: "1200000 bytes with md5 of the first MiB \(md5)"))
        XCTAssertFalse(TestFiles.exists(wrongHash.destination))
    }

    func testMissingFileIsAnHTTPErrorAndLeavesNothing() throws {
        let request = try request("absent.bin", name: "absent.bin")
        let error = fetchError(request)
        XCTAssertEqual(error, .httpStatus(status: 404, url: request.url))
        XCTAssertTrue(error?.description.contains("HTTP 404 for \(request.url)") ?? false)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache), [])
    }

    func testFollowsRedirects() throws {
        let result = try Downloader.fetch(try request("redirect/model.bin"), offline: false, progress: nil)
        XCTAssertEqual(result.sha256, try sha256(body))
        XCTAssertEqual(server.requests().map(\.path), ["/redirect/model.bin", "/model.bin"])
    }

    func testOfflineModeNamesWhereToCopyTheFile() throws {
        let request = try request("model.bin")
        let error = fetchError(request, offline: true)
        XCTAssertEqual(error, .offline(url: request.url, destination: request.destination))
        let text = error?.description ?? ""
        for part in [request.url, request.destination, "RUNNER_OFFLINE"] { XCTAssertTrue(text.contains(part), text) }
        XCTAssertEqual(server.requests(), [])
        XCTAssertFalse(TestFiles.exists(cache))
    }

    func testAHandCopiedFileIsVerifiedAndUsedOffline() throws {
        let request = try request("model.bin")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try body.write(to: URL(fileURLWithPath: request.destination))
        let result = try Downloader.fetch(request, offline: true, progress: nil)
        XCTAssertEqual(result, DownloadResult(path: request.destination, sha256: try sha256(body), bytes: 300_000, downloaded: false))

        let wrong = TestFiles.bytes(1234, seed: 3)
        let other = try self.request("model.bin", name: "copied.bin")
        try wrong.write(to: URL(fileURLWithPath: other.destination))
        XCTAssertEqual(fetchError(other), .existingFileMismatch(path: other.destination, expected: "sha256 \(try sha256(body))",
                                                                actual: "sha256 \(try sha256(wrong))"))
        XCTAssertEqual(contents(other.destination), wrong, "a file the user put there is not deleted")
        XCTAssertEqual(server.requests(), [])
    }

    func testConcurrentFetchersDownloadOnce() throws {
        let request = try request("slow/model.bin")
        let results = ResultsBox()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                results.append(Result { try Downloader.fetch(request, offline: false, progress: nil) })
                group.leave()
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        let fetched = try results.all.map { try $0.get() }
        XCTAssertEqual(fetched.count, 2)
        XCTAssertEqual(Set(fetched.map(\.path)), [request.destination])
        XCTAssertEqual(Set(fetched.map(\.sha256)), [try sha256(body)])
        XCTAssertEqual(fetched.filter(\.downloaded).count, 1)
        XCTAssertEqual(server.requests().map(\.path), ["/slow/model.bin"])
    }

    func testAClosedPortIsUnreachableAndNamesThePath() throws {
        // Bind a port and release it: nothing listens there afterwards.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(probe, $0, length)
                _ = getsockname(probe, $0, &length)
            }
        }
        close(probe)
        let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/model.bin"
        let request = DownloadRequest(url: url, destination: cache + "/model.bin", check: .none)
        let error = fetchError(request)
        guard case let .unreachable(errorURL, destination, _) = error else {
            return XCTFail("expected unreachable, got \(String(describing: error))")
        }
        XCTAssertEqual(errorURL, url)
        XCTAssertEqual(destination, request.destination)
        XCTAssertTrue(error?.description.contains(request.destination) ?? false)
        XCTAssertFalse(TestFiles.exists(request.destination + ".partial"))
    }
}

private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<DownloadResult, Error>] = []
    func append(_ result: Result<DownloadResult, Error>) { lock.lock(); results.append(result); lock.unlock() }
    var all: [Result<DownloadResult, Error>] { lock.lock(); defer { lock.unlock() }; return results }
}
