// BLAS: the one file that calls OpenBLAS (row-major sgemm, thread count, build configuration).

import CBLAS
import Synchronization

public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is M×K, op(B) is K×N, C is M×N.
    ///
    /// OpenBLAS's threads split C in a way that changes how each value is summed (measured: the
    /// same product cut into column or row blocks differs in the last bits), so under reproducible
    /// numerics C is cut into blocks by its shape alone (`blocks`), each multiplied by one-threaded
    /// OpenBLAS, the blocks spread over the parallel-for: the same sums for any thread count.
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(!Parallel.isRunning, "sgemm called inside Parallel.forEach: OpenBLAS threads would oversubscribe")
        guard m > 0, n > 0 else { return }
        guard Numerics.mode == .reproducible else {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        let count = blocks(m: m, n: n, k: k)
        let rows = m >= n
        withSingleThread {
            Parallel.forEach(count) { range in
                for block in range {
                    let (start, end) = bounds(block, of: count, length: rows ? m : n)
                    if rows {
                        sgemmSerial(transA: transA, transB: transB, m: end - start, n: n, k: k, alpha: alpha,
                                    a: a + (transA ? start : start * lda), lda: lda, b: b, ldb: ldb, beta: beta,
                                    c: c + start * ldc, ldc: ldc)
                    } else {
                        sgemmSerial(transA: transA, transB: transB, m: m, n: end - start, k: k, alpha: alpha,
                                    a: a, lda: lda, b: b + (transB ? start * ldb : start), ldb: ldb, beta: beta,
                                    c: c + start, ldc: ldc)
                    }
                }
            }
        }
    }

    /// Blocks of C under reproducible numerics: up to `Numerics.reductionChunks` along its longer
    /// side, none under 64 wide or under about a million multiply-adds — from the shape alone.
    static func blocks(m: Int, n: Int, k: Int) -> Int {
        let work = m * n * max(k, 1)
        return max(1, min(Numerics.reductionChunks, max(m, n) / 64, work / (1 << 20)))
    }

    /// Block `index` of `count` over `length`, its edges on multiples of 16 (OpenBLAS's kernel width).
    static func bounds(_ index: Int, of count: Int, length: Int) -> (Int, Int) {
        func edge(_ i: Int) -> Int { i == count ? length : min(length, (length * i / count) / 16 * 16) }
        return (edge(index), edge(index + 1))
    }

    /// Runs `body` with OpenBLAS on one thread, so that `body` may call `sgemmSerial` from inside
    /// `Parallel.forEach`: each worker then multiplies its own matrices on its own core.
    public static func withSingleThread<R>(_ body: () -> R) -> R {
        let previous = threadCount
        if previous != 1 { threadCount = 1 }
        defer { if previous != 1 { threadCount = previous } }
        let wasSerial = serialMode
        serialMode = true
        defer { serialMode = wasSerial }
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

/// Sets the parallel-for to `count` threads, and OpenBLAS too under fast numerics.
public func setThreadCount(_ count: Int) {
    precondition(count >= 1, "thread count must be at least 1")
    // Reproducible numerics run OpenBLAS on one thread and spread its blocks themselves (BLAS.sgemm).
    BLAS.threadCount = Numerics.mode == .fast ? count : 1
    Parallel.threadCount = count
}
