// Workspace: grow-only scratch buffers that kernels reuse between calls.

/// Fresh multi-megabyte allocations cost a page fault per 4 KiB on first touch, which showed up as
/// a third of the time of small convolutions; reusing one buffer per role removes that. Kernels run
/// on one thread at a time (their inner loops fan out through Parallel), so one set suffices.
public enum Workspace {
    public enum Role: Int, CaseIterable {
        case columns, product, transformedWeights, weightGradient
    }

    nonisolated(unsafe) private static var buffers = [UnsafeMutablePointer<Float>?](repeating: nil,
                                                                                   count: Role.allCases.count)
    nonisolated(unsafe) private static var capacities = [Int](repeating: 0, count: Role.allCases.count)

    /// A buffer of at least `count` floats; its contents are undefined.
    public static func buffer(_ role: Role, count: Int) -> UnsafeMutablePointer<Float> {
        if let existing = buffers[role.rawValue], capacities[role.rawValue] >= count {
            return existing
        }
        buffers[role.rawValue]?.deallocate()
        let fresh = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        buffers[role.rawValue] = fresh
        capacities[role.rawValue] = count
        return fresh
    }

    /// Frees every buffer (after a benchmark, or when a model is dropped).
    public static func release() {
        for i in buffers.indices {
            buffers[i]?.deallocate()
            buffers[i] = nil
            capacities[i] = 0
        }
    }

    public static var bytesHeld: Int {
        capacities.reduce(0, +) * MemoryLayout<Float>.stride
    }
}
