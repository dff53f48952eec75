// DecodeCache: every image decoded and prepared once into one file of fixed-size uint8 RGB records (≤ size × maxPreparedSide × 3), memory-mapped by later epochs.

import Dispatch
import Diagnostics
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoding a JPEG costs far more than augmenting the small image it becomes, and the result is
/// the same every epoch, so it is done once. The file is named by a hash of what determines its
/// contents — the file list, each file's size and mtime, the resize settings — so editing, adding
/// or touching an image, or changing the size or method, builds a new one. It is written to a
/// temporary name and renamed, so a crash never leaves a half-written cache under the real name.
///
/// Layout (little-endian): 64-byte header (magic, key, count, size, longest side, records
/// offset, trailer offset, trailer length), one status byte per item, each item's width and
/// height (two u32), then one fixed-size slot per item (a `.crop` image keeps part of its longer
/// side, so prepared images differ in shape), then a JSON trailer listing the skipped files and why.
public final class DecodeCache: PreparedImageSource, @unchecked Sendable {
    public enum BadFilePolicy: String, Sendable {
        /// Leave bad files out, counted and listed in `skipped`.
        case skip
        /// Stop before training, naming every bad file.
        case fail
    }

    static let magic: [UInt8] = Array("RUNRDCC2".utf8)
    static let headerSize = 64

    public let file: String
    public let paths: [String]
    public let size: Int
    /// True when this call decoded the images, false when an existing cache was mapped.
    public let wasBuilt: Bool
    public let skipped: [DataError.BadFile]
    /// Positions of the images that decoded, for `BatchLoader(indices:)`.
    public let usableIndices: [Int]

    private let mapping: UnsafeRawPointer
    private let mappingLength: Int
    private let recordsOffset: Int
    private let recordSize: Int
    private let dimensionsOffset: Int

    public var count: Int { paths.count }

    /// Maps the cache for `paths` under `transforms` from `directory`, building it first if it is
    /// missing or stale.
    public static func open(paths: [String], transforms: Transforms, directory: String,
                            policy: BadFilePolicy = .skip, threads: Int = 2) throws -> DecodeCache {
        let key = cacheKey(paths: paths, transforms: transforms)
        let file = (directory as NSString).appendingPathComponent(String(format: "decode-%016llx.bin", key))
        var cache = try? DecodeCache(file: file, paths: paths, transforms: transforms, key: key, built: false)
        if cache == nil {
            try build(file: file, paths: paths, transforms: transforms, key: key, threads: threads)
            cache = try DecodeCache(file: file, paths: paths, transforms: transforms, key: key, built: true)
        }
        guard let cache else { throw DataError.cacheInvalid(path: file, detail: "not readable after it was built") }
        // Every file is decoded before this point, so `fail` names all bad files, not the first one met.
        if policy == .fail, !cache.skipped.isEmpty {
            throw DataError.badFiles(cache.skipped.map { DataError.BadFile(path: $0.path, reason: $0.reason) })
        }
        return cache
    }

