// TorchCheckpoint: a file written by torch.save — the zip format (torch ≥ 1.6) or the legacy format — as an object tree and its storages.

import Tensors

/// Both formats pickle the saved object with storages replaced by persistent ids, and keep the
/// storages' bytes outside the pickle: in the zip format as entries `<archive>/data/<key>`, in the
/// legacy format after five pickles (magic number, protocol, system info, the object, the storage
/// keys) as an 8-byte element count followed by the raw elements, one storage after another.
final class TorchCheckpoint {
    /// The legacy format's first pickle: 0x1950a86a20f9469cfc6c, little-endian.
    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    let file: CheckpointFile
    private(set) var root: PickleValue = .none
    /// Where each storage's bytes lie in the file.
    private var locations: [String: Range<Int>] = [:]
    /// Every storage the pickle named, by key; a key named twice must agree with itself.
    private var declared: [String: StorageReference] = [:]
    /// Values handed out so far, against a budget of four per byte of file (float16 gives two)
    /// plus 16 M for small files of broadcast views.
    private var outputValues = 0
    private var outputBudget: Int { 4 * file.size + (1 << 24) }

    var path: String { file.path }

    init(path: String) throws {
        file = try CheckpointFile(path: path)
        if ZipDirectory.isZip(file) {
            try readZip()
        } else {
            try readLegacy()
        }
    }

    /// Whether the file starts like either torch format: a zip, or the legacy format's first
    /// pickle (PROTO 2, LONG1 of 10 bytes, the magic number) — two bytes alone could begin a
    /// safetensors header length.
    static func looksLikeTorch(path: String) -> Bool {
        guard let file = try? CheckpointFile(path: path) else { return false }
        if ZipDirectory.isZip(file) { return true }
        guard file.size >= 14, let head = try? file.bytes(0..<14, what: "signature") else { return false }
        return head.prefix(4).elementsEqual([0x80, 0x02, 0x8A, 0x0A]) && head.dropFirst(4).elementsEqual(legacyMagic)
    }

    // MARK: formats

    private func readZip() throws {
        let zip = try ZipDirectory(file)
        let pickles = zip.entries.keys.filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickleName = pickles.first, let pickle = zip.entries[pickleName] else {
            throw WeightsError.badCheckpoint(
                path: path, reason: pickles.isEmpty ? "a zip archive without <archive>/data.pkl: not a torch checkpoint"
                    : "several archives in one zip (\(pickles.sorted().joined(separator: ", ")))")
        }
        let archive = String(pickleName.dropLast("/data.pkl".count))
        if let order = zip.entries[archive + "/byteorder"] {
            let text = String(decoding: try file.bytes(order.offset..<(order.offset + order.size), what: "byteorder"),
                              as: UTF8.self)
            guard text.trimmingSuffixWhitespace == "little" else {
                throw WeightsError.badCheckpoint(path: path, reason: "byte order `\(text)`; only little-endian files are read")
            }
        }
        root = try unpickle(at: pickle.offset, length: pickle.size).value
        for (key, storage) in declared {
            guard let entry = zip.entries[archive + "/data/" + key] else {
                throw WeightsError.badCheckpoint(path: path, reason: "storage `\(key)` has no entry \(archive)/data/\(key)")
            }
            let needed = storage.count * storage.type.size
            guard entry.size >= needed else {
                throw WeightsError.badCheckpoint(
                    path: path, reason: "storage `\(key)` declares \(storage.count) \(storage.type.rawValue) values"
                        + " (\(needed) bytes) but its entry has \(entry.size) bytes")
            }
            locations[key] = entry.offset..<(entry.offset + entry.size)
        }
    }

