// Parallel: a parallel-for over index ranges for the non-BLAS loops.

import Dispatch
import Synchronization

/// OpenBLAS keeps its own thread pool; running both at once oversubscribes the cores. Kernels
/// therefore call BLAS only outside `Parallel.forEach`, and `BLAS.sgemm` checks that.
///
/// The thread count is the process's, like the OpenBLAS pool it mirrors (`setThreadCount` sets
/// both): it is state of the process, not of a model, and is held atomically.
public enum Parallel {
    private static let threads = Atomic<Int>(defaultThreadCount())
    private static let running = Atomic<Bool>(false)

    public internal(set) static var threadCount: Int {
        get { threads.load(ordering: .relaxed) }
        set { threads.store(newValue, ordering: .relaxed) }
    }

    /// True while a `forEach` runs its bodies: nested loops stay on their thread, and BLAS refuses.
    public internal(set) static var isRunning: Bool {
        get { running.load(ordering: .relaxed) }
        set { running.store(newValue, ordering: .relaxed) }
    }

    /// Calls `body` on disjoint ranges that together cover `0..<count`. Each range holds at least
    /// `grain` indices so that tiny loops stay on the calling thread.
    public static func forEach(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let maxChunks = max(1, count / max(1, grain))
        let chunks = min(threadCount * 4, maxChunks)
        if threadCount <= 1 || chunks <= 1 || isRunning {
            body(0..<count)
            return
        }
        isRunning = true
        defer { isRunning = false }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                if start < end { body(start..<end) }
            }
        }
    }

    static func defaultThreadCount() -> Int {
        if let text = getenv("RUNNER_THREADS"), let n = Int(String(cString: text)), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
