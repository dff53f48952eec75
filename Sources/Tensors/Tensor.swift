// Tensor: Float32 values in one contiguous row-major buffer (NCHW for images), with value semantics.

public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public private(set) var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(Tensor.elementCount(shape) == data.count,
                     "shape \(shape) needs \(Tensor.elementCount(shape)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// A tensor whose values `initialize` must write, every one of them: kernels whose output
    /// covers the whole tensor skip the zero fill that `init(zeros:)` pays for.
    public init(uninitializedShape shape: [Int], initialize: (UnsafeMutablePointer<Float>) -> Void) {
        let count = Tensor.elementCount(shape)
        let data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { initialize(base) }
            initialized = count
        }
        self.init(shape: shape, data: data)
    }

    /// Large tensors are filled on all threads: backward kernels accumulate, so every gradient
    /// buffer starts as a fill as large as the activation it belongs to.
    public init(repeating value: Float, shape: [Int]) {
        let count = Tensor.elementCount(shape)
        guard count >= Tensor.parallelFillCount else {
            self.init(shape: shape, data: [Float](repeating: value, count: count))
            return
        }
        self.init(uninitializedShape: shape) { p in
            Parallel.forEach(count, grain: Tensor.parallelFillCount / 2) { range in
                (p + range.lowerBound).initialize(repeating: value, count: range.count)
            }
        }
    }

    static let parallelFillCount = 1 << 16

    public static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The same values under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    public mutating func reshape(_ newShape: [Int]) {
        precondition(Tensor.elementCount(newShape) == data.count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    /// Row-major strides of `shape`.
    public var strides: [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            result[axis] = running
            running *= shape[axis]
        }
        return result
    }

    public subscript(_ index: Int...) -> Float {
        get { data[offset(index)] }
        set { data[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match rank of \(shape)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(index) outside \(shape)")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    public var description: String {
        let preview = data.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(preview)\(data.count > 8 ? ", …" : "")])"
    }

    /// Kernels take raw pointers; an empty tensor hands them a valid dummy address.
    public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(Tensor.emptyStorage)) }
    }

    public mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeMutableBufferPointer { try body($0.baseAddress ?? Tensor.emptyStorage) }
    }

    /// The base address of every empty tensor; nothing reads or writes through it (there are no elements).
    nonisolated(unsafe) private static let emptyStorage = UnsafeMutablePointer<Float>.allocate(capacity: 1)
}