    /// FNV-1a over everything that decides the records' bytes.
    static func cacheKey(paths: [String], transforms: Transforms) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        }
        mix("decode-cache v2 size=\(transforms.size) longest=\(transforms.maxPreparedSide) resize=\(transforms.resize.name)"
            + (transforms.maxPixels == ImageDecoder.defaultMaxPixels ? "" : " max_pixels=\(transforms.maxPixels)"))
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0 {
                mix("\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
            } else {
                mix("\(path) missing")
            }
        }
        return hash
    }

    private init(file: String, paths: [String], transforms: Transforms, key: UInt64, built: Bool) throws {
        let size = transforms.size, longest = transforms.maxPreparedSide
        let recordSize = size * longest * 3
        let fd = Glibc.open(file, O_RDONLY)
        guard fd >= 0 else { throw DataError.cacheInvalid(path: file, detail: "cannot open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= DecodeCache.headerSize else {
            throw DataError.cacheInvalid(path: file, detail: "shorter than its header")
        }
        let length = Int(info.st_size)
        guard let raw = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), raw != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw DataError.cacheInvalid(path: file, detail: "cannot map")
        }
        let base = UnsafeRawPointer(raw)
        func u64(_ offset: Int) -> Int { Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))) }
        func u32(_ offset: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        let magicMatches = (0..<8).allSatisfy { base.load(fromByteOffset: $0, as: UInt8.self) == DecodeCache.magic[$0] }
        let recordsOffset = u64(32), trailerOffset = u64(40), trailerLength = u64(48)
        guard magicMatches, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) == key,
              u64(16) == paths.count, u32(24) == size, u32(28) == longest,
              recordsOffset >= DecodeCache.headerSize + 9 * paths.count,
              trailerOffset == recordsOffset + paths.count * recordSize,
              trailerOffset + trailerLength == length else {
            munmap(raw, length)
            throw DataError.cacheInvalid(path: file, detail: "header does not match the image list or settings")
        }
        let trailer = Data(bytes: base + trailerOffset, count: trailerLength)
        guard let skipped = try? JSONDecoder().decode([DataError.BadFile].self, from: trailer) else {
            munmap(raw, length)
            throw DataError.cacheInvalid(path: file, detail: "unreadable list of skipped files")
        }
        self.file = file
        self.paths = paths
        self.size = size
        self.wasBuilt = built
        self.skipped = skipped
        self.usableIndices = (0..<paths.count).filter { base.load(fromByteOffset: DecodeCache.headerSize + $0, as: UInt8.self) == 1 }
        self.mapping = base
        self.mappingLength = length
        self.recordsOffset = recordsOffset
        self.recordSize = recordSize
        self.dimensionsOffset = DecodeCache.headerSize + paths.count
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping), mappingLength)
    }

    public func preparedImage(at index: Int) throws -> RGBImage {
        guard mapping.load(fromByteOffset: DecodeCache.headerSize + index, as: UInt8.self) == 1 else {
            let reason = skipped.first { $0.path == paths[index] }?.reason ?? "it could not be decoded"
            throw DataError.corrupt(path: paths[index], detail: "skipped by the decode cache: \(reason)")
        }
        let dimensions = dimensionsOffset + 8 * index
        let width = Int(UInt32(littleEndian: mapping.loadUnaligned(fromByteOffset: dimensions, as: UInt32.self)))
        let height = Int(UInt32(littleEndian: mapping.loadUnaligned(fromByteOffset: dimensions + 4, as: UInt32.self)))
        guard width * height * 3 <= recordSize else {
            throw DataError.cacheInvalid(path: file, detail: "record \(index) claims \(width)×\(height) pixels")
        }
        let start = mapping + recordsOffset + index * recordSize
        let pixels = [UInt8](UnsafeRawBufferPointer(start: start, count: width * height * 3))
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func build(file: String, paths: [String], transforms: Transforms, key: UInt64,
                              threads: Int) throws {
        let directory = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError.writeFailed(path: directory, detail: "cannot create the cache folder: "
                                        + (FileSystemError.reason(error) ?? "\(error)"))
        }
        let temporary = file + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = Glibc.open(temporary, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DataError.writeFailed(path: temporary, detail: String(cString: strerror(errno))) }
        var closed = false
        defer {
            if !closed { close(fd) }
            unlink(temporary)
        }
        let layout = Layout(count: paths.count, transforms: transforms)
        let records = try writeRecords(fd: fd, temporary: temporary, paths: paths, transforms: transforms,
                                       layout: layout, threads: threads)
        try writeIndex(fd: fd, temporary: temporary, paths: paths, transforms: transforms, key: key, layout: layout,
                       records: records)
        close(fd)
        closed = true
        guard rename(temporary, file) == 0 else {
            throw DataError.writeFailed(path: file, detail: String(cString: strerror(errno)))
        }
    }

    /// Where the parts of a cache file for `count` images go.
    private struct Layout {
        var count: Int
        var recordSize: Int
        var recordsOffset: Int
        var trailerOffset: Int { recordsOffset + count * recordSize }

        init(count: Int, transforms: Transforms) {
            self.count = count
            recordSize = transforms.size * transforms.maxPreparedSide * 3
            recordsOffset = (DecodeCache.headerSize + 9 * count + 63) / 64 * 64
        }
    }

    /// What `writeRecords` learnt of each image: status byte 1 and its dimensions, or why it failed.
    private struct Records {
        var status: [UInt8]
        var dimensions: [UInt32]
        var errors: [Error?]
    }

    /// Decodes every image into its slot.
    private static func writeRecords(fd: Int32, temporary: String, paths: [String], transforms: Transforms,
                                     layout: Layout, threads: Int) throws -> Records {
        let n = paths.count
        let recordSize = layout.recordSize, recordsOffset = layout.recordsOffset
        var status = [UInt8](repeating: 0, count: n)
        var dimensions = [UInt32](repeating: 0, count: 2 * n)
        var errors = [Error?](repeating: nil, count: n)
        var writeFailure: String?
        let lock = NSLock()
        // Chunks bound the memory in flight while keeping every worker busy.
        let chunk = max(1, threads) * 16
        var start = 0
        while start < n {
            let end = min(n, start + chunk)
            let workers = max(1, min(threads, end - start))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in Swift.stride(from: start + worker, to: end, by: workers) {
                    do {
                        let image = try transforms.decodeAndPrepare(path: paths[i])
                        let bytes = image.pixels.count
                        let written = bytes <= recordSize
                            ? image.pixels.withUnsafeBytes { pwrite(fd, $0.baseAddress, bytes, off_t(recordsOffset + i * recordSize)) }
                            : -1
                        lock.lock()
                        if written == bytes {
                            status[i] = 1
                            dimensions[2 * i] = UInt32(image.width).littleEndian
                            dimensions[2 * i + 1] = UInt32(image.height).littleEndian
                        } else {
                            writeFailure = "record \(i) (\(paths[i])) did not fit or could not be written"
                        }
                        lock.unlock()
                    } catch {
                        lock.lock()
                        errors[i] = error
                        lock.unlock()
                    }
                }
            }
            if let writeFailure { throw DataError.writeFailed(path: temporary, detail: writeFailure) }
            start = end
        }
        return Records(status: status, dimensions: dimensions, errors: errors)
    }

    /// Everything around the records: header, status bytes, dimensions and the trailer; then the
    /// file's final length, flushed to disk.
    private static func writeIndex(fd: Int32, temporary: String, paths: [String], transforms: Transforms, key: UInt64,
                                   layout: Layout, records: Records) throws {
        let n = paths.count
        let skipped = (0..<n).compactMap { i in records.errors[i].map { DataError.BadFile(path: paths[i], reason: "\($0)") } }
        let trailer: Data
        // Sorted keys: the same images give the same cache file in every process.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do { trailer = try encoder.encode(skipped) } catch {
            throw DataError.writeFailed(path: temporary, detail: "cannot encode the skipped list")
        }
        let trailerOffset = layout.trailerOffset
        let header = headerBytes(key: key, transforms: transforms, layout: layout, trailerLength: trailer.count)
        let ok = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, headerSize, 0) } == headerSize
            && records.status.withUnsafeBytes { pwrite(fd, $0.baseAddress, n, off_t(headerSize)) } == n
            && records.dimensions.withUnsafeBytes { pwrite(fd, $0.baseAddress, 8 * n, off_t(headerSize + n)) } == 8 * n
            && trailer.withUnsafeBytes { pwrite(fd, $0.baseAddress, trailer.count, off_t(trailerOffset)) } == trailer.count
            && ftruncate(fd, off_t(trailerOffset + trailer.count)) == 0
            && fsync(fd) == 0
        guard ok else { throw DataError.writeFailed(path: temporary, detail: String(cString: strerror(errno))) }
    }

    private static func headerBytes(key: UInt64, transforms: Transforms, layout: Layout, trailerLength: Int) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: headerSize)
        func put(_ value: UInt64, _ offset: Int) { for b in 0..<8 { header[offset + b] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(b))) } }
        func put32(_ value: UInt32, _ offset: Int) { for b in 0..<4 { header[offset + b] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(b))) } }
        header.replaceSubrange(0..<8, with: magic)
        put(key, 8)
        put(UInt64(layout.count), 16)
        put32(UInt32(transforms.size), 24)
        put32(UInt32(transforms.maxPreparedSide), 28)
        put(UInt64(layout.recordsOffset), 32)
        put(UInt64(layout.trailerOffset), 40)
        put(UInt64(trailerLength), 48)
        return header
    }
}
