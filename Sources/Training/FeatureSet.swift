// FeatureSet: one feature row per item — a frozen prefix's output for each train and valid image — mapped from disk.
//   row: (C, H, W) floats, C·H·W = rowCount

import Foundation
import Tensors

/// Rows are stored in the order features were computed (train items, then valid items); `rowOfItem`
/// finds an item's row by its index in the loaders' source.
final class FeatureSet {
    /// The shape of one item's features.
    let shape: [Int]
    private let rowOfItem: [Int: Int]
    private let mapping: UnsafeMutableRawPointer
    private let length: Int

    var rowCount: Int { shape.reduce(1, *) }
    private var base: UnsafePointer<Float> { UnsafePointer(mapping.assumingMemoryBound(to: Float.self)) }

    /// Maps `file`, which must hold exactly one row of `shape` per item; nil when it does not.
    init?(mapping file: String, shape: [Int], items: [Int]) {
        let length = shape.reduce(1, *) * items.count * MemoryLayout<Float>.stride
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard length > 0, fstat(descriptor, &info) == 0, Int(info.st_size) == length,
              let raw = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), raw != MAP_FAILED else { return nil }
        self.shape = shape
        self.length = length
        mapping = raw
        rowOfItem = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1, $0) })
    }

    deinit { munmap(mapping, length) }

    func contains(_ item: Int) -> Bool { rowOfItem[item] != nil }

    /// The rows of `items` stacked into (items.count, C, H, W).
    func batch(_ items: [Int]) -> Tensor {
        let row = rowCount
        return Tensor(uninitializedShape: [items.count] + shape) { output in
            for (i, item) in items.enumerated() {
                guard let index = rowOfItem[item] else { preconditionFailure("no cached features of item \(item)") }
                (output + i * row).update(from: base + index * row, count: row)
            }
        }
    }
}
