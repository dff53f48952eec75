// DigestSidecar: `<file>.sha256`, the SHA-256 of a verified file with the size and mtime it had, so later
// fetches skip rehashing a large file that has not changed.

import Foundation

struct DigestSidecar: Codable, Equatable {
    var size: Int64
    /// Nanoseconds since 1970; whole seconds would miss a file replaced within the same second.
    var mtime_ns: Int64
    var sha256: String

    static func path(for file: String) -> String { file + ".sha256" }

    /// The recorded SHA-256 when the sidecar describes the file as it is now; nil otherwise (or unreadable).
    static func cachedSHA256(for file: String, status: FileStatus) -> String? {
        guard let data = FileManager.default.contents(atPath: path(for: file)),
              let sidecar = try? JSONDecoder().decode(DigestSidecar.self, from: data),
              sidecar.size == status.size, sidecar.mtime_ns == status.mtimeNanoseconds,
              sidecar.sha256.count == 64 else { return nil }
        return sidecar.sha256
    }

    /// Best effort: a read-only cache folder only costs a rehash next time.
    static func record(sha256: String, for file: String, status: FileStatus) {
        let sidecar = DigestSidecar(size: status.size, mtime_ns: status.mtimeNanoseconds, sha256: sha256)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var data = try? encoder.encode(sidecar) else { return }
        data.append(0x0A)
        // Written atomically (temporary file + rename): a concurrent reader sees the old sidecar or the new one.
        try? data.write(to: URL(fileURLWithPath: path(for: file)), options: .atomic)
    }
}
