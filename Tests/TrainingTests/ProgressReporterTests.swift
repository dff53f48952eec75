// ProgressReporterTests: what each progress mode writes for a scripted stage, and the formatting of ETA, rate and rows.

import Diagnostics
import Experiments
@testable import Training
import XCTest

final class ProgressReporterTests: XCTestCase {
    /// A reporter whose clock advances 0.5 s per batch, writing into `output`.
    private final class Capture {
        var output = ""
        var time = 0.0

        /// A reporter writing into `output` on this clock.
        func reporter(_ mode: ProgressReporter.Mode, columns: Int? = 120) -> ProgressReporter {
            let reporter = ProgressReporter(mode: mode, sink: { self.output += $0 }, now: { self.time }, columns: { columns })
            reporter.metrics = [.accuracy, .errorRate]
            return reporter
        }

        /// One epoch of `batches` training batches, `seconds` apart.
        func train(_ reporter: ProgressReporter, epoch: Int, batches: Int, seconds: Double, loss: Float) {
            for batch in 0..<batches {
                time += seconds
                reporter.batch(epoch: epoch, batch: batch, batches: batches, loss: loss)
            }
        }

        /// A validation pass of `batches` batches, `seconds` apart, started `startDelay` after now.
        func validate(_ reporter: ProgressReporter, batches: Int, seconds: Double, startDelay: Double) {
            time += startDelay
            reporter.validation(epoch: 0, done: 0, of: batches)
            for done in 1...batches {
                time += seconds
                reporter.validation(epoch: 0, done: done, of: batches)
            }
        }
    }

    private func record(_ epoch: Int) -> EpochRecord {
        EpochRecord(stage: "frozen", epoch: epoch, trainLoss: 1.5 - Double(epoch) * 0.25, validLoss: 1.25,
                    accuracy: 0.5, errorRate: 0.5, topKAccuracy: 1, seconds: 12.4)
    }

    /// Two epochs of `batches` batches with a banner line before them; returns what the reporter wrote.
    private func script(_ mode: ProgressReporter.Mode, batches: Int = 40, columns: Int? = 120) -> String {
        let capture = Capture()
        let reporter = capture.reporter(mode, columns: columns)
        reporter.line("stage frozen: freeze_to -1, trainable 10 of 20")
        reporter.stageStarted(epochs: 2, batchSize: 4)
        for epoch in 0..<2 {
            capture.train(reporter, epoch: epoch, batches: batches, seconds: 0.5, loss: 1.25)
            reporter.epoch(record(epoch))
        }
        reporter.finish()
        return capture.output
    }

