// TileLanes: a SIMD vector of neighbouring Winograd tiles, and the F(2×2, 3×3) tile transforms.
//   scratch planes: rows of Winograd3x3.Tiles.paddedColumns floats; tile (ty, tx) sits at row 2·ty,
//   column 2·tx. Transform planes: ξ = 4i + j at p + ξ · stride, tiles contiguous within a plane.

/// Lane l of a vector holds tile tx + l of one tile row, so every transform is whole-vector
/// arithmetic with contiguous loads and stores; the patch columns come from one load and a
/// deinterleave. The transforms are written once here for every width.
protocol TileLanes: SIMD where Scalar == Float {
    /// A vector of twice the width, for a row of even and odd columns together.
    associatedtype Wide: SIMD where Wide.Scalar == Float
}

extension SIMD8: TileLanes where Scalar == Float { typealias Wide = SIMD16<Float> }
extension SIMD4: TileLanes where Scalar == Float { typealias Wide = SIMD8<Float> }
extension SIMD2: TileLanes where Scalar == Float { typealias Wide = SIMD4<Float> }

extension TileLanes {
    /// Lanes l from p[2l] (even) and p[2l + 1] (odd): one wide load and a deinterleave.
    @inline(__always)
    static func deinterleave(_ p: UnsafePointer<Float>) -> (even: Self, odd: Self) {
        let wide = UnsafeRawPointer(p).loadUnaligned(as: Wide.self)
        var even = Self(), odd = Self()
        for l in 0..<scalarCount {
            even[l] = wide[2 * l]
            odd[l] = wide[2 * l + 1]
        }
        return (even, odd)
    }

    /// (even[0], odd[0], even[1], odd[1], …).
    @inline(__always)
    static func zip(_ even: Self, _ odd: Self) -> Wide {
        var wide = Wide()
        for l in 0..<scalarCount {
            wide[2 * l] = even[l]
            wide[2 * l + 1] = odd[l]
        }
        return wide
    }

    /// p[2l] = even[l], p[2l + 1] = odd[l] (or += when `add`), for every lane.
    @inline(__always)
    static func interleave(_ even: Self, _ odd: Self, into p: UnsafeMutablePointer<Float>, add: Bool) {
        let row = zip(even, odd)
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: add ? raw.loadUnaligned(as: Wide.self) + row : row, as: Wide.self)
    }

    /// Calls `body(tile index, scratch offset, lanes)` for each vector of tiles, row by row.
    @inline(__always)
    static func forEachVector(_ tiles: Winograd3x3.Tiles, _ body: (_ index: Int, _ offset: Int, _ lanes: Int) -> Void) {
        for ty in 0..<tiles.rows {
            var tx = 0
            while tx < tiles.columns {
                body(ty * tiles.columns + tx, 2 * ty * tiles.paddedColumns + 2 * tx, Swift.min(scalarCount, tiles.columns - tx))
                tx += scalarCount
            }
        }
    }

    @inline(__always)
    static func storeRow(_ row: Row4<Self>, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ stride: Int, lanes: Int) {
        store(row.c0, p + 4 * i * stride, lanes: lanes)
        store(row.c1, p + (4 * i + 1) * stride, lanes: lanes)
        store(row.c2, p + (4 * i + 2) * stride, lanes: lanes)
        store(row.c3, p + (4 * i + 3) * stride, lanes: lanes)
    }

    @inline(__always)
    static func loadRow(_ p: UnsafePointer<Float>, _ i: Int, _ stride: Int, lanes: Int) -> Row4<Self> {
        Row4(load(p + 4 * i * stride, lanes: lanes), load(p + (4 * i + 1) * stride, lanes: lanes),
             load(p + (4 * i + 2) * stride, lanes: lanes), load(p + (4 * i + 3) * stride, lanes: lanes))
    }

    /// The four rows of a transformed tile: planes ξ = 0 ..< 16 at p + ξ · stride.
    @inline(__always)
    static func loadTile(_ p: UnsafePointer<Float>, _ stride: Int,
                         lanes: Int) -> (Row4<Self>, Row4<Self>, Row4<Self>, Row4<Self>) {
        (loadRow(p, 0, stride, lanes: lanes), loadRow(p, 1, stride, lanes: lanes),
         loadRow(p, 2, stride, lanes: lanes), loadRow(p, 3, stride, lanes: lanes))
    }

    /// V = Bᵀ d B for every tile of a padded input plane.
    static func transformInput(_ scratch: UnsafeMutablePointer<Float>, _ tiles: Winograd3x3.Tiles,
                               into out: UnsafeMutablePointer<Float>, stride: Int) {
        let pw = tiles.paddedColumns
        forEachVector(tiles) { index, offset, lanes in
            @inline(__always) func patchRow(_ r: Int) -> Row4<Self> {
                let p = UnsafePointer(scratch) + offset + r * pw
                let (c0, c1) = deinterleave(p), (c2, c3) = deinterleave(p + 2)
                return Row4(c0, c1, c2, c3)
            }
            let d0 = patchRow(0), d1 = patchRow(1), d2 = patchRow(2), d3 = patchRow(3)
            let p = out + index
            storeRow((d0 - d2).timesB, p, 0, stride, lanes: lanes)
            storeRow((d1 + d2).timesB, p, 1, stride, lanes: lanes)
            storeRow((d2 - d1).timesB, p, 2, stride, lanes: lanes)
            storeRow((d1 - d3).timesB, p, 3, stride, lanes: lanes)
        }
    }

    /// scratch += B dV Bᵀ under every tile (tiles overlap by two rows and columns).
    static func transformInputGradient(_ dv: UnsafePointer<Float>, stride: Int, _ tiles: Winograd3x3.Tiles,
                                       into scratch: UnsafeMutablePointer<Float>) {
        let pw = tiles.paddedColumns
        forEachVector(tiles) { index, offset, lanes in
            let (q0, q1, q2, q3) = loadTile(dv + index, stride, lanes: lanes)
            @inline(__always) func add(_ r: Int, _ row: Row4<Self>) {
                let values = row.timesBTransposed, target = scratch + offset + r * pw
                interleave(values.c0, values.c1, into: target, add: true)
                interleave(values.c2, values.c3, into: target + 2, add: true)
            }
            add(0, q0)
            add(1, q1 - q2 + q3)
            add(2, q1 + q2 - q0)
            add(3, Self() - q3)
        }
    }

    /// Aᵀ M A for every tile, written as 2×2 blocks into an output scratch plane.
    static func transformOutput(_ m: UnsafePointer<Float>, stride: Int, _ tiles: Winograd3x3.Tiles,
                                into scratch: UnsafeMutablePointer<Float>) {
        let pw = tiles.paddedColumns
        forEachVector(tiles) { index, offset, lanes in
            let (m0, m1, m2, m3) = loadTile(m + index, stride, lanes: lanes)
            let top = (m0 + m1 + m2).timesA, bottom = (m1 - m2 - m3).timesA
            interleave(top.0, top.1, into: scratch + offset, add: false)
            interleave(bottom.0, bottom.1, into: scratch + offset + pw, add: false)
        }
    }

    /// dM = A dY Aᵀ for every tile of a padded output-gradient plane.
    static func transformOutputGradient(_ scratch: UnsafeMutablePointer<Float>, _ tiles: Winograd3x3.Tiles,
                                        into out: UnsafeMutablePointer<Float>, stride: Int) {
        let pw = tiles.paddedColumns
        forEachVector(tiles) { index, offset, lanes in
            let top = deinterleave(UnsafePointer(scratch) + offset)
            let bottom = deinterleave(UnsafePointer(scratch) + offset + pw)
            let p = out + index
            storeRow(Row4(aTransposed: top.even, top.odd), p, 0, stride, lanes: lanes)
            storeRow(Row4(aTransposed: top.even + bottom.even, top.odd + bottom.odd), p, 1, stride, lanes: lanes)
            storeRow(Row4(aTransposed: top.even - bottom.even, top.odd - bottom.odd), p, 2, stride, lanes: lanes)
            storeRow(Row4(aTransposed: Self() - bottom.even, Self() - bottom.odd), p, 3, stride, lanes: lanes)
        }
    }
}

