// ProgressReporter: training progress like fastprogress — a live bar per epoch on a terminal, plain lines otherwise, nothing when quiet.

import Diagnostics
import Experiments
import Foundation
import Optimizers
import Tensors

/// Receives the trainer's events (stage start, each batch, each finished epoch) and free-form
/// lines, and writes them to `sink` in the chosen mode:
/// - `.tty`: one bar redrawn in place (`\r` and ANSI erase-line) while an epoch trains, replaced
///   by the epoch's table row when it ends;
/// - `.plain`: no control characters, so logs and pipes stay readable — the table header at stage
///   start, a line at each quarter of a long epoch, a row per epoch;
/// - `.quiet`: nothing.
public final class ProgressReporter {
    public enum Mode: String, CaseIterable, Sendable {
        case tty, plain, quiet

        /// `.tty` when standard output is an interactive terminal, `.plain` otherwise.
        public static var automatic: Mode { Terminal.standardOutputIsInteractive ? .tty : .plain }
    }

    public let mode: Mode
    /// Cells of the bar.
    public var barWidth = 30
    /// Redraws closer together than this are skipped: drawing every batch of a fast model would
    /// cost more terminal time than training.
    public var minimumRedrawInterval = 0.1
    /// The table's metric columns (`train.metrics`), set per job.
    public var metrics: [Metric] = Preset.metrics
    /// Epochs with fewer batches than this get no plain progress lines, only their row.
    public var plainLinesFromBatches = 20

    private let sink: (String) -> Void
    private let now: () -> Double
    private let columns: () -> Int?

    private var epochs = 0
    private var imagesPerBatch = 0
    private var epochStart = 0.0
    private var lastDraw = -Double.infinity
    private var barShown = false
    private var nextQuarter = 1
    private var smoothed = SmoothedLoss()

    /// `sink` receives text exactly as a terminal would (newlines included); `now` is a monotonic
    /// clock in seconds and `columns` the terminal width, both replaceable so tests see fixed output.
    public init(mode: Mode, sink: @escaping (String) -> Void = ProgressReporter.standardOutput,
                now: (() -> Double)? = nil, columns: @escaping () -> Int? = { Terminal.columns }) {
        self.mode = mode
        self.sink = sink
        self.columns = columns
        if let now {
            self.now = now
        } else {
            let watch = Stopwatch()
            self.now = { watch.elapsedSeconds }
        }
        epochStart = self.now()
    }

    /// Writes through C stdio, flushed, so that lines from `print` elsewhere keep their order.
    public static func standardOutput(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// A line of its own (banners, notes); in `.tty` mode it takes the bar's place and the bar
    /// comes back at the next batch.
    public func line(_ text: String) {
        guard mode != .quiet else { return }
        clearBar()
        sink(TerminalText.message(text) + "\n")
    }

    /// A warning the user must see: on standard error in every mode, quiet included.
    public func warning(_ text: String) {
        clearBar()
        fputs(TerminalText.message(text) + "\n", stderr)
    }

    /// A stage of `epochs` epochs begins: prints fastai's table header and restarts the smoothed loss.
    public func stageStarted(epochs: Int, batchSize: Int) {
        begin(epochs: epochs, batchSize: batchSize)
        line("  " + ProgressFormat.header(metrics))
    }

    /// Restarts the clock and the smoothed loss without a table header, for loops that are not
    /// epochs of a stage (the lr finder's sweep).
    public func begin(epochs: Int = 1, batchSize: Int) {
        self.epochs = epochs
        imagesPerBatch = batchSize
        smoothed = SmoothedLoss()
        startEpoch()
    }

    /// Training batch `batch` (0-based) of `batches` in epoch `epoch` (0-based) finished with `loss`.
    public func batch(epoch: Int, batch: Int, batches: Int, loss: Float) {
        advance("epoch \(epoch + 1)/\(max(epochs, epoch + 1))", done: batch + 1, of: batches, loss: loss)
    }

    /// `done` of `batches` validation batches after training epoch `epoch` (0-based); 0 when the pass
    /// starts. As fastprogress shows it: a bar of its own, rate and ETA counted from its start.
    public func validation(epoch: Int, done: Int, of batches: Int) {
        guard done > 0 else { return startEpoch() }
        advance("epoch \(epoch + 1)/\(max(epochs, epoch + 1)) valid", done: done, of: batches, loss: nil)
    }

    /// `done` of `total` batches finished, the last with `loss` (none for validation); `label` leads
    /// the bar or line.
    public func advance(_ label: String, done: Int, of batches: Int, loss: Float?) {
        if let loss { smoothed.add(Double(loss)) }
        guard batches > 0 else { return }
        // Decide whether anything is written before formatting it: most batches draw nothing.
        let time = now()
        switch mode {
        case .tty:
            // Every redraw counts against the limit, the first and last batch of a bar too: on short
            // epochs those alone came to about 64 a second.
            guard time - lastDraw >= minimumRedrawInterval else { return }
            lastDraw = time
            let head = label + " ", tail = " \(done)/\(batches) batches · \(status(done, of: batches, loss: loss, at: time))"
            // A line that wraps cannot be redrawn with `\r`: the bar gives up cells first, then the tail is cut.
            let width = (columns() ?? 80) - 1
            let cells = min(barWidth, width - head.count - tail.count)
            let bar = cells >= 5 ? ProgressGlyphs.bar(fraction: Double(done) / Double(batches), width: cells) : ""
            sink("\r\u{1B}[2K" + String((head + bar + (bar.isEmpty ? String(tail.dropFirst()) : tail)).prefix(max(1, width))))
            barShown = true
        case .plain:
            guard batches >= plainLinesFromBatches, done < batches, done * 4 >= nextQuarter * batches else { return }
            while nextQuarter * batches <= done * 4 { nextQuarter += 1 }
            sink("  \(label): \(done)/\(batches) batches · \(status(done, of: batches, loss: loss, at: time))\n")
        case .quiet:
            return
        }
    }

    /// Rate, smoothed loss (training only) and ETA after `done` of `batches` batches at `time`.
    private func status(_ done: Int, of batches: Int, loss: Float?, at time: Double) -> String {
        let elapsed = max(time - epochStart, 0)
        return ProgressFormat.rate(Double(done * imagesPerBatch) / elapsed)
            + (loss == nil ? "" : " · loss " + String(format: "%.3f", smoothed.value)) + " · ETA "
            + ProgressGlyphs.duration(elapsed / Double(done) * Double(batches - done))
    }

    /// An epoch ended (or was taken from a finished node): its table row replaces the bar.
    public func epoch(_ record: EpochRecord) {
        line("  " + ProgressFormat.row(record, metrics))
        startEpoch()
    }

    /// Leaves the terminal on a clean line, e.g. when training stops with an error mid-epoch.
    public func finish() {
        clearBar()
    }

    private func startEpoch() {
        epochStart = now()
        nextQuarter = 1
    }

    private func clearBar() {
        guard barShown else { return }
        sink("\r\u{1B}[2K")
        barShown = false
    }
}
