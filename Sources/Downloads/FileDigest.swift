// FileDigest: SHA-256 and MD5 of files, streamed through OpenSSL's EVP interface.

import CCrypto
import Foundation

public enum FileDigest {
    /// Lowercase hex SHA-256 of the whole file, read in 1 MiB blocks so a large file costs no memory.
    public static func sha256(path: String) throws -> String {
        try digest(path: path, algorithm: EVP_sha256(), name: "SHA-256", limit: Int64.max)
    }

    /// Lowercase hex MD5 of the first `bytes` bytes (the whole file if it is shorter).
    public static func md5OfPrefix(path: String, bytes: Int) throws -> String {
        try digest(path: path, algorithm: EVP_md5(), name: "MD5", limit: Int64(max(0, bytes)))
    }

    /// Lowercase hex SHA-256 of bytes in memory.
    public static func sha256(bytes: [UInt8]) -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // EVP_Digest fails only without memory, which Swift's own allocations would not survive either.
        let status = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &output, &length, EVP_sha256(), nil) }
        precondition(status == 1, "OpenSSL's one-shot SHA-256 failed")
        return hex(output.prefix(Int(length)))
    }

    private static func digest(path: String, algorithm: OpaquePointer?, name: String, limit: Int64) throws -> String {
        guard let context = EVP_MD_CTX_new() else {
            throw DownloadError.fileSystem(path: path, operation: "hash (\(name))", detail: "OpenSSL could not allocate a digest")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, algorithm, nil) == 1 else {
            throw DownloadError.fileSystem(path: path, operation: "hash (\(name))", detail: "OpenSSL has no \(name)")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DownloadError.fileSystem(path: path, operation: "open", detail: errnoText()) }
        defer { close(descriptor) }
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = limit
        while remaining > 0 {
            let count = read(descriptor, buffer, Int(min(Int64(blockSize), remaining)))
            if count < 0 {
                if errno == EINTR { continue }
                throw DownloadError.fileSystem(path: path, operation: "read", detail: errnoText())
            }
            if count == 0 { break }
            guard EVP_DigestUpdate(context, buffer, count) == 1 else {
                throw DownloadError.fileSystem(path: path, operation: "hash (\(name))", detail: "OpenSSL digest update failed")
            }
            remaining -= Int64(count)
        }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else {
            throw DownloadError.fileSystem(path: path, operation: "hash (\(name))", detail: "OpenSSL digest final failed")
        }
        return hex(output.prefix(Int(length)))
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in bytes { text.append(digits[Int(byte >> 4)]); text.append(digits[Int(byte & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
