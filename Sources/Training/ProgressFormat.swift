// ProgressFormat: the text pieces of training progress — durations, rates, the bar glyphs, fastai's epoch table.

import Experiments
import Foundation

public enum ProgressFormat {
    /// An ETA or elapsed time: `0:04`, `12:05`, `1:02:05` (hours only when needed).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs)
                         : String(format: "%d:%02d", minutes, secs)
    }

    /// fastai's `time` column: `00:12`, `61:05` — minutes and seconds, both two digits.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        return String(format: "%02d:%02d", total / 60, total % 60)
    }

    /// Images per second with one decimal, two significant digits below 1 so a slow model does not read 0.0.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond >= 0 else { return "? img/s" }
        return perSecond < 1 ? String(format: "%.2f img/s", perSecond) : String(format: "%.1f img/s", perSecond)
    }

    /// A bar of `width` cells in half-cell steps: done `━`, a half `╸`, to do `─` (distinct without colour).
    public static func bar(fraction: Double, width: Int) -> String {
        let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let halves = Int((clamped * Double(width * 2)).rounded(.down))
        let full = halves / 2, half = halves % 2
        return String(repeating: "━", count: full) + (half == 1 ? "╸" : "")
            + String(repeating: "─", count: max(0, width - full - half))
    }

    /// The metrics shown beside the losses: `train.metrics` in its order (valid_loss has its own column).
    public static func shown(_ metrics: [Metric]) -> [Metric] { metrics.filter { $0 != .validLoss } }

    /// fastai's metric table columns; each value is left-aligned under its name, as fastprogress prints them.
    public static func columns(_ metrics: [Metric]) -> [String] {
        ["epoch", "train_loss", "valid_loss"] + shown(metrics).map(\.description) + ["time"]
    }

    public static func header(_ metrics: [Metric]) -> String { row(columns(metrics), columns(metrics)) }

    public static func row(_ record: EpochRecord, _ metrics: [Metric]) -> String {
        row([String(record.epoch)] + ([record.trainLoss, record.validLoss] + shown(metrics).map(record.value(of:)))
            .map { String(format: "%.6f", $0) } + [clock(record.seconds)], columns(metrics))
    }

    private static func row(_ cells: [String], _ columns: [String]) -> String {
        zip(cells, columns).map { cell, name in
            pad(cell, name.count)
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
}
