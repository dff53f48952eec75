// Downloader: fetches a file into Runner's cache — verified, resumable, atomic, and safe to run concurrently.

import CCurl
import Foundation

public enum Downloader {
    /// Returns the verified file at `request.destination`, downloading it first unless it is already there.
    ///
    /// A file already in place (an earlier download, or one the user copied by hand) is verified and used
    /// without touching the network. Otherwise the download goes to `<destination>.partial` under an exclusive
    /// lock on `<destination>.lock`, resuming what an interrupted fetch left, and is renamed to the destination
    /// only once verified, so the final name never holds a partial or unverified file.
    /// - Parameter offline: the caller passes true when RUNNER_OFFLINE=1; a missing file is then an error
    ///   naming where to copy it.
    public static func fetch(_ request: DownloadRequest, offline: Bool, progress: DownloadProgress?) throws -> DownloadResult {
        try request.check.validate()
        if let result = try verifiedInPlace(request) { return result }
        if offline { throw DownloadError.offline(url: request.url, destination: request.destination) }
        let folder = (request.destination as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw DownloadError.fileSystem(path: folder, operation: "create the folder",
                                               detail: (error as NSError).localizedDescription)
            }
        }
        return try FileLock.withLock(request.destination + ".lock") {
            // Another process (or thread) may have finished this file while we waited for the lock.
            if let result = try verifiedInPlace(request) { return result }
            return try download(request, progress: progress)
        }
    }

    /// The file at the destination, verified; nil when there is none. A file that fails is left in place:
    /// Runner did not necessarily put it there.
    private static func verifiedInPlace(_ request: DownloadRequest) throws -> DownloadResult? {
        let path = request.destination
        guard let status = try FileStatus.of(path) else { return nil }
        guard status.isRegularFile else { throw DownloadError.notAFile(path: path) }
        let cached = DigestSidecar.cachedSHA256(for: path, status: status)
        let sha256 = try cached ?? FileDigest.sha256(path: path)
        if let mismatch = try request.check.mismatch(path: path, size: status.size, sha256: sha256) {
            throw DownloadError.existingFileMismatch(path: path, expected: mismatch.expected, actual: mismatch.actual)
        }
        if cached == nil { DigestSidecar.record(sha256: sha256, for: path, status: status) }
        return DownloadResult(path: path, sha256: sha256, bytes: status.size, downloaded: false)
    }

    /// Transfers into the partial file (restarting at most once when the server will not resume it), then
    /// verifies it and moves it into place. Called with the lock held.
    private static func download(_ request: DownloadRequest, progress: DownloadProgress?) throws -> DownloadResult {
        let (url, destination) = (request.url, request.destination)
        let partial = destination + ".partial"
        var restarted = false
        var outcome: TransferOutcome
        while true {
            let resumeFrom = try FileStatus.of(partial)?.size ?? 0
            outcome = CurlTransfer.run(url: url, partial: partial, resumeFrom: resumeFrom, progress: progress)
            if let failure = outcome.writeFailure {
                throw DownloadError.fileSystem(path: partial, operation: "write", detail: failure)
            }
            // 416: the partial is not a prefix the server can continue (e.g. as long as the file, or the file
            // changed). CURLE_RANGE_ERROR: the server ignored the Range header and sent the whole file (200).
            // Either way the partial is useless; start again from byte 0, once.
            let cannotResume = resumeFrom > 0
                && (outcome.status == 416 || (outcome.code == CURLE_RANGE_ERROR && outcome.status < 400))
            if cannotResume && !restarted {
                try remove(partial)
                restarted = true
                continue
            }
            break
        }
        if outcome.status >= 400 {
            // A client error means this URL will not give the file; a server error may pass, so a partial is
            // kept for a later resume.
            if outcome.status < 500 { try remove(partial) }
            throw DownloadError.httpStatus(status: outcome.status, url: url)
        }
        if outcome.code != CURLE_OK {
            let received = try FileStatus.of(partial)?.size ?? 0
            let neverConnected = [CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT]
                .contains(outcome.code) || (outcome.code == CURLE_OPERATION_TIMEDOUT && outcome.status == 0)
            if neverConnected {
                throw DownloadError.unreachable(url: url, destination: destination, detail: outcome.detail)
            }
            if received > 0 {
                throw DownloadError.interrupted(url: url, partial: partial, bytes: received, detail: outcome.detail)
            }
            throw DownloadError.transferFailed(url: url, destination: destination, detail: outcome.detail)
        }
        return try install(partial, request: request, outcome: outcome, progress: progress)
    }

    /// Verifies the complete partial file and renames it to the destination; a file that fails is deleted.
    private static func install(_ partial: String, request: DownloadRequest, outcome: TransferOutcome,
                                progress: DownloadProgress?) throws -> DownloadResult {
        let destination = request.destination
        // An empty body never opens the partial file; an empty file is still a file.
        if try FileStatus.of(partial) == nil {
            let descriptor = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw DownloadError.fileSystem(path: partial, operation: "create", detail: errnoText())
            }
            close(descriptor)
        }
        guard let status = try FileStatus.of(partial) else {
            throw DownloadError.fileSystem(path: partial, operation: "find", detail: "it vanished after the transfer")
        }
        if !outcome.reportedStart { progress?.started(url: request.url, resumedAt: outcome.resumedAt, total: status.size) }
        progress?.finished(bytes: status.size)
        let sha256 = try FileDigest.sha256(path: partial)
        if let mismatch = try request.check.mismatch(path: partial, size: status.size, sha256: sha256) {
            try remove(partial)
            throw DownloadError.checksumMismatch(url: request.url, destination: destination,
                                                 expected: mismatch.expected, actual: mismatch.actual)
        }
        // CurlTransfer fsynced the data; rename(2) is atomic, so the final name holds the whole file or nothing.
        guard rename(partial, destination) == 0 else {
            throw DownloadError.fileSystem(path: destination, operation: "move the download into place as",
                                           detail: errnoText())
        }
        syncFolder(of: destination)
        if let installed = try FileStatus.of(destination) {
            DigestSidecar.record(sha256: sha256, for: destination, status: installed)
        }
        return DownloadResult(path: destination, sha256: sha256, bytes: status.size, downloaded: true)
    }

    private static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw DownloadError.fileSystem(path: path, operation: "delete", detail: errnoText())
        }
    }

    /// Makes the rename durable across a crash; best effort, as some file systems refuse fsync on folders.
    private static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
