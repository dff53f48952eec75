// CheckpointFile: a weights file opened for reading — mapped for its small structured parts, read with pread for tensor data.

import Foundation

/// The file is mapped so the pickles and the zip directory can be parsed in place, but tensor bytes
/// are copied with pread straight into their destination: pages of a mapping that are touched
/// count as resident memory, and reading a checkpoint must stay under twice its size.
final class CheckpointFile {
    let path: String
    let size: Int
    private let descriptor: Int32
    private let mapping: UnsafeMutableRawPointer?

    init(path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else { throw WeightsError.unreadable(path: path, reason: Self.errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw WeightsError.unreadable(path: path, reason: "not a regular file")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw WeightsError.unreadable(path: path, reason: Self.errorText()) }
        self.descriptor = descriptor
        size = Int(info.st_size)
        if size > 0 {
            let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
            guard let mapped, mapped != MAP_FAILED else {
                close(descriptor)
                throw WeightsError.unreadable(path: path, reason: "cannot map: \(Self.errorText())")
            }
            mapping = mapped
        } else {
            mapping = nil
        }
    }

    deinit {
        if let mapping { munmap(mapping, size) }
        close(descriptor)
    }

    /// The mapped bytes of `range`, checked against the file's size.
    func bytes(_ range: Range<Int>, what: String) throws -> UnsafeRawBufferPointer {
        try check(range, what: what)
        guard let mapping else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: mapping + range.lowerBound, count: range.count)
    }

    /// Copies `count` bytes at `offset` into `destination` without touching the mapping.
    func read(into destination: UnsafeMutableRawPointer?, offset: Int, count: Int, what: String) throws {
        try check(offset..<(offset + count), what: what)
        guard count > 0, let destination else { return }
        var done = 0
        while done < count {
            let n = pread(descriptor, destination + done, count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw WeightsError.unreadable(path: path, reason: n < 0 ? Self.errorText() : "file shrank while reading \(what)")
            }
            done += n
        }
    }

    func check(_ range: Range<Int>, what: String) throws {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw WeightsError.badCheckpoint(path: path, reason: "\(what) needs bytes \(range.lowerBound)..<\(range.upperBound)"
                                             + " of a \(size)-byte file (truncated or damaged)")
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
