// ProgressFormat: the text pieces of training progress — the time column, image rates, fastai's epoch table.

import Experiments
import Foundation

public enum ProgressFormat {
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