    private func readLegacy() throws {
        var at = 0
        let magic = try unpickle(at: at)
        guard case let .bigInt(digits) = magic.value, digits == Self.legacyMagic else {
            throw WeightsError.badCheckpoint(path: path, reason: "neither a zip archive nor a legacy torch file"
                                             + " (no torch magic number); is it a .pth written by torch.save?")
        }
        at += magic.length
        let version = try unpickle(at: at)
        guard case .int(1001) = version.value else {
            throw WeightsError.badCheckpoint(path: path, reason: "legacy protocol \(version.value.kind), expected 1001")
        }
        at += version.length
        let system = try unpickle(at: at)
        if case let .dict(info) = system.value, case .bool(false)? = info["little_endian"] {
            throw WeightsError.badCheckpoint(path: path, reason: "written on a big-endian machine; only little-endian files are read")
        }
        at += system.length
        let object = try unpickle(at: at)
        root = object.value
        at += object.length
        let keyList = try unpickle(at: at)
        at += keyList.length
        guard case let .list(keys) = keyList.value else {
            throw WeightsError.badCheckpoint(path: path, reason: "the storage key list is a \(keyList.value.kind)")
        }
        for item in keys.items {
            guard case let .string(key) = item, let storage = declared[key] else {
                throw WeightsError.badCheckpoint(path: path, reason: "storage key \(item.kind) `\(item)` is not used by any tensor")
            }
            var count: Int64 = 0
            try withUnsafeMutableBytes(of: &count) {
                try file.read(into: $0.baseAddress, offset: at, count: 8, what: "size of storage `\(key)`")
            }
            at += 8
            let stored = Int(Int64(littleEndian: count))
            guard stored == storage.count, stored <= (file.size - at) / storage.type.size else {
                throw WeightsError.badCheckpoint(
                    path: path, reason: "storage `\(key)` holds \(stored) values where \(storage.count) are declared"
                        + " and \((file.size - at) / storage.type.size) fit in the rest of the file")
            }
            locations[key] = at..<(at + stored * storage.type.size)
            at += stored * storage.type.size
        }
        for key in declared.keys where locations[key] == nil {
            throw WeightsError.badCheckpoint(path: path, reason: "storage `\(key)` is used but not in the file's key list")
        }
    }

    private func unpickle(at offset: Int, length: Int? = nil) throws -> (value: PickleValue, length: Int) {
        let bytes = try file.bytes(offset..<(offset + (length ?? (file.size - offset))), what: "pickle")
        var unpickler = Unpickler(bytes: bytes, path: path, base: offset) { [unowned self] id in
            try self.storage(for: id)
        }
        return try unpickler.load()
    }

    /// torch's persistent id: ('storage', storage type, key, location, element count[, view]).
    private func storage(for id: PickleValue) throws -> PickleValue {
        guard case let .tuple(fields, _) = id, fields.count == 5 || fields.count == 6,
              case .string("storage") = fields[0], case let .global(type) = fields[1], let storageType = type.storageType,
              case let .string(key) = fields[2], case let .int(count) = fields[4],
              count >= 0, count <= file.size / storageType.size else {
            throw WeightsError.badCheckpoint(path: path, reason: "a persistent id that is not a storage of a known type"
                                             + " within the file's size: \(Self.describe(id))")
        }
        var reference = StorageReference(key: key, type: storageType, count: count)
        if fields.count == 6, case let .tuple(view, _) = fields[5] {
            // Pre-0.4 storage views: (view key, offset, size) into the root storage of `count` values.
            guard view.count == 3, case let .int(offset) = view[1], case let .int(size) = view[2],
                  offset >= 0, size >= 0, offset <= count - size else {
                throw WeightsError.badCheckpoint(path: path, reason: "storage view \(Self.describe(fields[5])) of `\(key)`")
            }
            reference.offset = offset
            reference.count = size
        }
        if let known = declared[key], known.type != storageType || known.count != count {
            throw WeightsError.badCheckpoint(path: path, reason: "storage `\(key)` is named as \(known.count)"
                                             + " \(known.type.rawValue) and as \(count) \(storageType.rawValue) values")
        }
        declared[key] = StorageReference(key: key, type: storageType, count: count)
        return .storage(reference)
    }

    private static func describe(_ value: PickleValue) -> String {
        switch value {
        case let .tuple(items, _): return "(" + items.map(describe).joined(separator: ", ") + ")"
        case let .string(s): return "'\(s)'"
        case let .int(i): return String(i)
        default: return value.kind
        }
    }

    // MARK: tensors

