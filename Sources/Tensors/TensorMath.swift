// TensorMath: the elementwise operations and reductions the layers, optimisers and tests need.

extension Tensor {
    /// self += scale · other (shapes must match), in vectors on all threads: residual and
    /// gradient sums run it on whole activations.
    public mutating func add(_ other: Tensor, scale: Float = 1) {
        precondition(shape == other.shape, "add: shape \(shape) vs \(other.shape)")
        typealias Lanes = SIMD16<Float>
        let n = count
        other.withUnsafePointer { src in
            withUnsafeMutablePointer { dst in
                Lanes.forEachVector(count: n, grain: Elementwise.grain) { i, lanes in
                    let sum = Lanes.load(dst + i, lanes: lanes) + scale * Lanes.load(src + i, lanes: lanes)
                    Lanes.store(sum, dst + i, lanes: lanes)
                }
            }
        }
    }

    public mutating func scale(by factor: Float) {
        let n = count
        withUnsafeMutablePointer { p in for i in 0..<n { p[i] *= factor } }
    }

    public mutating func fill(_ value: Float) {
        let n = count
        withUnsafeMutablePointer { p in for i in 0..<n { p[i] = value } }
    }

    public func map(_ transform: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, data: data.map(transform))
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        var result = lhs
        result.add(rhs)
        return result
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        var result = lhs
        result.add(rhs, scale: -1)
        return result
    }

    /// Sum in Double, so long reductions do not lose precision.
    public func sum() -> Double {
        data.reduce(0.0) { $0 + Double($1) }
    }

    /// Σ self · other in Double.
    public func dot(_ other: Tensor) -> Double {
        precondition(count == other.count, "dot: \(count) vs \(other.count) values")
        var total = 0.0
        for i in 0..<count { total += Double(data[i]) * Double(other.data[i]) }
        return total
    }

    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "compare: shape \(shape) vs \(other.shape)")
        var worst: Float = 0
        for i in 0..<count { worst = Swift.max(worst, abs(data[i] - other.data[i])) }
        return worst
    }

    public func maxAbs() -> Float {
        data.reduce(0) { Swift.max($0, abs($1)) }
    }

    /// No NaN or ±inf. x − x is 0 for a finite x and NaN otherwise, so one vector sum tells (a
    /// partial last vector reads zeros); the trainer asks this of every trained weight after every step.
    public var isFinite: Bool {
        data.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return true }
            var sum = SIMD16<Float>()
            SIMD16<Float>.forEachVector(in: 0..<values.count) { start, lanes in
                let v = SIMD16<Float>.load(base + start, lanes: lanes)
                sum += v - v
            }
            return sum.sum() == 0
        }
    }

    /// Rows of a 2-D view: dimension 0 against the product of the rest.
    public var rowsAndColumns: (rows: Int, columns: Int) {
        precondition(rank >= 1, "scalar tensor has no rows")
        return (shape[0], shape[0] == 0 ? 0 : count / shape[0])
    }
}
