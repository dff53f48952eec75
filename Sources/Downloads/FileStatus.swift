// FileStatus: the stat(2) facts Downloads relies on (size, mtime, identity), plus the errno text for messages.

import Foundation

public struct FileStatus: Equatable, Sendable {
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var isRegularFile: Bool
    var device: UInt64
    var inode: UInt64

    init(_ raw: stat) {
        size = Int64(raw.st_size)
        mtimeNanoseconds = Int64(raw.st_mtim.tv_sec) * 1_000_000_000 + Int64(raw.st_mtim.tv_nsec)
        isRegularFile = raw.st_mode & S_IFMT == S_IFREG
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
    }

    /// nil when nothing is at `path`; follows symlinks, so a linked-in file counts as the file.
    public static func of(_ path: String) throws -> FileStatus? {
        var raw = stat()
        if stat(path, &raw) == 0 { return FileStatus(raw) }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw DownloadError.fileSystem(path: path, operation: "inspect", detail: errnoText())
    }

    static func of(descriptor: Int32, path: String) throws -> FileStatus {
        var raw = stat()
        guard fstat(descriptor, &raw) == 0 else {
            throw DownloadError.fileSystem(path: path, operation: "inspect", detail: errnoText())
        }
        return FileStatus(raw)
    }
}

/// The current errno as text, e.g. "No space left on device".
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