    /// The values of a strided view, converted to Float32, with the stored element type.
    func tensor(_ reference: TensorReference, key: String) throws -> (tensor: Tensor, dtype: SafeTensors.DType) {
        let storage = reference.storage
        func bad(_ reason: String) -> WeightsError { .badTensor(path: path, key: key, reason: reason) }
        guard let location = locations[storage.key] else { throw bad("storage `\(storage.key)` has no bytes in the file") }
        let (count, last) = try Self.extent(of: reference, bad)
        // An empty view reads nothing; returning before the offset arithmetic keeps a huge offset
        // on an empty shape from overflowing.
        if count == 0 { return (Tensor(shape: reference.shape, data: []), storage.type) }
        // Stride-0 views may repeat one stored value without bound; the output is budgeted.
        outputValues += count
        guard outputValues <= outputBudget else {
            throw bad("the views so far expand to \(outputValues) values, more than \(outputBudget) for a"
                      + " \(file.size)-byte file")
        }
        guard reference.offset >= 0, last < storage.count else {
            throw bad("view (offset \(reference.offset), shape \(reference.shape), strides \(reference.strides)) reaches"
                      + " element \(last) of a \(storage.count)-element storage")
        }
        let elementSize = storage.type.size
        let first = location.lowerBound + (storage.offset + reference.offset) * elementSize
        let dtype = storage.type
        if Self.isRowMajor(reference) && dtype == .f32 {
            return (try readContiguous(shape: reference.shape, at: first, count: count, key: key), dtype)
        }
        let span = count == 0 ? 0 : last - reference.offset + 1
        var raw = [UInt8](repeating: 0, count: span * elementSize)
        try raw.withUnsafeMutableBytes {
            try file.read(into: $0.baseAddress, offset: first, count: $0.count, what: "tensor `\(key)`")
        }
        let shape = reference.shape
        let tensor = raw.withUnsafeBytes { bytes in
            Tensor(uninitializedShape: shape) { out in
                Self.gather(bytes, type: storage.type, shape: shape, strides: reference.strides, into: out)
            }
        }
        return (tensor, dtype)
    }

    /// The view's element count and the storage index of its last element, both checked for overflow.
    private static func extent(of reference: TensorReference,
                               _ bad: (String) -> WeightsError) throws -> (count: Int, last: Int) {
        var count = 1
        var last = reference.offset
        for (size, stride) in zip(reference.shape, reference.strides) {
            guard size >= 0, stride >= 0 else { throw bad("negative size or stride in \(reference.shape) / \(reference.strides)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Int(Int32.max) else { throw bad("shape \(reference.shape) is too large") }
            count = product
            if size > 0 {
                let (reach, o1) = (size - 1).multipliedReportingOverflow(by: stride)
                let (end, o2) = last.addingReportingOverflow(reach)
                guard !o1, !o2 else { throw bad("strides \(reference.strides) overflow") }
                last = end
            }
        }
        return (count, last)
    }

    /// Row-major exactly when each stride is the product of the later sizes (size-1 axes aside).
    private static func isRowMajor(_ reference: TensorReference) -> Bool {
        var expectedStride = 1
        var contiguous = true
        for (size, stride) in zip(reference.shape, reference.strides).reversed() where size != 1 {
            if stride != expectedStride { contiguous = false }
            expectedStride *= size
        }
        return contiguous
    }

    /// Float32 values stored in row-major order, read straight into the tensor.
    private func readContiguous(shape: [Int], at first: Int, count: Int, key: String) throws -> Tensor {
        var failure: Error?
        let tensor = Tensor(uninitializedShape: shape) { pointer in
            do {
                try file.read(into: pointer, offset: first, count: count * 4, what: "tensor `\(key)`")
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return tensor
    }

    /// Row-major copy of a strided view whose first element is at byte 0 of `bytes`.
    private static func gather(_ bytes: UnsafeRawBufferPointer, type: SafeTensors.DType, shape: [Int], strides: [Int],
                               into out: UnsafeMutablePointer<Float>) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        var index = [Int](repeating: 0, count: shape.count)
        var source = 0
        for i in 0..<count {
            out[i] = type.value(in: bytes, at: source)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                source += strides[axis]
                if index[axis] < shape[axis] { break }
                source -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

private extension String {
    var trimmingSuffixWhitespace: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
