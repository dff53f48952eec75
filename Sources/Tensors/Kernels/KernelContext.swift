// KernelContext: how convolutions run (which algorithm, how much scratch per chunk) and the scratch buffers they reuse.

/// Owned by a model (every convolution of a model shares its context) or made for one call; never
/// global, so two models, or a test comparing two algorithms, cannot change each other's kernels.
///
/// Fresh multi-megabyte allocations cost a page fault per 4 KiB on first touch, which showed up as
/// a third of the time of small convolutions; reusing one buffer per role removes that. A model's
/// kernels run one at a time (their inner loops fan out through Parallel), so one set suffices.
public final class KernelContext {
    /// Upper bound on the floats of one im2col column buffer; chunks of images are sized to fit.
    public var workspaceLimit = 1 << 25
    /// Output planes at least this large get one GEMM per image inside a chunk instead of one wide
    /// GEMM followed by a scatter into NCHW.
    public var directPlane = 512
    /// Depthwise convolutions take the direct kernel; false sends them through im2col like any
    /// grouped convolution (tests compare both).
    public var depthwise = true
    /// Forces off (false) or allows (nil or true) Winograd F(2×2, 3×3) where it applies.
    public var winograd: Bool?
    /// Forces off (false) or lets the geometry decide (nil) UnrolledConv2d.
    public var unrolled: Bool?
    /// Forces (true / false) or lets the heuristic choose (nil) the image-parallel im2col path.
    public var imageParallel: Bool?
    /// Upper bound on the floats of Winograd's transformed input and product per chunk of images.
    public var winogradChunkFloats = 1 << 22
    /// Every image's output is computed from that image alone, the same bytes in any batch: im2col
    /// image by image, Winograd over one image's tiles, no unrolled kernel (its product spans the
    /// batch). Cached features of a frozen prefix rely on it (`ExecutionContext`); it overrides
    /// `imageParallel` and `unrolled`.
    public var batchIndependent = false

    public enum Role: Int, CaseIterable {
        case columns, product, transformedWeights, weightGradient
    }

    private var buffers = [UnsafeMutablePointer<Float>?](repeating: nil, count: Role.allCases.count)
    private var capacities = [Int](repeating: 0, count: Role.allCases.count)

    public init() {}

    deinit {
        for buffer in buffers { buffer?.deallocate() }
    }

    /// A buffer of at least `count` floats; its contents are undefined.
    public func buffer(_ role: Role, count: Int) -> UnsafeMutablePointer<Float> {
        if let existing = buffers[role.rawValue], capacities[role.rawValue] >= count {
            return existing
        }
        buffers[role.rawValue]?.deallocate()
        let fresh = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        buffers[role.rawValue] = fresh
        capacities[role.rawValue] = count
        return fresh
    }

    public var bytesHeld: Int {
        capacities.reduce(0, +) * MemoryLayout<Float>.stride
    }
}
