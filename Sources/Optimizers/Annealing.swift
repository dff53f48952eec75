// Annealing: fastai's interpolation curves between a start and an end value.

import Foundation

/// Each version's cosine is written exactly as its source writes it; they agree mathematically but
/// differ in the last bits, and the tests compare against each version's own numbers.
public enum Annealing {
    /// fastai1 `annealing_cos`: `end + (start − end)/2 · (cos(π·pct) + 1)`.
    public static func cosineV1(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        let cosOut = cos(Double.pi * pct) + 1
        return end + (start - end) / 2 * cosOut
    }

    /// fastai2 `sched_cos`: `start + (1 + cos(π·(1 − pos)))·(end − start)/2`.
    public static func cosineV2(_ start: Double, _ end: Double, _ pos: Double) -> Double {
        start + (1 + cos(Double.pi * (1 - pos))) * (end - start) / 2
    }

    /// fastai `annealing_exp` / `sched_exp`: `start · (end/start)^pos`.
    public static func exponential(_ start: Double, _ end: Double, _ pos: Double) -> Double {
        start * pow(end / start, pos)
    }
}
