// Conv2d: convolution by im2col + sgemm, forward and backward (input, weight, bias).
//   input: (N, C, H, W)   weight: (O, C/groups, KH, KW)   bias: (O)   output: (N, O, OH, OW)
// Images are unfolded a chunk at a time into one wide column matrix, so each GEMM has
// N = images · OH · OW columns even for the small late-layer planes. A 1×1 stride-1 convolution
// multiplies the input planes directly (no im2col); a 3×3 stride-1 one goes to Winograd3x3, and
// one whose input plane fits in the kernel window to UnrolledConv2d.

public enum Conv2d {
    /// `prepared` is `prepare(weight, geometry:)` of this weight, kept by a caller that runs the same
    /// weight more than once; nil prepares it on the fly. `context` chooses the algorithm and holds
    /// the scratch buffers: a model passes its own, a single call may use a fresh one.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry,
                               prepared: Tensor? = nil, context c: KernelContext = KernelContext()) -> Tensor {
        checkShapes(input: input, weight: weight, bias: bias, g)
        var output = Tensor(uninitializedShape: g.outputShape) { y in
            input.withUnsafePointer { x in
                weight.withUnsafePointer { w in
                    withPrepared(prepared, g, c) { u in forward(x, w, u, y, g, c) }
                }
            }
        }
        if let bias { addBias(bias, to: &output, g) }
        return output
    }

    /// gradInput += ∂L/∂input.
    public static func backwardInput(_ gradOutput: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
                                     prepared: Tensor? = nil, context c: KernelContext = KernelContext(),
                                     into gradInput: inout Tensor) {
        precondition(gradOutput.shape == g.outputShape && gradInput.shape == g.inputShape
                     && weight.shape == g.weightShape, "conv2d backward-input shapes do not match \(g)")
        gradOutput.withUnsafePointer { dy in
            weight.withUnsafePointer { w in
                gradInput.withUnsafeMutablePointer { dx in
                    withPrepared(prepared, g, c) { u in backwardInput(dy, w, u, dx, g, c) }
                }
            }
        }
    }

    /// A layer's backward products at once: gradWeight += ∂L/∂weight when given (then `input` must
    /// be), gradInput += ∂L/∂input when given. Winograd transforms gradOutput once for both; the
    /// other kernels run `backwardWeight` and `backwardInput`.
    public static func backward(_ gradOutput: Tensor, input: Tensor?, weight: Tensor, geometry g: Conv2dGeometry,
                                prepared: Tensor? = nil, context c: KernelContext = KernelContext(),
                                gradWeight: inout Tensor?, gradInput: inout Tensor?) {
        precondition(gradOutput.shape == g.outputShape && weight.shape == g.weightShape
                     && (gradWeight == nil || (gradWeight?.shape == g.weightShape && input?.shape == g.inputShape))
                     && (gradInput == nil || gradInput?.shape == g.inputShape),
                     "conv2d backward shapes do not match \(g)")
        gradOutput.withUnsafePointer { dy in
            weight.withUnsafePointer { w in
                withPrepared(prepared, g, c) { u in
                    withOptionalPointer(input) { x in
                        withOptionalPointer(&gradWeight) { dw in
                            withOptionalPointer(&gradInput) { dx in
                                if useWinograd(g, c) && !useUnrolled(g, c) {
                                    Winograd3x3.backward(dy, x, w, u, weightGradient: dw, inputGradient: dx, g, c)
                                    return
                                }
                                if let dw, let x { backwardWeight(dy, x, dw, g, c) }
                                if let dx { backwardInput(dy, w, u, dx, g, c) }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func withOptionalPointer(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> Void) {
        guard let tensor else { return body(nil) }
        tensor.withUnsafePointer { body($0) }
    }

    private static func withOptionalPointer(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> Void) {
        guard tensor != nil else { return body(nil) }
        tensor?.withUnsafeMutablePointer { body($0) }
    }

    /// The weight in the form this geometry's kernel multiplies by (the unrolled matrix, Winograd's
    /// transformed filters), or nil when the kernel uses the weight as it is.
    public static func prepare(_ weight: Tensor, geometry g: Conv2dGeometry,
                               context c: KernelContext = KernelContext()) -> Tensor? {
        var none: Tensor?
        return prepare(weight, geometry: g, context: c, reusing: &none)
    }

    /// `prepare`, taking an earlier prepared weight out of `storage` and overwriting it in place
    /// when its shape fits, so a layer that re-prepares every step does not allocate every step.
    public static func prepare(_ weight: Tensor, geometry g: Conv2dGeometry, context c: KernelContext = KernelContext(),
                               reusing storage: inout Tensor?) -> Tensor? {
        precondition(weight.shape == g.weightShape, "conv2d weight \(weight.shape), expected \(g.weightShape)")
        guard let shape = preparedShape(g, context: c) else { return nil }
        func fill(_ u: UnsafeMutablePointer<Float>) {
            weight.withUnsafePointer { w in
                if useUnrolled(g, c) {
                    UnrolledConv2d.unroll(w, g, into: u)
                } else {
                    Winograd3x3.transformWeights(w, g, into: u)
                }
            }
        }
        guard var reused = storage.take(), reused.shape == shape else {
            return Tensor(uninitializedShape: shape, initialize: fill)
        }
        reused.withUnsafeMutablePointer(fill)
        return reused
    }

    /// The shape `prepare` gives for this geometry, nil when it prepares nothing.
    public static func preparedShape(_ g: Conv2dGeometry, context c: KernelContext = KernelContext()) -> [Int]? {
        if useUnrolled(g, c) { return UnrolledConv2d.unrolledShape(g) }
        if useWinograd(g, c) { return Winograd3x3.transformedShape(g) }
        return nil
    }

    private static func withPrepared<R>(_ prepared: Tensor?, _ g: Conv2dGeometry, _ c: KernelContext,
                                        _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let prepared, let shape = preparedShape(g, context: c) else { return body(nil) }
        precondition(prepared.shape == shape, "prepared conv2d weight does not match \(g)")
        return prepared.withUnsafePointer { body($0) }
    }

    /// gradWeight += ∂L/∂weight.
    public static func backwardWeight(_ gradOutput: Tensor, input: Tensor, geometry g: Conv2dGeometry,
                                      context c: KernelContext = KernelContext(), into gradWeight: inout Tensor) {
        precondition(gradOutput.shape == g.outputShape && input.shape == g.inputShape
                     && gradWeight.shape == g.weightShape, "conv2d backward-weight shapes do not match \(g)")
        gradOutput.withUnsafePointer { dy in
            input.withUnsafePointer { x in
                gradWeight.withUnsafeMutablePointer { dw in
                    backwardWeight(dy, x, dw, g, c)
                }
            }
        }
    }

    /// gradBias += Σ over images and positions of gradOutput.
    public static func backwardBias(_ gradOutput: Tensor, geometry g: Conv2dGeometry, into gradBias: inout Tensor) {
        precondition(gradOutput.shape == g.outputShape && gradBias.shape == [g.outChannels],
                     "conv2d backward-bias shapes do not match \(g)")
        channelSums(gradOutput, channels: g.outChannels, plane: g.outputPlane, into: &gradBias)
    }

    // MARK: - Pointer kernels

    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ u: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ c: KernelContext) {
        let plane = g.outputPlane
        if DepthwiseConv2d.applies(to: g) && c.depthwise {
            DepthwiseConv2d.forward(x, w, y, g)
            return
        }
        if useUnrolled(g, c) {
            UnrolledConv2d.forward(x, w, u, y, g, c)
            return
        }
        if useWinograd(g, c) {
            Winograd3x3.forward(x, w, u, y, g, c)
            return
        }
        if g.isPointwise && g.groups == 1 {
            for n in 0..<g.batch {
                BLAS.sgemm(m: g.outChannels, n: plane, k: g.inChannels, a: w, lda: g.inChannels,
                           b: x + n * g.inChannels * plane, ldb: plane,
                           beta: 0, c: y + n * g.outChannels * plane, ldc: plane)
            }
            return
        }
        if useImageParallel(g, c) {
            forwardImageParallel(x, w, y, g)
            return
        }
        forwardIm2col(x, w, y, g, c)
    }

    /// Chunks of images unfolded into one wide column matrix per group, then one GEMM per chunk and
    /// group (scattered into NCHW), or one per image where planes are large.
    private static func forwardIm2col(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                      _ y: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ c: KernelContext) {
        let plane = g.outputPlane
        forEachChunk(g, c) { first, images in
            let width = images * plane
            let columns = c.buffer(.columns, count: g.patchSize * width)
            let direct = images == 1 || plane >= c.directPlane
            let product = direct ? y : c.buffer(.product, count: g.outChannels * width)
            for group in 0..<g.groups {
                Im2col.unfold(x, g, firstImage: first, images: images, firstChannel: group * g.inPerGroup,
                              into: columns)
                let groupWeight = w + group * g.outPerGroup * g.patchSize
                if direct {
                    // One GEMM per image writes straight into y's (O, OH·OW) planes.
                    for image in 0..<images {
                        BLAS.sgemm(m: g.outPerGroup, n: plane, k: g.patchSize, a: groupWeight, lda: g.patchSize,
                                   b: columns + image * plane, ldb: width, beta: 0,
                                   c: y + ((first + image) * g.outChannels + group * g.outPerGroup) * plane,
                                   ldc: plane)
                    }
                } else {
                    BLAS.sgemm(m: g.outPerGroup, n: width, k: g.patchSize, a: groupWeight, lda: g.patchSize,
                               b: columns, ldb: width,
                               beta: 0, c: product + group * g.outPerGroup * width, ldc: width)
                }
            }
            if !direct { scatter(product, g, firstImage: first, images: images, into: y) }
        }
    }

    static func backwardInput(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ u: UnsafePointer<Float>?,
                              _ dx: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ c: KernelContext) {
        let plane = g.outputPlane
        if DepthwiseConv2d.applies(to: g) && c.depthwise {
            DepthwiseConv2d.backwardInput(dy, w, dx, g)
            return
        }
        if useUnrolled(g, c) {
            UnrolledConv2d.backwardInput(dy, w, u, dx, g, c)
            return
        }
        if useWinograd(g, c) {
            Winograd3x3.backward(dy, nil, w, u, weightGradient: nil, inputGradient: dx, g, c)
            return
        }
        if g.isPointwise && g.groups == 1 {
            for n in 0..<g.batch {
                BLAS.sgemm(transA: true, m: g.inChannels, n: plane, k: g.outChannels, a: w, lda: g.inChannels,
                           b: dy + n * g.outChannels * plane, ldb: plane,
                           beta: 1, c: dx + n * g.inChannels * plane, ldc: plane)
            }
            return
        }
        if useImageParallel(g, c) {
            backwardInputImageParallel(dy, w, dx, g)
            return
        }
        forEachChunk(g, c) { first, images in
            let width = images * plane
            let gathered = gatheredGradient(dy, g, c, firstImage: first, images: images)
            let columns = c.buffer(.columns, count: g.patchSize * width)
            for group in 0..<g.groups {
                BLAS.sgemm(transA: true, m: g.patchSize, n: width, k: g.outPerGroup,
                           a: w + group * g.outPerGroup * g.patchSize, lda: g.patchSize,
                           b: gathered + group * g.outPerGroup * width, ldb: width,
                           beta: 0, c: columns, ldc: width)
                Im2col.fold(columns, g, firstImage: first, images: images, firstChannel: group * g.inPerGroup,
                            into: dx)
            }
        }
    }

    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                               _ dw: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, _ c: KernelContext) {
        let plane = g.outputPlane
        if DepthwiseConv2d.applies(to: g) && c.depthwise {
            DepthwiseConv2d.backwardWeight(dy, x, dw, g)
            return
        }
        if useUnrolled(g, c) {
            UnrolledConv2d.backwardWeight(dy, x, dw, g, c)
            return
        }
        if useWinograd(g, c) {
            Winograd3x3.backward(dy, x, nil, nil, weightGradient: dw, inputGradient: nil, g, c)
            return
        }
        if g.isPointwise && g.groups == 1 {
            for n in 0..<g.batch {
                BLAS.sgemm(transB: true, m: g.outChannels, n: g.inChannels, k: plane,
                           a: dy + n * g.outChannels * plane, lda: plane,
                           b: x + n * g.inChannels * plane, ldb: plane,
                           beta: 1, c: dw, ldc: g.inChannels)
            }
            return
        }
        if useImageParallel(g, c) {
            backwardWeightImageParallel(dy, x, dw, g)
            return
        }
        forEachChunk(g, c) { first, images in
            let width = images * plane
            let gathered = gatheredGradient(dy, g, c, firstImage: first, images: images)
            let columns = c.buffer(.columns, count: g.patchSize * width)
            for group in 0..<g.groups {
                Im2col.unfold(x, g, firstImage: first, images: images, firstChannel: group * g.inPerGroup,
                              into: columns)
                BLAS.sgemm(transB: true, m: g.outPerGroup, n: g.patchSize, k: width,
                           a: gathered + group * g.outPerGroup * width, lda: width,
                           b: columns, ldb: width,
                           beta: 1, c: dw + group * g.outPerGroup * g.patchSize, ldc: g.patchSize)
            }
        }
    }

    /// Each worker unfolds one image into its own cache-sized buffer and multiplies it on its own
    /// core: the columns never leave the cache, which matters when the unfold costs as much as the
    /// product (strided 1×1 convolutions, small K).
    private static func forwardImageParallel(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                             _ y: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        forEachImageAndGroup(g) { image, group, columns in
            Im2col.unfoldSerial(x, g, image: image, firstChannel: group * g.inPerGroup, into: columns)
            BLAS.sgemmSerial(m: g.outPerGroup, n: g.outputPlane, k: g.patchSize,
                             a: w + group * g.outPerGroup * g.patchSize, lda: g.patchSize,
                             b: columns, ldb: g.outputPlane, beta: 0,
                             c: y + (image * g.outChannels + group * g.outPerGroup) * g.outputPlane,
                             ldc: g.outputPlane)
        }
    }

    private static func backwardInputImageParallel(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                                   _ dx: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        forEachImageAndGroup(g) { image, group, columns in
            BLAS.sgemmSerial(transA: true, m: g.patchSize, n: g.outputPlane, k: g.outPerGroup,
                             a: w + group * g.outPerGroup * g.patchSize, lda: g.patchSize,
                             b: dy + (image * g.outChannels + group * g.outPerGroup) * g.outputPlane,
                             ldb: g.outputPlane, beta: 0, c: columns, ldc: g.outputPlane)
            Im2col.foldSerial(columns, g, image: image, firstChannel: group * g.inPerGroup, into: dx)
        }
    }

    /// Runs `body` for every (image, group) with images spread over the workers and OpenBLAS on one
    /// thread; each worker owns one columns buffer of (C_g·KH·KW, OH·OW).
    private static func forEachImageAndGroup(_ g: Conv2dGeometry,
                                             _ body: (_ image: Int, _ group: Int, UnsafeMutablePointer<Float>) -> Void) {
        BLAS.withSingleThread {
            Parallel.forEach(g.batch) { images in
                let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
                defer { columns.deallocate() }
                for image in images {
                    for group in 0..<g.groups { body(image, group, columns) }
                }
            }
        }
    }

    /// The batch is split into pieces (`Numerics.reductionPieces`: a fixed number unless the
    /// numerics are fast); each sums its images' products into a private copy of the weight
    /// gradient, and the copies are added in piece order at the end, so no two threads write the
    /// same value and the sum does not depend on how many threads there are.
    private static func backwardWeightImageParallel(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                                    _ dw: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        let plane = g.outputPlane, weightCount = g.outChannels * g.patchSize
        let pieces = Numerics.reductionPieces(g.batch)
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: pieces * weightCount)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0, count: pieces * weightCount)
        BLAS.withSingleThread {
            Parallel.forEach(pieces) { range in
                let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * plane)
                defer { columns.deallocate() }
                for piece in range {
                    let partial = partials + piece * weightCount
                    for image in stride(from: piece, to: g.batch, by: pieces) {
                        for group in 0..<g.groups {
                            Im2col.unfoldSerial(x, g, image: image, firstChannel: group * g.inPerGroup, into: columns)
                            BLAS.sgemmSerial(transB: true, m: g.outPerGroup, n: g.patchSize, k: plane,
                                             a: dy + (image * g.outChannels + group * g.outPerGroup) * plane, lda: plane,
                                             b: columns, ldb: plane,
                                             beta: 1, c: partial + group * g.outPerGroup * g.patchSize, ldc: g.patchSize)
                        }
                    }
                }
            }
        }
        Parallel.forEach(weightCount, grain: 4096) { range in
            for i in range {
                var total: Float = 0
                for piece in 0..<pieces { total += partials[piece * weightCount + i] }
                dw[i] += total
            }
        }
    }

    static func useWinograd(_ g: Conv2dGeometry, _ c: KernelContext) -> Bool {
        Winograd3x3.applies(to: g) && c.winograd != false
    }

    /// Unrolled goes first: where both apply (3×3 stride 1 on a 2×2 or 1×1 plane) it does the same
    /// multiplies as Winograd without the transforms.
    static func useUnrolled(_ g: Conv2dGeometry, _ c: KernelContext) -> Bool {
        UnrolledConv2d.applies(to: g) && c.unrolled != false && !c.batchIndependent
    }

    /// Image-parallel wins wherever one image's product is large enough to keep a core busy
    /// (measured on ResNet-18's shapes: +10–50% down to 14×14 planes, −15% at 7×7). Whole-network
    /// training at 64 px, where layer2's planes are 8×8, still gained from taking 8×8 in
    /// (alternating runs: 99–108 → 106–117 img/s); taking 4×4 in as well gained nothing more.
    /// Under reproducible numerics the choice looks at the shapes alone, as if there were always
    /// `Numerics.reductionChunks` threads, so every thread count takes the same path.
    static func useImageParallel(_ g: Conv2dGeometry, _ c: KernelContext) -> Bool {
        if c.batchIndependent { return true }
        if let forced = c.imageParallel { return forced }
        let threads = Numerics.mode == .fast ? Parallel.threadCount : Numerics.reductionChunks
        return threads > 1 && g.batch >= threads && g.outputPlane >= 64
    }

    // MARK: - Helpers

    /// Splits the batch into chunks whose column matrix fits the context's `workspaceLimit`.
    private static func forEachChunk(_ g: Conv2dGeometry, _ c: KernelContext,
                                     _ body: (_ first: Int, _ images: Int) -> Void) {
        forEachChunk(batch: g.batch, floatsPerImage: g.patchSize * g.outputPlane, limit: c.workspaceLimit, body)
    }

    /// Splits `batch` images into runs of as many as fit `limit` floats of workspace (at least one).
    static func forEachChunk(batch: Int, floatsPerImage: Int, limit: Int, _ body: (_ first: Int, _ images: Int) -> Void) {
        let chunk = max(1, min(batch, limit / max(1, floatsPerImage)))
        var first = 0
        while first < batch {
            let images = min(chunk, batch - first)
            body(first, images)
            first += images
        }
    }

    /// (O, images · OH·OW) → y[first ..< first + images] in (N, O, OH·OW).
    private static func scatter(_ product: UnsafePointer<Float>, _ g: Conv2dGeometry, firstImage: Int, images: Int,
                                into y: UnsafeMutablePointer<Float>) {
        let plane = g.outputPlane, width = images * plane
        Parallel.forEach(images * g.outChannels, grain: max(1, 8192 / max(1, plane))) { range in
            for task in range {
                let image = task / g.outChannels, o = task % g.outChannels
                RowCopy.copy(product + o * width + image * plane,
                             to: y + ((firstImage + image) * g.outChannels + o) * plane, count: plane)
            }
        }
    }

    /// dy[first ..< first + images] as one (O, images · OH·OW) matrix: in place for a single image.
    private static func gatheredGradient(_ dy: UnsafePointer<Float>, _ g: Conv2dGeometry, _ c: KernelContext,
                                         firstImage: Int, images: Int) -> UnsafePointer<Float> {
        if images == 1 { return dy + firstImage * g.outChannels * g.outputPlane }
        let gathered = c.buffer(.product, count: g.outChannels * images * g.outputPlane)
        gather(dy, g, firstImage: firstImage, images: images, into: gathered)
        return UnsafePointer(gathered)
    }

    /// The adjoint of `scatter`: dy[first ..< first + images] → (O, images · OH·OW).
    private static func gather(_ dy: UnsafePointer<Float>, _ g: Conv2dGeometry, firstImage: Int, images: Int,
                               into gathered: UnsafeMutablePointer<Float>) {
        let plane = g.outputPlane, width = images * plane
        Parallel.forEach(images * g.outChannels, grain: max(1, 8192 / max(1, plane))) { range in
            for task in range {
                let image = task / g.outChannels, o = task % g.outChannels
                RowCopy.copy(dy + ((firstImage + image) * g.outChannels + o) * plane,
                             to: gathered + o * width + image * plane, count: plane)
            }
        }
    }

    private static func addBias(_ bias: Tensor, to output: inout Tensor, _ g: Conv2dGeometry) {
        let plane = g.outputPlane, channels = g.outChannels
        bias.withUnsafePointer { b in
            output.withUnsafeMutablePointer { y in
                Parallel.forEach(g.batch * channels, grain: max(1, 8192 / max(1, plane))) { range in
                    for task in range {
                        let value = b[task % channels], row = y + task * plane
                        for i in 0..<plane { row[i] += value }
                    }
                }
            }
        }
    }

    private static func checkShapes(input: Tensor, weight: Tensor, bias: Tensor?, _ g: Conv2dGeometry) {
        precondition(input.shape == g.inputShape, "conv2d input \(input.shape) does not match \(g)")
        precondition(weight.shape == g.weightShape, "conv2d weight \(weight.shape), expected \(g.weightShape)")
        precondition(bias == nil || bias?.shape == [g.outChannels], "conv2d bias must have \(g.outChannels) values")
    }
}

/// gradBias[c] += Σ_n Σ_i values[n, c, i] for values of shape (N, C, plane…).
func channelSums(_ values: Tensor, channels: Int, plane: Int, into sums: inout Tensor) {
    let batch = values.count / max(1, channels * plane)
    values.withUnsafePointer { v in
        sums.withUnsafeMutablePointer { s in
            Parallel.forEach(channels, grain: max(1, 8192 / max(1, plane * batch))) { range in
                for c in range {
                    var total: Float = 0
                    for n in 0..<batch {
                        let row = v + (n * channels + c) * plane
                        for i in 0..<plane { total += row[i] }
                    }
                    s[c] += total
                }
            }
        }
    }
}
