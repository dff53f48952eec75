// ZipDirectory: the entries of a zip archive as torch.save writes it (stored, uncompressed), from its central directory, ZIP64 included.

/// Reads the end-of-central-directory record (and the ZIP64 record when the counts or offsets
/// overflow 32 bits), then each central entry and its local header, so that every entry is known
/// as a byte range of the file. Only stored entries are accepted: torch.save never compresses.
struct ZipDirectory {
    struct Entry {
        var name: String
        /// Where the entry's bytes start in the file, and how many there are.
        var offset: Int
        var size: Int
    }

    private(set) var entries: [String: Entry] = [:]

    static func isZip(_ file: CheckpointFile) -> Bool {
        guard file.size >= 4, let head = try? file.bytes(0..<4, what: "signature") else { return false }
        return head.elementsEqual([0x50, 0x4B, 0x03, 0x04])
    }

    init(_ file: CheckpointFile) throws {
        let (count, directorySize, directoryOffset) = try Self.directoryExtent(file)
        let directory = try file.bytes(directoryOffset..<(directoryOffset + directorySize), what: "zip central directory")
        var at = 0
        for _ in 0..<count {
            let (entry, next) = try Self.entry(in: directory, at: at, number: entries.count, file: file)
            entries[entry.name] = entry
            at = next
        }
    }

    /// The central directory's entry count, size and offset: from the end record, or from the ZIP64
    /// record when one of them overflows.
    private static func directoryExtent(_ file: CheckpointFile) throws -> (count: Int, size: Int, offset: Int) {
        // The end record sits in the last 22 bytes plus at most a 65535-byte comment.
        let tailStart = max(0, file.size - 22 - 65_535)
        let tail = try file.bytes(tailStart..<file.size, what: "zip end record")
        guard tail.count >= 22,
              let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { i in
                  u32(tail, i) == 0x0605_4B50
              }) else {
            throw bad(file, "no end-of-central-directory record (truncated file?)")
        }
        let count = Int(u16(tail, end + 10))
        let size = Int(u32(tail, end + 12))
        let offset = Int(u32(tail, end + 16))
        guard count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF else { return (count, size, offset) }
        return try zip64Extent(file, locator: tailStart + end - 20)
    }

    private static func zip64Extent(_ file: CheckpointFile, locator: Int) throws -> (count: Int, size: Int, offset: Int) {
        let record = try file.bytes(max(0, locator)..<(locator + 20), what: "ZIP64 locator")
        guard u32(record, 0) == 0x0706_4B50 else { throw bad(file, "ZIP64 sizes without a ZIP64 locator") }
        let recordOffset = u64(record, 8)
        guard recordOffset < UInt64(file.size) else { throw bad(file, "ZIP64 record offset beyond the file") }
        let zip64 = try file.bytes(Int(recordOffset)..<(Int(recordOffset) + 56), what: "ZIP64 end record")
        guard u32(zip64, 0) == 0x0606_4B50 else { throw bad(file, "no ZIP64 end record where the locator points") }
        let values = [u64(zip64, 32), u64(zip64, 40), u64(zip64, 48)]
        guard values.allSatisfy({ $0 <= UInt64(file.size) }) else { throw bad(file, "ZIP64 counts beyond the file's size") }
        return (Int(values[0]), Int(values[1]), Int(values[2]))
    }

    /// The central entry at `at` (the `number`th name read so far, for messages), located through its
    /// local header; returns it and where the next central entry starts.
    private static func entry(in directory: UnsafeRawBufferPointer, at: Int, number: Int,
                              file: CheckpointFile) throws -> (entry: Entry, next: Int) {
        guard at + 46 <= directory.count, u32(directory, at) == 0x0201_4B50 else {
            throw bad(file, "central directory entry \(number) is damaged")
        }
        let method = u16(directory, at + 10)
        var compressed = UInt64(u32(directory, at + 20))
        var size = UInt64(u32(directory, at + 24))
        let nameLength = Int(u16(directory, at + 28))
        let extraLength = Int(u16(directory, at + 30))
        let commentLength = Int(u16(directory, at + 32))
        var local = UInt64(u32(directory, at + 42))
        let next = at + 46 + nameLength + extraLength + commentLength
        guard next <= directory.count else { throw bad(file, "central directory entry \(number) runs past its end") }
        let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
        readZip64Extra(directory, at: at + 46 + nameLength, length: extraLength, size: &size, compressed: &compressed,
                       local: &local)
        guard method == 0 else {
            throw bad(file, "entry `\(name)` is compressed (method \(method)); torch.save writes stored entries — load and re-save it with torch.save")
        }
        guard compressed == size, local < UInt64(file.size), size <= UInt64(file.size) else {
            throw bad(file, "entry `\(name)` claims \(size) bytes at offset \(local) in a \(file.size)-byte file")
        }
        let header = try file.bytes(Int(local)..<(Int(local) + 30), what: "local header of `\(name)`")
        guard u32(header, 0) == 0x0403_4B50 else { throw bad(file, "entry `\(name)` has no local header at \(local)") }
        let start = Int(local) + 30 + Int(u16(header, 26)) + Int(u16(header, 28))
        try file.check(start..<(start + Int(size)), what: "entry `\(name)`")
        return (Entry(name: name, offset: start, size: Int(size)), next)
    }

    /// The ZIP64 extra field holds the 64-bit values of whichever fields hold 0xFFFFFFFF, in this order.
    private static func readZip64Extra(_ directory: UnsafeRawBufferPointer, at start: Int, length extraLength: Int,
                                       size: inout UInt64, compressed: inout UInt64, local: inout UInt64) {
        var extra = start
        let extraEnd = extra + extraLength
        while extra + 4 <= extraEnd {
            let id = u16(directory, extra), length = Int(u16(directory, extra + 2))
            guard extra + 4 + length <= extraEnd else { break }
            if id == 0x0001 {
                var field = extra + 4
                if size == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { size = u64(directory, field); field += 8 }
                if compressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + length {
                    compressed = u64(directory, field); field += 8
                }
                if local == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { local = u64(directory, field) }
            }
            extra += 4 + length
        }
    }

    private static func bad(_ file: CheckpointFile, _ reason: String) -> WeightsError {
        .badCheckpoint(path: file.path, reason: "zip archive: " + reason)
    }

    private static func u16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func u32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16
    }
    private static func u64(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
