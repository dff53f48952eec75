// Winograd3x3: 3×3 stride-1 convolution by Winograd's F(2×2, 3×3), forward and backward.
//   input: (N, C, H, W)   weight: (O, C, 3, 3)   output: (N, O, OH, OW)
//   tiles: each 2×2 output block reads a 4×4 input patch; T = images · ⌈OH/2⌉ · ⌈OW/2⌉ per chunk
//   U: (16, O, C) transformed weights   V: (16, C, T) transformed patches   M: (16, O, T) products
//
// Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A turns the convolution into 16 independent (O×C)·(C×T) products:
// 16 multiplies per 2×2 outputs instead of 36, and the transformed patches are 4× the input where
// im2col's columns are 9×. Backward is the exact adjoint of the same steps (dM = A dY Aᵀ,
// dV = Uᵀ dM, dd = B dV Bᵀ, dU = dM Vᵀ, dg = Gᵀ dU G). Each of the 16 products runs whole on one
// core, so the result does not depend on the thread count.

enum Winograd3x3 {
    /// Grouped convolutions and tiny channel counts stay on im2col: their 16 products would be
    /// too thin to run near the GEMM's speed.
    static func applies(to g: Conv2dGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.groups == 1 && g.inChannels >= 8 && g.outChannels >= 8
    }

    // MARK: - Convolution

    /// U's shape: (16, O, C).
    static func transformedShape(_ g: Conv2dGeometry) -> [Int] {
        [16, g.outChannels, g.inChannels]
    }

