// IntegrityCheck: what a downloaded or hand-copied file must match before Runner uses it.

import Foundation

public enum IntegrityCheck: Equatable, Sendable {
    /// torchvision's convention: the weights file name carries the first hex digits of its SHA-256, e.g. "b627a593".
    case sha256Prefix(String)
    /// The full SHA-256, in hex.
    case sha256(String)
    /// fastai's `checks.txt`: the file size and the MD5 of its first 2^20 bytes (fastai hashes no more).
    case fastai(size: Int64, md5OfFirstMiB: String)
    case none

    /// How many leading bytes fastai hashes.
    public static let fastaiHashedBytes = 1 << 20

    /// Catches a check that could never fail (an empty prefix) or never pass (not hex) before any download.
    func validate() throws {
        func isHex(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isHexDigit && $0.isASCII } }
        switch self {
        case .sha256Prefix(let prefix) where !isHex(prefix) || prefix.count > 64:
            throw DownloadError.invalidCheck("sha256 prefix `\(prefix)` is not 1 to 64 hex digits")
        case .sha256(let digest) where digest.count != 64 || !isHex(digest):
            throw DownloadError.invalidCheck("sha256 `\(digest)` is not 64 hex digits")
        case .fastai(let size, let md5) where size < 0 || md5.count != 32 || !isHex(md5):
            throw DownloadError.invalidCheck("fastai check (size \(size), md5 `\(md5)`) needs a size >= 0 and 32 hex digits")
        default:
            return
        }
    }

    /// nil when the file at `path` (of `size` bytes, whose SHA-256 is `sha256`) passes; otherwise what was
    /// expected and what was found, in words for an error message.
    func mismatch(path: String, size: Int64, sha256: String) throws -> (expected: String, actual: String)? {
        switch self {
        case .sha256Prefix(let prefix):
            return sha256.hasPrefix(prefix.lowercased()) ? nil : ("sha256 starting \(prefix.lowercased())", "sha256 \(sha256)")
        case .sha256(let digest):
            return sha256 == digest.lowercased() ? nil : ("sha256 \(digest.lowercased())", "sha256 \(sha256)")
        case .fastai(let expectedSize, let md5):
            // The size is compared first: it is free and catches most truncated copies.
            let actualMD5 = size == expectedSize
                ? try FileDigest.md5OfPrefix(path: path, bytes: IntegrityCheck.fastaiHashedBytes) : nil
            if size == expectedSize, actualMD5 == md5.lowercased() { return nil }
            return ("\(expectedSize) bytes with md5 of the first MiB \(md5.lowercased())",
                    "\(size) bytes" + (actualMD5.map { " with md5 of the first MiB \($0)" } ?? ""))
        case .none:
            return nil
        }
    }
}
