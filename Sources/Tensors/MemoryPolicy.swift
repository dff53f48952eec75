// MemoryPolicy: keeps freed activation memory in the process for reuse.

#if canImport(Glibc)
import CSystem
#endif

public enum MemoryPolicy {
    /// glibc returns large blocks (≥ 128 KiB by default) to the kernel on free, so every training
    /// step would page-fault its activations in again; measured, that was half the time of
    /// ResNet's first convolution. Raising the mmap and trim thresholds keeps them in the heap.
    public static func retainFreedMemory() {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        _ = mallopt(M_TOP_PAD, 64 << 20)
        #endif
    }
}
