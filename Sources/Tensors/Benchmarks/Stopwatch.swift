// Stopwatch: monotonic wall-clock timing for benchmarks.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Stopwatch {
    private var start: timespec

    public init() {
        start = Stopwatch.now()
    }

    public var elapsedSeconds: Double {
        let end = Stopwatch.now()
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
    }

    /// The best time of `repeats` runs of `body`, after one warm-up run.
    public static func best(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let watch = Stopwatch()
            body()
            best = min(best, watch.elapsedSeconds)
        }
        return best
    }

    /// The best times of `first` and `second`, run alternately after one warm-up each, so that a
    /// noisy machine slows both sides alike and their ratio stays meaningful.
    public static func bestAlternating(repeats: Int, _ first: () -> Void, _ second: () -> Void) -> (Double, Double) {
        first()
        second()
        var best = (Double.infinity, Double.infinity)
        for _ in 0..<max(1, repeats) {
            var watch = Stopwatch()
            first()
            best.0 = min(best.0, watch.elapsedSeconds)
            watch = Stopwatch()
            second()
            best.1 = min(best.1, watch.elapsedSeconds)
        }
        return best
    }

    private static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time
    }
}
