// Numerics: what decides a run's numbers besides its inputs — reproducible (any thread count, any AVX2 processor) or fast.

import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Floating-point sums depend on their order. In the reproducible mode (the default) every
/// reduction that threads share is split into `reductionChunks` pieces added in a fixed order,
/// kernel choices never look at the thread count, and OpenBLAS runs its Haswell (AVX2) kernels on
/// every processor, so `metrics.jsonl` and the weights are the same bytes for any `--threads` on
/// any x86-64 processor with AVX2. The fast mode lets each reduction split by thread and OpenBLAS
/// pick its kernels for the processor.
public enum Numerics {
    public enum Mode: String, CaseIterable, Sendable {
        case reproducible, fast
    }

    /// The environment variable that carries the mode into the process before OpenBLAS loads.
    public static let environmentVariable = "RUNNER_NUMERICS"
    /// OpenBLAS's kernel family in the reproducible mode: correct on every AVX2 processor.
    public static let pinnedCoreType = "Haswell"
    /// Pieces of a shared reduction in the reproducible mode: enough to keep 2–4 cores busy.
    public static let reductionChunks = 4

    private static let fastMode = Atomic<Bool>(initialFast())

    public static var mode: Mode {
        get { fastMode.load(ordering: .relaxed) ? .fast : .reproducible }
        set { fastMode.store(newValue == .fast, ordering: .relaxed) }
    }

    private static func initialFast() -> Bool {
        guard let text = getenv(environmentVariable) else { return false }
        return String(cString: text) == Mode.fast.rawValue
    }

    /// How many pieces a reduction over `count` items shared by the workers is split into.
    public static func reductionPieces(_ count: Int) -> Int {
        max(1, min(count, mode == .fast ? Parallel.threadCount : reductionChunks))
    }

    /// What the planner puts into every stage's identity: stages trained under one value give the
    /// same numbers. Reproducible results do not depend on the thread count, fast ones do.
    public static func identity(threads: Int) -> String {
        switch mode {
        case .reproducible: return "reproducible-1"
        case .fast: return "fast threads=\(threads) blas=\(BLAS.coreName)"
        }
    }

    /// How this binary was compiled: `native` (release builds for the building machine's CPU) or
    /// `portable` (RUNNER_PORTABLE=1, the baseline instruction set).
    public static var build: String {
        #if RUNNER_NATIVE
        return "native"
        #else
        return "portable"
        #endif
    }

    /// True when the processor runs AVX2 and FMA, which the pinned kernels need.
    public static var processorHasAVX2: Bool {
        let flags = processorFlags
        return flags.contains("avx2") && flags.contains("fma")
    }

    /// The widest vector unit of the processor (avx512f, avx2, …): it changes speed, not numbers.
    public static var processorVectors: String {
        let flags = processorFlags
        return ["avx512f", "avx2", "avx", "sse4_2"].first(where: flags.contains) ?? "sse2"
    }

    /// The `flags` line of /proc/cpuinfo, read once.
    private static let processorFlags: Set<String> = readProcessorFlags()

    private static func readProcessorFlags() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
            }
        }
        return []
    }
}