/// One row of a 4×4 tile: four vectors, one per column.
struct Row4<V: SIMD> where V.Scalar == Float {
    var c0, c1, c2, c3: V

    @inline(__always)
    init(_ c0: V, _ c1: V, _ c2: V, _ c3: V) {
        (self.c0, self.c1, self.c2, self.c3) = (c0, c1, c2, c3)
    }

    /// q Aᵀ for a row q = (a, b) of two values: (a, a + b, a − b, −b).
    @inline(__always)
    init(aTransposed a: V, _ b: V) {
        self.init(a, a + b, a - b, V() - b)
    }

    /// d B: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
    @inline(__always)
    var timesB: Row4 { Row4(c0 - c2, c1 + c2, c2 - c1, c1 - c3) }
    /// q Bᵀ: (q0, q1 − q2 + q3, q1 + q2 − q0, −q3).
    @inline(__always)
    var timesBTransposed: Row4 { Row4(c0, c1 - c2 + c3, c1 + c2 - c0, V() - c3) }
    /// r A: (r0 + r1 + r2, r1 − r2 − r3).
    @inline(__always)
    var timesA: (V, V) { (c0 + c1 + c2, c1 - c2 - c3) }
    /// e G: (e0 + (e1 + e2)/2, (e1 − e2)/2, (e1 + e2)/2 + e3).
    @inline(__always)
    var timesG: Row3<V> { Row3(c0 + 0.5 * (c1 + c2), 0.5 * (c1 - c2), 0.5 * (c1 + c2) + c3) }

    @inline(__always)
    static func + (a: Row4, b: Row4) -> Row4 { Row4(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2, a.c3 + b.c3) }
    @inline(__always)
    static func - (a: Row4, b: Row4) -> Row4 { Row4(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2, a.c3 - b.c3) }
    @inline(__always)
    static func - (a: V, b: Row4) -> Row4 { Row4(a - b.c0, a - b.c1, a - b.c2, a - b.c3) }
    @inline(__always)
    static func * (k: Float, a: Row4) -> Row4 { Row4(k * a.c0, k * a.c1, k * a.c2, k * a.c3) }
}

/// One row of a 3×3 filter: three vectors, one per tap column.
struct Row3<V: SIMD> where V.Scalar == Float {
    var c0, c1, c2: V

    @inline(__always)
    init(_ c0: V, _ c1: V, _ c2: V) {
        (self.c0, self.c1, self.c2) = (c0, c1, c2)
    }

    /// s Gᵀ: (s0, (s0 + s1 + s2)/2, (s0 − s1 + s2)/2, s2).
    @inline(__always)
    var timesGTransposed: Row4<V> { Row4(c0, 0.5 * (c0 + c1 + c2), 0.5 * (c0 - c1 + c2), c2) }

    @inline(__always)
    static func + (a: Row3, b: Row3) -> Row3 { Row3(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inline(__always)
    static func - (a: Row3, b: Row3) -> Row3 { Row3(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    @inline(__always)
    static func * (k: Float, a: Row3) -> Row3 { Row3(k * a.c0, k * a.c1, k * a.c2) }
}