    /// `prepared` is U already transformed from w, or nil to transform w here.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ prepared: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ c: KernelContext) {
        let tiles = Tiles(g)
        let u = prepared ?? transformedWeights(w, g, c)
        forEachChunk(g, tiles, c) { first, images in
            let t = images * tiles.perImage
            let v = c.buffer(.columns, count: 16 * g.inChannels * t)
            let m = c.buffer(.product, count: 16 * g.outChannels * t)
            transformInput(x, g, tiles, firstImage: first, images: images, into: v)
            products { xi in
                BLAS.sgemmSerial(m: g.outChannels, n: t, k: g.inChannels,
                                 a: u + xi * g.outChannels * g.inChannels, lda: g.inChannels,
                                 b: v + xi * g.inChannels * t, ldb: t,
                                 beta: 0, c: m + xi * g.outChannels * t, ldc: t)
            }
            transformOutput(m, g, tiles, firstImage: first, images: images, into: y)
        }
    }

    /// dw += ∂L/∂w when `dw` is given (then `x` must be), dx += ∂L/∂x when `dx` is given. Both
    /// products start from the same dM = A dY Aᵀ, so a layer that needs both transforms dY once.
    static func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>?, _ w: UnsafePointer<Float>?,
                         _ prepared: UnsafePointer<Float>?, weightGradient dw: UnsafeMutablePointer<Float>?,
                         inputGradient dx: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry, _ c: KernelContext) {
        precondition(dw == nil || x != nil, "the weight gradient needs the input")
        precondition(dx == nil || prepared != nil || w != nil, "the input gradient needs the weight")
        let tiles = Tiles(g)
        let u = dx == nil ? nil : prepared ?? w.map { transformedWeights($0, g, c) }
        let du = dw == nil ? nil : c.buffer(.weightGradient, count: 16 * g.outChannels * g.inChannels)
        var firstChunk = true
        forEachChunk(g, tiles, c) { first, images in
            let t = images * tiles.perImage
            // V, then dV once V is used up, share one buffer.
            let columns = c.buffer(.columns, count: 16 * g.inChannels * t)
            let dm = c.buffer(.product, count: 16 * g.outChannels * t)
            transformOutputGradient(dy, g, tiles, firstImage: first, images: images, into: dm)
            if let du, let x {
                transformInput(x, g, tiles, firstImage: first, images: images, into: columns)
                let beta: Float = firstChunk ? 0 : 1
                products { xi in
                    BLAS.sgemmSerial(transB: true, m: g.outChannels, n: g.inChannels, k: t,
                                     a: dm + xi * g.outChannels * t, lda: t,
                                     b: columns + xi * g.inChannels * t, ldb: t,
                                     beta: beta, c: du + xi * g.outChannels * g.inChannels, ldc: g.inChannels)
                }
            }
            if let u, let dx {
                products { xi in
                    BLAS.sgemmSerial(transA: true, m: g.inChannels, n: t, k: g.outChannels,
                                     a: u + xi * g.outChannels * g.inChannels, lda: g.inChannels,
                                     b: dm + xi * g.outChannels * t, ldb: t,
                                     beta: 0, c: columns + xi * g.inChannels * t, ldc: t)
                }
                transformInputGradient(columns, g, tiles, firstImage: first, images: images, into: dx)
            }
            firstChunk = false
        }
        if let du, let dw { transformWeightGradient(du, g, into: dw) }
    }

    /// U for w in the workspace.
    private static func transformedWeights(_ w: UnsafePointer<Float>, _ g: Conv2dGeometry,
                                           _ c: KernelContext) -> UnsafePointer<Float> {
        let u = c.buffer(.transformedWeights, count: 16 * g.outChannels * g.inChannels)
        transformWeights(w, g, into: u)
        return UnsafePointer(u)
    }

    // MARK: - Tiling

    /// The 2×2 output tiles of one image, and how many neighbouring tiles one SIMD vector holds.
    struct Tiles {
        let rows: Int, columns: Int
        let lanes: Int
        var perImage: Int { rows * columns }
        /// Scratch planes are wide enough that a full vector of tiles never reads or writes past them.
        var paddedColumns: Int { 2 * ((columns + lanes - 1) / lanes) * lanes + 2 }
        /// A zero-bordered copy of one input plane that every tile's 4×4 patch lies inside.
        var paddedRows: Int { 2 * rows + 2 }

        init(_ g: Conv2dGeometry) {
            rows = (g.outHeight + 1) / 2
            columns = (g.outWidth + 1) / 2
            lanes = columns >= 8 ? 8 : columns >= 4 ? 4 : 2
        }
    }

    private static func forEachChunk(_ g: Conv2dGeometry, _ tiles: Tiles, _ c: KernelContext,
                                     _ body: (_ first: Int, _ images: Int) -> Void) {
        Conv2d.forEachChunk(batch: g.batch, floatsPerImage: 16 * (g.inChannels + g.outChannels) * tiles.perImage,
                            limit: c.batchIndependent ? 0 : c.winogradChunkFloats, body)
    }

    /// The 16 independent products, each on one core.
    private static func products(_ body: (_ xi: Int) -> Void) {
        BLAS.withSingleThread {
            Parallel.forEach(16) { range in
                for xi in range { body(xi) }
            }
        }
    }

    /// Runs `body(image, channel, scratch)` for every plane of a chunk, spread over the workers;
    /// each worker owns one scratch plane of paddedRows × paddedColumns, zero when it starts.
    /// Planes go channel by channel, image by image within one: a channel's tiles are contiguous in
    /// V and M, so consecutive planes write (or read) one run instead of rows a whole chunk apart
    /// (64 px frozen step, the four transforms: 71 → 50 ms).
    private static func forEachPlane(images: Int, channels: Int, _ tiles: Tiles,
                                     _ body: (_ image: Int, _ channel: Int, UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forEach(images * channels) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tiles.paddedRows * tiles.paddedColumns)
            scratch.initialize(repeating: 0, count: tiles.paddedRows * tiles.paddedColumns)
            defer { scratch.deallocate() }
            for task in range { body(task % images, task / images, scratch) }
        }
    }

    // MARK: - Weight transforms (vectors hold consecutive (o, c) filters)

    /// U[ξ, o, c] = (G g Gᵀ)[ξ] for each 3×3 filter g = w[o, c].
    static func transformWeights(_ w: UnsafePointer<Float>, _ g: Conv2dGeometry,
                                         into u: UnsafeMutablePointer<Float>) {
        let pairs = g.outChannels * g.inChannels
        Parallel.forEach((pairs + 7) / 8, grain: 32) { range in
            for block in range {
                let first = block * 8, lanes = min(8, pairs - first)
                // Filters are 9 contiguous taps; a small transpose makes each tap one vector.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 72) { t in
                    t.initialize(repeating: 0)
                    for l in 0..<lanes {
                        for k in 0..<9 { t[k * 8 + l] = w[(first + l) * 9 + k] }
                    }
                    let raw = UnsafeRawBufferPointer(t)
                    func tap(_ k: Int) -> SIMD8<Float> { raw.loadUnaligned(fromByteOffset: 32 * k, as: SIMD8<Float>.self) }
                    let r0 = Row3(tap(0), tap(1), tap(2)), r1 = Row3(tap(3), tap(4), tap(5))
                    let r2 = Row3(tap(6), tap(7), tap(8))
                    // s = G g (four rows of three taps), then U = s Gᵀ row by row.
                    func emit(_ i: Int, _ s: Row3<SIMD8<Float>>) {
                        let out = u + 4 * i * pairs + first, row = s.timesGTransposed
                        SIMD8.store(row.c0, out, lanes: lanes)
                        SIMD8.store(row.c1, out + pairs, lanes: lanes)
                        SIMD8.store(row.c2, out + 2 * pairs, lanes: lanes)
                        SIMD8.store(row.c3, out + 3 * pairs, lanes: lanes)
                    }
                    emit(0, r0)
                    emit(1, 0.5 * (r0 + r1 + r2))
                    emit(2, 0.5 * (r0 - r1 + r2))
                    emit(3, r2)
                }
            }
        }
    }

    /// dw[o, c] += Gᵀ dU[·, o, c] G.
    private static func transformWeightGradient(_ du: UnsafePointer<Float>, _ g: Conv2dGeometry,
                                                into dw: UnsafeMutablePointer<Float>) {
        let pairs = g.outChannels * g.inChannels
        Parallel.forEach((pairs + 7) / 8, grain: 32) { range in
            for block in range {
                let first = block * 8, lanes = min(8, pairs - first)
                func row(_ i: Int) -> Row4<SIMD8<Float>> {
                    let p = du + 4 * i * pairs + first
                    return Row4(SIMD8.load(p, lanes: lanes), SIMD8.load(p + pairs, lanes: lanes),
                                SIMD8.load(p + 2 * pairs, lanes: lanes), SIMD8.load(p + 3 * pairs, lanes: lanes))
                }
                let d0 = row(0), d1 = row(1), d2 = row(2), d3 = row(3)
                // e = Gᵀ dU (three rows of four), then dg = e G row by row, gathered in a small
                // buffer so that each filter's 9 taps are added contiguously.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 72) { t in
                    let raw = UnsafeMutableRawBufferPointer(t)
                    func put(_ a: Int, _ e: Row4<SIMD8<Float>>) {
                        let taps = e.timesG
                        raw.storeBytes(of: taps.c0, toByteOffset: 32 * (3 * a), as: SIMD8<Float>.self)
                        raw.storeBytes(of: taps.c1, toByteOffset: 32 * (3 * a + 1), as: SIMD8<Float>.self)
                        raw.storeBytes(of: taps.c2, toByteOffset: 32 * (3 * a + 2), as: SIMD8<Float>.self)
                    }
                    put(0, d0 + 0.5 * (d1 + d2))
                    put(1, 0.5 * (d1 - d2))
                    put(2, 0.5 * (d1 + d2) + d3)
                    for l in 0..<lanes {
                        let f = dw + (first + l) * 9
                        for k in 0..<9 { f[k] += t[k * 8 + l] }
                    }
                }
            }
        }
    }

    // MARK: - Data transforms (vectors hold neighbouring tiles of one tile row)

    /// V[ξ, c, t] = (Bᵀ d B)[ξ] for the 4×4 patch d under tile t.
    private static func transformInput(_ x: UnsafePointer<Float>, _ g: Conv2dGeometry, _ tiles: Tiles,
                                       firstImage: Int, images: Int, into v: UnsafeMutablePointer<Float>) {
        let t = images * tiles.perImage, stride = g.inChannels * t
        forEachPlane(images: images, channels: g.inChannels, tiles) { image, c, scratch in
            pad(x + ((firstImage + image) * g.inChannels + c) * g.inputPlane, height: g.height, width: g.width,
                top: g.padHeight, left: g.padWidth, tiles, into: scratch)
            let out = v + c * t + image * tiles.perImage
            switch tiles.lanes {
            case 8: SIMD8.transformInput(scratch, tiles, into: out, stride: stride)
            case 4: SIMD4.transformInput(scratch, tiles, into: out, stride: stride)
            default: SIMD2.transformInput(scratch, tiles, into: out, stride: stride)
            }
        }
    }

    /// dx += the sum over tiles of B dV Bᵀ, placed back under each tile's patch.
    private static func transformInputGradient(_ dv: UnsafePointer<Float>, _ g: Conv2dGeometry, _ tiles: Tiles,
                                               firstImage: Int, images: Int, into dx: UnsafeMutablePointer<Float>) {
        let t = images * tiles.perImage, stride = g.inChannels * t
        forEachPlane(images: images, channels: g.inChannels, tiles) { image, c, scratch in
            scratch.update(repeating: 0, count: tiles.paddedRows * tiles.paddedColumns)
            let source = dv + c * t + image * tiles.perImage
            switch tiles.lanes {
            case 8: SIMD8.transformInputGradient(source, stride: stride, tiles, into: scratch)
            case 4: SIMD4.transformInputGradient(source, stride: stride, tiles, into: scratch)
            default: SIMD2.transformInputGradient(source, stride: stride, tiles, into: scratch)
            }
            unpad(scratch, g, tiles, into: dx + ((firstImage + image) * g.inChannels + c) * g.inputPlane)
        }
    }

    /// y[n, o] = Aᵀ M A for each tile, clipped to the output plane.
    private static func transformOutput(_ m: UnsafePointer<Float>, _ g: Conv2dGeometry, _ tiles: Tiles,
                                        firstImage: Int, images: Int, into y: UnsafeMutablePointer<Float>) {
        let t = images * tiles.perImage, stride = g.outChannels * t, pw = tiles.paddedColumns
        forEachPlane(images: images, channels: g.outChannels, tiles) { image, o, scratch in
            let source = m + o * t + image * tiles.perImage
            switch tiles.lanes {
            case 8: SIMD8.transformOutput(source, stride: stride, tiles, into: scratch)
            case 4: SIMD4.transformOutput(source, stride: stride, tiles, into: scratch)
            default: SIMD2.transformOutput(source, stride: stride, tiles, into: scratch)
            }
            let plane = y + ((firstImage + image) * g.outChannels + o) * g.outputPlane
            for oh in 0..<g.outHeight {
                RowCopy.copy(scratch + oh * pw, to: plane + oh * g.outWidth, count: g.outWidth)
            }
        }
    }

    /// dM = A dY Aᵀ for each tile, with dY zero past the output plane's edge.
    private static func transformOutputGradient(_ dy: UnsafePointer<Float>, _ g: Conv2dGeometry, _ tiles: Tiles,
                                                firstImage: Int, images: Int, into dm: UnsafeMutablePointer<Float>) {
        let t = images * tiles.perImage, stride = g.outChannels * t
        forEachPlane(images: images, channels: g.outChannels, tiles) { image, o, scratch in
            pad(dy + ((firstImage + image) * g.outChannels + o) * g.outputPlane, height: g.outHeight,
                width: g.outWidth, top: 0, left: 0, tiles, into: scratch)
            let out = dm + o * t + image * tiles.perImage
            switch tiles.lanes {
            case 8: SIMD8.transformOutputGradient(scratch, tiles, into: out, stride: stride)
            case 4: SIMD4.transformOutputGradient(scratch, tiles, into: out, stride: stride)
            default: SIMD2.transformOutputGradient(scratch, tiles, into: out, stride: stride)
            }
        }
    }

    // MARK: - Scratch planes

    /// Copies a plane into the scratch plane that starts at its row −top and column −left. Every
    /// plane of one transform lands on the same rectangle, so the zeros around it, written once when
    /// the scratch was allocated, stay.
    private static func pad(_ plane: UnsafePointer<Float>, height: Int, width: Int, top: Int, left: Int,
                            _ tiles: Tiles, into scratch: UnsafeMutablePointer<Float>) {
        let pw = tiles.paddedColumns
        let first = min(left, pw), count = max(0, min(pw, left + width) - first)
        guard count > 0 else { return }
        for r in max(0, top)..<max(max(0, top), min(tiles.paddedRows, top + height)) {
            RowCopy.copy(plane + (r - top) * width, to: scratch + r * pw + first, count: count)
        }
    }

    /// Adds the part of the scratch plane that lies inside the input back into it: `pad`'s adjoint.
    private static func unpad(_ scratch: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ tiles: Tiles,
                              into plane: UnsafeMutablePointer<Float>) {
        let pw = tiles.paddedColumns
        let first = min(g.padWidth, pw), count = max(0, min(pw, g.padWidth + g.width) - first)
        guard count > 0 else { return }
        for r in 0..<tiles.paddedRows {
            let ih = r - g.padHeight
            guard ih >= 0 && ih < g.height else { continue }
            let source = scratch + r * pw + first
            let target = plane + ih * g.width
            SIMD16<Float>.forEachVector(in: 0..<count) { i, lanes in
                SIMD16.store(SIMD16.load(target + i, lanes: lanes) + SIMD16.load(source + i, lanes: lanes), target + i,
                             lanes: lanes)
            }
        }
    }
}

