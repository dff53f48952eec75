// SafeTensors: reads and writes the safetensors format, treating every input file as hostile.

import Foundation
import Tensors

/// Layout: an 8-byte little-endian header length, a JSON header mapping each key to its dtype,
/// shape and byte range, then the raw little-endian data. Every number in the header is checked
/// against the file before any tensor byte is read.
public struct SafeTensors {
    public enum DType: String, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32"

        var size: Int {
            switch self {
            case .f16, .bf16: return 2
            case .f32, .i32: return 4
            case .f64, .i64: return 8
            }
        }

        /// Element `element` of little-endian `bytes`, as Float32.
        func value(in bytes: UnsafeRawBufferPointer, at element: Int) -> Float {
            let at = element * size
            switch self {
            case .f32: return Float(bitPattern: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian)
            case .f64: return Float(Double(bitPattern: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian))
            case .f16: return Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self).littleEndian))
            case .bf16:
                return Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self).littleEndian) << 16)
            case .i64: return Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
            case .i32: return Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            }
        }
    }

    /// Values converted to Float32 whatever their stored dtype; `dtypes` keeps the stored one.
    public var tensors: [String: Tensor]
    public var dtypes: [String: DType]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], dtypes: [String: DType] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.dtypes = dtypes
        self.metadata = metadata
    }

    public static let maxHeaderBytes = 100 << 20

    public static func read(path: String) throws -> SafeTensors {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw WeightsError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String = "<memory>") throws -> SafeTensors {
        guard data.count >= 8 else { throw WeightsError.truncated(path: path, needed: 8, actual: data.count) }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw WeightsError.badHeader(path: path, reason: "header claims \(headerLength) bytes (limit \(maxHeaderBytes))")
        }
        let headerEnd = 8 + Int(headerLength)
        guard data.count >= headerEnd else {
            throw WeightsError.truncated(path: path, needed: headerEnd, actual: data.count)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))
        } catch {
            throw WeightsError.badHeader(path: path, reason: "header is not JSON")
        }
        guard let header = object as? [String: Any] else {
            throw WeightsError.badHeader(path: path, reason: "header is not a JSON object")
        }
        let dataLength = data.count - headerEnd
        var result = SafeTensors()
        var ranges: [(begin: Int, end: Int, key: String)] = []
        for (key, value) in header.sorted(by: { $0.key < $1.key }) {
            if key == "__metadata__" {
                guard let pairs = value as? [String: String] else {
                    throw WeightsError.badHeader(path: path, reason: "__metadata__ must map strings to strings")
                }
                result.metadata = pairs
                continue
            }
            let entry = try Entry(key: key, value: value, path: path)
            guard entry.end <= dataLength else {
                throw WeightsError.truncated(path: path, needed: headerEnd + entry.end, actual: data.count)
            }
            ranges.append((entry.begin, entry.end, key))
            result.tensors[key] = data.withUnsafeBytes { raw in
                entry.decode(UnsafeRawBufferPointer(rebasing: raw[(headerEnd + entry.begin)..<(headerEnd + entry.end)]))
            }
            result.dtypes[key] = entry.dtype
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.begin < previous.end {
            throw WeightsError.badTensor(path: path, key: next.key, reason: "its bytes overlap those of `\(previous.key)`")
        }
        return result
    }

    /// One header entry, validated.
    private struct Entry {
        let dtype: DType
        let shape: [Int]
        let begin: Int
        let end: Int

        init(key: String, value: Any, path: String) throws {
            func bad(_ reason: String) -> WeightsError { .badTensor(path: path, key: key, reason: reason) }
            guard let fields = value as? [String: Any] else { throw bad("entry is not a JSON object") }
            guard let dtypeName = fields["dtype"] as? String else { throw bad("no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw WeightsError.unsupportedDType(path: path, key: key, dtype: dtypeName)
            }
            guard let shapeValues = fields["shape"] as? [Any] else { throw bad("no shape list") }
            var shape: [Int] = []
            var count = 1
            for dimension in shapeValues {
                guard let d = Self.integer(dimension), d >= 0, d <= Int(Int32.max) else {
                    throw bad("shape \(shapeValues) has a dimension that is not a non-negative integer")
                }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= Int(Int32.max) else { throw bad("shape \(shapeValues) is too large") }
                count = product
                shape.append(d)
            }
            guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = Self.integer(offsets[0]), let end = Self.integer(offsets[1]),
                  begin >= 0, end >= begin else {
                throw bad("data_offsets must be [begin, end] with 0 ≤ begin ≤ end")
            }
            guard end - begin == count * dtype.size else {
                throw bad("shape \(shape) of \(dtype.rawValue) needs \(count * dtype.size) bytes, offsets give \(end - begin)")
            }
            (self.dtype, self.shape, self.begin, self.end) = (dtype, shape, begin, end)
        }

        private static func integer(_ value: Any) -> Int? {
            if let integer = value as? Int { return integer }
            guard let number = value as? NSNumber else { return nil }
            let real = number.doubleValue
            guard real == real.rounded(), abs(real) < 9_007_199_254_740_992 else { return nil }
            return Int(real)
        }

        func decode(_ bytes: UnsafeRawBufferPointer) -> Tensor {
            let count = bytes.count / dtype.size
            return Tensor(shape: shape, data: (0..<count).map { dtype.value(in: bytes, at: $0) })
        }
    }

    /// The file's bytes: F32 for every tensor except those listed in `dtypes` as I64.
    public func serialized() -> Data {
        var output = Data()
        writeChunks { output.append(contentsOf: $0) }
        return output
    }

    /// The header, then each tensor's bytes in key order, handed over one piece at a time so a
    /// large file is never held twice in memory.
    private func writeChunks(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let keys = tensors.keys.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for key in keys {
            guard let tensor = tensors[key] else { continue }
            let dtype: DType = dtypes[key] == .i64 ? .i64 : .f32
            let size = tensor.count * dtype.size
            header[key] = ["dtype": dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        try withUnsafeBytes(of: UInt64(json.count).littleEndian) { try write($0) }
        try json.withUnsafeBytes { try write($0) }
        for key in keys {
            guard let tensor = tensors[key] else { continue }
            if dtypes[key] == .i64 {
                // Counters travel as Float; a value beyond Int64's range (from a hostile file) is clamped, not trapped on.
                let values = tensor.data.map { value -> Int64 in
                    guard value.isFinite else { return 0 }
                    return (value >= 9.2e18 ? Int64.max : value <= -9.2e18 ? Int64.min : Int64(value)).littleEndian
                }
                try values.withUnsafeBytes { try write($0) }
            } else {
                // Float32 is stored little-endian, which is this machine's order.
                try tensor.data.withUnsafeBytes { try write($0) }
            }
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(descriptor, base + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
            done += n
        }
    }

    /// Writes atomically: a temporary file beside `path`, flushed to disk, then renamed over it.
    public func write(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(temporary.path)"])
            }
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try writeChunks { try Self.writeAll(handle.fileDescriptor, $0) }
                try handle.synchronize()
            } catch {
                try? handle.close()
                throw error
            }
            try handle.close()
            // rename(2) replaces an existing file atomically; readers see the old or the new file.
            guard rename(temporary.path, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WeightsError.unreadable(path: path, reason: "cannot write: \((error as NSError).localizedDescription)")
        }
    }
}
