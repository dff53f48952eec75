// FloatLanes: SIMD vectors of Float loaded from and stored to raw buffers, whole or partial.
//   buffer: any contiguous Float run; a partial vector covers the run's last `lanes` < width values.

/// Elementwise loops over Float buffers written once on vectors: a run's tail is one partial vector
/// (unused lanes read as zero and are never stored), so no loop needs a separate scalar copy.
extension SIMD where Scalar == Float {
    /// The first `lanes` values at p, zeros after them.
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Self {
        if lanes == scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
        var v = Self()
        for l in 0..<lanes { v[l] = p[l] }
        return v
    }

    @inlinable @inline(__always)
    public static func load(_ p: UnsafeMutablePointer<Float>, lanes: Int) -> Self {
        load(UnsafePointer(p), lanes: lanes)
    }

    /// Writes the first `lanes` values to p.
    @inlinable @inline(__always)
    public static func store(_ v: Self, _ p: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == scalarCount {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Self.self)
        } else {
            for l in 0..<lanes { p[l] = v[l] }
        }
    }

    /// Calls `body(start, lanes)` for consecutive vectors covering `range`, the last one partial.
    @inlinable @inline(__always)
    public static func forEachVector(in range: Range<Int>, _ body: (_ start: Int, _ lanes: Int) -> Void) {
        var i = range.lowerBound
        while i < range.upperBound {
            let lanes = Swift.min(scalarCount, range.upperBound - i)
            body(i, lanes)
            i += lanes
        }
    }

    /// The vectors covering 0..<count, spread over the workers in runs of at least `grain` values.
    @inlinable @inline(__always)
    public static func forEachVector(count: Int, grain: Int, _ body: (_ start: Int, _ lanes: Int) -> Void) {
        Parallel.forEach(count, grain: grain) { range in forEachVector(in: range, body) }
    }
}

/// Row moves in whole vectors. Rows of late layers hold 2 to 56 values, where a memmove or memset
/// call costs more than the move itself.
enum RowCopy {
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            SIMD16.store(SIMD16.load(source + i, lanes: 16), target + i, lanes: 16)
            i += 16
        }
        while i + 4 <= count {
            SIMD4.store(SIMD4.load(source + i, lanes: 4), target + i, lanes: 4)
            i += 4
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }

    @inline(__always)
    static func zero(_ target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            SIMD16.store(SIMD16(), target + i, lanes: 16)
            i += 16
        }
        while i < count {
            target[i] = 0
            i += 1
        }
    }
}
