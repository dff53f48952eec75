// BLAS: the one file that calls OpenBLAS (row-major sgemm, thread count, build configuration).

import CBLAS
import Synchronization

public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is M×K, op(B) is K×N, C is M×N.
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(!Parallel.isRunning, "sgemm called inside Parallel.forEach: OpenBLAS threads would oversubscribe")
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Runs `body` with OpenBLAS on one thread, so that `body` may call `sgemmSerial` from inside
    /// `Parallel.forEach`: each worker then multiplies its own matrices on its own core.
    public static func withSingleThread<R>(_ body: () -> R) -> R {
        let previous = threadCount
        if previous != 1 { threadCount = 1 }
        defer { if previous != 1 { threadCount = previous } }
        serialMode = true
        defer { serialMode = false }
        return body()
    }

    private static let serial = Atomic<Bool>(false)
    private static var serialMode: Bool {
        get { serial.load(ordering: .relaxed) }
        set { serial.store(newValue, ordering: .relaxed) }
    }

    /// sgemm on the calling thread only; valid inside `withSingleThread`.
    @inline(__always)
    public static func sgemmSerial(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                                   alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                                   b: UnsafePointer<Float>, ldb: Int,
                                   beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(serialMode, "sgemmSerial outside BLAS.withSingleThread")
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// OpenBLAS's own description: version, target core, threading.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    public static var coreName: String {
        guard let text = openblas_get_corename() else { return "unknown" }
        return String(cString: text)
    }
}

/// Sets both pools (OpenBLAS and the parallel-for) to `count` threads.
public func setThreadCount(_ count: Int) {
    precondition(count >= 1, "thread count must be at least 1")
    BLAS.threadCount = count
    Parallel.threadCount = count
}
