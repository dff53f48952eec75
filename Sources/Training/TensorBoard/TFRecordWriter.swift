// TFRecordWriter: appends records to a file in TensorFlow's framing — length, its masked CRC-32C, payload, its masked CRC-32C.

import Foundation

/// Each record is one `write` of its whole frame and the file is flushed after it, so TensorBoard
/// reading the file while training goes on sees whole records only.
final class TFRecordWriter {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    deinit {
        try? handle.close()
    }

    func write(_ payload: [UInt8]) throws {
        try handle.write(contentsOf: Self.frame(payload))
    }

    static func frame(_ payload: [UInt8]) -> Data {
        var frame = Data()
        let length = withUnsafeBytes(of: UInt64(payload.count).littleEndian) { Array($0) }
        frame.append(contentsOf: length)
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        withUnsafeBytes(of: CRC32C.masked(payload).littleEndian) { frame.append(contentsOf: $0) }
        return frame
    }
}

/// Reads the records back, checking both CRCs of each (for tests and for tools that read the logs).
public enum TFRecordReader {
    public enum ReadError: Error, CustomStringConvertible, Equatable {
        case truncated(offset: Int)
        case badChecksum(offset: Int, what: String)

        public var description: String {
            switch self {
            case let .truncated(offset): return "TFRecord file ends inside a record at byte \(offset)"
            case let .badChecksum(offset, what): return "TFRecord \(what) checksum mismatch at byte \(offset)"
            }
        }
    }

    public static func records(_ data: Data) throws -> [[UInt8]] {
        let bytes = [UInt8](data)
        var records: [[UInt8]] = []
        var offset = 0
        func word<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            bytes[at..<at + MemoryLayout<T>.size].reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw ReadError.truncated(offset: offset) }
            let length = Int(word(offset, UInt64.self))
            guard word(offset + 8, UInt32.self) == CRC32C.masked(bytes[offset..<offset + 8]) else {
                throw ReadError.badChecksum(offset: offset, what: "length")
            }
            let start = offset + 12
            guard length <= bytes.count - start - 4 else { throw ReadError.truncated(offset: offset) }
            let payload = Array(bytes[start..<start + length])
            guard word(start + length, UInt32.self) == CRC32C.masked(payload) else {
                throw ReadError.badChecksum(offset: offset, what: "payload")
            }
            records.append(payload)
            offset = start + length + 4
        }
        return records
    }
}
