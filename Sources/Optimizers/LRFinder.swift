// LRFinder: fastai's learning-rate range test — the exponential sweep, the divergence rule, and the suggestions.

import Foundation

/// Pure functions over the rates and losses of a sweep: the training loop asks `learningRate(at:)`
/// before each batch, feeds each batch's loss to a `Tracker`, stops when it says so, then asks for
/// `suggestions`.
public struct LRFinder: Sendable {
    public let start: Double
    public let end: Double
    public let iterations: Int
    public let stopOnDivergence: Bool
    /// fastai (v1 and v2) uses `start·(end/start)^(i/n)`, so the last batch stays one step below
    /// `end`; true uses `i/(n−1)` so that the last batch is at `end` exactly.
    public let reachesEnd: Bool

    public init(start: Double = 1e-7, end: Double = 10, iterations: Int = 100, stopOnDivergence: Bool = true,
                reachesEnd: Bool = false) {
        self.start = start
        self.end = end
        self.iterations = iterations
        self.stopOnDivergence = stopOnDivergence
        self.reachesEnd = reachesEnd
    }

    public func learningRate(at iteration: Int) -> Double {
        let steps = reachesEnd ? iterations - 1 : iterations
        return steps > 0 ? Annealing.exponential(start, end, Double(iteration) / Double(steps)) : start
    }

    public var learningRates: [Double] { (0..<iterations).map(learningRate(at:)) }

    /// Follows the smoothed loss during the sweep. fastai stops after the batch whose smoothed loss
    /// exceeds 4× the best so far (that batch is still recorded), and fastai1 also on NaN.
    public struct Tracker: Sendable {
        public let finder: LRFinder
        public private(set) var smoothed = SmoothedLoss()
        public private(set) var best = Double.infinity
        public private(set) var smoothedLosses: [Double] = []
        public private(set) var diverged = false

        public init(finder: LRFinder) {
            self.finder = finder
        }

        /// Records batch `smoothedLosses.count`'s loss; false when the sweep must stop after it.
        public mutating func record(loss: Double) -> Bool {
            let value = smoothed.add(loss)
            smoothedLosses.append(value)
            if value < best { best = value }
            if finder.stopOnDivergence && (value > 4 * best || value.isNaN) {
                diverged = true
                return false
            }
            return smoothedLosses.count < finder.iterations
        }

        /// The sweep so far: one rate per recorded batch.
        public var sweep: Sweep {
            Sweep(learningRates: (0..<smoothedLosses.count).map(finder.learningRate(at:)),
                  smoothedLosses: smoothedLosses, diverged: diverged)
        }
    }

    public struct Sweep: Equatable, Sendable {
        public let learningRates: [Double]
        public let smoothedLosses: [Double]
        public let diverged: Bool

        public init(learningRates: [Double], smoothedLosses: [Double], diverged: Bool) {
            self.learningRates = learningRates
            self.smoothedLosses = smoothedLosses
            self.diverged = diverged
        }
    }

    /// The sweep that raw batch losses `losses` (one per iteration, in order) produce: it ends at
    /// divergence or after `iterations` batches, whichever comes first.
    public func sweep(losses: [Double]) -> Sweep {
        var tracker = Tracker(finder: self)
        for loss in losses {
            if !tracker.record(loss: loss) { break }
        }
        return tracker.sweep
    }

    public struct Suggestions: Equatable, Sendable {
        /// The rate where the smoothed loss falls fastest against log(lr).
        public let steepest: Double
        /// The rate of the lowest smoothed loss, divided by 10.
        public let minimumDividedBy10: Double
    }

    /// Points fastai's suggestions skip at the start of a sweep (warm-up noise) and at its end (the blow-up).
    public var skipStart: Int { iterations / 10 }
    public static let skipEnd = 5

    /// fastai's suggestions over the sweep with its first `skipStart` and last `skipEnd` points
    /// skipped, and everything from the first NaN on dropped. nil when fewer than two points remain.
    public func suggestions(_ sweep: Sweep) -> Suggestions? {
        Self.suggestions(learningRates: sweep.learningRates, smoothedLosses: sweep.smoothedLosses,
                         skipStart: skipStart, skipEnd: LRFinder.skipEnd)
    }

    public static func suggestions(learningRates: [Double], smoothedLosses: [Double], skipStart: Int,
                                   skipEnd: Int) -> Suggestions? {
        let count = Swift.min(learningRates.count, smoothedLosses.count)
        let upper = count - skipEnd
        guard skipStart >= 0, upper - skipStart >= 2 else { return nil }
        var lrs = Array(learningRates[skipStart..<upper])
        var losses = Array(smoothedLosses[skipStart..<upper])
        if let firstNaN = losses.firstIndex(where: \.isNaN) {
            lrs = Array(lrs[..<firstNaN])
            losses = Array(losses[..<firstNaN])
        }
        guard losses.count >= 2, lrs.allSatisfy({ $0 > 0 }) else { return nil }
        let slopes = gradient(losses, at: lrs.map { log($0) })
        guard let steep = slopes.indices.min(by: { slopes[$0] < slopes[$1] }),
              let lowest = losses.indices.min(by: { losses[$0] < losses[$1] }) else { return nil }
        return Suggestions(steepest: lrs[steep], minimumDividedBy10: lrs[lowest] / 10)
    }

    /// numpy's `gradient(f, x)`: second-order central differences inside (exact for quadratics on
    /// uneven spacing), one-sided differences at both ends.
    static func gradient(_ f: [Double], at x: [Double]) -> [Double] {
        let n = f.count
        guard n >= 2 else { return Array(repeating: 0, count: n) }
        var result = [Double](repeating: 0, count: n)
        result[0] = (f[1] - f[0]) / (x[1] - x[0])
        result[n - 1] = (f[n - 1] - f[n - 2]) / (x[n - 1] - x[n - 2])
        if n > 2 {
            for i in 1..<(n - 1) {
                let hs = x[i] - x[i - 1], hd = x[i + 1] - x[i]
                result[i] = (hs * hs * f[i + 1] + (hd * hd - hs * hs) * f[i] - hd * hd * f[i - 1]) / (hs * hd * (hd + hs))
            }
        }
        return result
    }
}