    func testPlainOutputHasNoControlCharactersAndOneRowPerEpoch() {
        let output = script(.plain)
        XCTAssertFalse(output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, output)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "stage frozen: freeze_to -1, trainable 10 of 20")
        XCTAssertEqual(lines.filter { $0 == "  epoch  train_loss  valid_loss  accuracy  error_rate  time" }.count, 1)
        XCTAssertEqual(lines.filter { $0.hasPrefix("  0      1.500000") }.count, 1, output)
        XCTAssertEqual(lines.filter { $0.hasPrefix("  1      1.250000") }.count, 1, output)
        // A line at each quarter of a 40-batch epoch, the last quarter being the row itself.
        let progress = lines.filter { $0.hasPrefix("  epoch 1/2: ") }
        XCTAssertEqual(progress, ["  epoch 1/2: 10/40 batches · 8.0 img/s · loss 1.250 · ETA 0:15",
                                  "  epoch 1/2: 20/40 batches · 8.0 img/s · loss 1.250 · ETA 0:10",
                                  "  epoch 1/2: 30/40 batches · 8.0 img/s · loss 1.250 · ETA 0:05"])
        XCTAssertEqual(lines.filter { $0.hasPrefix("  epoch 2/2: ") }.count, 3)
        XCTAssertEqual(lines.last, "")
        XCTAssertFalse(script(.plain, batches: 5).contains("batches"), "short epochs get only their row")
    }

    func testTTYOutputRedrawsTheBarInPlaceAndEndsWithTheRows() {
        let output = script(.tty)
        XCTAssertTrue(output.contains("\r\u{1B}[2K"))
        XCTAssertTrue(output.contains("epoch 1/2 ━━━━━━━━━━━━━━━─────────────── 20/40 batches · 8.0 img/s"
                                      + " · loss 1.250 · ETA 0:10"), output)
        XCTAssertTrue(output.contains("\r\u{1B}[2K  0      1.500000    1.250000    0.500000  0.500000    00:12\n"))
        XCTAssertTrue(output.hasSuffix("\r\u{1B}[2K  1      1.250000    1.250000    0.500000  0.500000    00:12\n"))
        // The clock moves 0.5 s per batch, above the 0.1 s throttle: every batch is drawn.
        XCTAssertEqual(output.components(separatedBy: " batches · ").count - 1, 80)
        // Every drawn line fits the terminal, so `\r` can redraw it.
        let narrow = script(.tty, columns: 60)
        let bars = narrow.components(separatedBy: "\r\u{1B}[2K").filter { $0.hasPrefix("epoch") }
        XCTAssertEqual(bars.count, 80, narrow)
        for piece in bars {
            XCTAssertLessThanOrEqual(piece.count, 59, piece)
            XCTAssertTrue(piece.contains("ETA"), piece)
        }
    }

    /// The validation pass after each epoch gets a bar of its own, counted from its start and
    /// without a loss, and leaves the training loss's smoothing alone.
    func testValidationPassHasItsOwnBar() {
        let capture = Capture()
        let reporter = capture.reporter(.tty)
        reporter.stageStarted(epochs: 2, batchSize: 4)
        capture.train(reporter, epoch: 0, batches: 4, seconds: 1, loss: 2)
        capture.validate(reporter, batches: 8, seconds: 0.25, startDelay: 5)
        XCTAssertTrue(capture.output.contains("epoch 1/2 valid ━━━━━━━━━━━━━━━─────────────── 4/8 batches · 16.0 img/s"
                                              + " · ETA 0:01"), capture.output)
        let validationBars = capture.output.components(separatedBy: "\r\u{1B}[2K").filter { $0.contains(" valid ") }
        XCTAssertEqual(validationBars.count, 8, capture.output)
        XCTAssertFalse(validationBars.contains { $0.contains("loss") }, capture.output)
        reporter.epoch(record(0))
        capture.time += 1
        reporter.batch(epoch: 1, batch: 0, batches: 4, loss: 2)
        XCTAssertTrue(capture.output.hasSuffix(" 1/4 batches · 4.0 img/s · loss 2.000 · ETA 0:03"), capture.output)

        let plain = Capture()
        let lines = plain.reporter(.plain, columns: nil)
        lines.stageStarted(epochs: 1, batchSize: 4)
        plain.validate(lines, batches: 40, seconds: 0.5, startDelay: 3)
        XCTAssertTrue(plain.output.contains("  epoch 1/1 valid: 20/40 batches · 8.0 img/s · ETA 0:10\n"), plain.output)
    }

    func testTTYRedrawsAreThrottled() {
        let capture = Capture()
        let reporter = capture.reporter(.tty)
        reporter.stageStarted(epochs: 1, batchSize: 4)
        capture.train(reporter, epoch: 0, batches: 100, seconds: 0.01, loss: 1)
        // 1 s of batches at ≤ 10 redraws per second.
        let draws = capture.output.components(separatedBy: " batches · ").count - 1
        XCTAssertLessThanOrEqual(draws, 11)
        XCTAssertGreaterThanOrEqual(draws, 9)
    }

    func testShortEpochsStayWithinTenRedrawsASecond() {
        // 50 epochs of 2 batches, 5 ms apart: half a second. Drawing each bar's first and last batch
        // regardless of the clock gave 100 redraws here.
        let capture = Capture()
        let reporter = capture.reporter(.tty)
        reporter.stageStarted(epochs: 50, batchSize: 4)
        for epoch in 0..<50 {
            capture.train(reporter, epoch: epoch, batches: 2, seconds: 0.005, loss: 1)
            reporter.validation(epoch: epoch, done: 0, of: 1)
            capture.time += 0.005
            reporter.validation(epoch: epoch, done: 1, of: 1)
        }
        let draws = capture.output.components(separatedBy: " batches · ").count - 1
        XCTAssertLessThanOrEqual(draws, 8, "\(draws) redraws in \(capture.time) s")
    }

    func testQuietPrintsNothing() {
        XCTAssertEqual(script(.quiet), "")
    }

    func testFormatting() {
        XCTAssertEqual(ProgressGlyphs.duration(4.2), "0:04")
        XCTAssertEqual(ProgressGlyphs.duration(65), "1:05")
        XCTAssertEqual(ProgressGlyphs.duration(3725), "1:02:05")
        XCTAssertEqual(ProgressGlyphs.duration(.infinity), "?")
        XCTAssertEqual(ProgressFormat.clock(12.4), "00:12")
        XCTAssertEqual(ProgressFormat.clock(3665), "61:05")
        XCTAssertEqual(ProgressFormat.rate(38.24), "38.2 img/s")
        XCTAssertEqual(ProgressFormat.rate(0.523), "0.52 img/s")
        XCTAssertEqual(ProgressFormat.rate(.infinity), "? img/s")
        XCTAssertEqual(ProgressGlyphs.bar(fraction: 0.5, width: 4), "━━──")
        XCTAssertEqual(ProgressGlyphs.bar(fraction: 0.625, width: 4), "━━╸─")
        XCTAssertEqual(ProgressGlyphs.bar(fraction: 1, width: 4), "━━━━")
        XCTAssertEqual(ProgressFormat.header([.accuracy, .errorRate]), "epoch  train_loss  valid_loss  accuracy  error_rate  time")
        XCTAssertEqual(ProgressFormat.row(record(3), [.accuracy, .errorRate]),
                       "3      0.750000    1.250000    0.500000  0.500000    00:12")
        // train.metrics decides the columns and their order; valid_loss keeps its own column.
        XCTAssertEqual(ProgressFormat.header([.topKAccuracy(k: 3), .validLoss, .errorRate]),
                       "epoch  train_loss  valid_loss  top_3_accuracy  error_rate  time")
        XCTAssertEqual(ProgressFormat.row(record(3), [.topKAccuracy(k: 3), .errorRate]),
                       "3      0.750000    1.250000    1.000000        0.500000    00:12")
    }
}
