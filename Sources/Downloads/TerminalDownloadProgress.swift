// TerminalDownloadProgress: a download's progress on the terminal (one bar redrawn in place) or in a log
// (a line per quarter and a final line, no control characters).

import Diagnostics
import Foundation

public final class TerminalDownloadProgress: DownloadProgress {
    public let label: String
    private let fileDescriptor: Int32
    private let isTerminal: Bool
    private var startTime = 0.0
    private var resumedAt: Int64 = 0
    private var total: Int64?
    private var lastDraw = -Double.infinity
    private var quartersPrinted = 0

    /// At most this many redraws a second on a terminal.
    private static let redrawInterval = 0.1
    private static let barWidth = 24

    public init(label: String, fileDescriptor: Int32 = 2, isTerminal: Bool = isatty(2) != 0) {
        (self.label, self.fileDescriptor, self.isTerminal) = (label, fileDescriptor, isTerminal)
    }

    public func started(url: String, resumedAt: Int64, total: Int64?) {
        (startTime, self.resumedAt, self.total) = (Self.now(), resumedAt, total)
        lastDraw = -Double.infinity
        quartersPrinted = total.map { $0 > 0 ? Int(4 * resumedAt / $0) : 0 } ?? 0
        if isTerminal {
            draw(bytes: resumedAt, force: true)
        } else {
            let size = total.map { Self.megabytes($0) + " MB" } ?? "size unknown"
            emit(resumedAt > 0 ? "\(label): resuming \(url) at \(Self.megabytes(resumedAt)) MB of \(size)\n"
                               : "\(label): downloading \(url) (\(size))\n")
        }
    }

    public func advanced(bytes: Int64, total: Int64?) {
        if let total { self.total = total }
        if isTerminal {
            draw(bytes: bytes, force: false)
        } else if let total = self.total, total > 0 {
            let quarter = Int(min(3, 4 * bytes / total))
            guard quarter > quartersPrinted else { return }
            quartersPrinted = quarter
            emit("\(label): \(quarter * 25)% (\(Self.megabytes(bytes))/\(Self.megabytes(total)) MB, \(rateText(bytes)))\n")
        }
    }

    public func finished(bytes: Int64) {
        let elapsed = max(Self.now() - startTime, 0)
        let summary = "\(Self.megabytes(bytes)) MB in \(ProgressGlyphs.duration(elapsed)) (\(rateText(bytes)))"
        if isTerminal {
            emit("\r\u{1B}[2K\(label) \(ProgressGlyphs.bar(fraction: 1, width: Self.barWidth)) \(summary)\n")
        } else {
            emit("\(label): done, \(summary)\n")
        }
    }

    private func draw(bytes: Int64, force: Bool) {
        let now = Self.now()
        guard force || now - lastDraw >= Self.redrawInterval else { return }
        lastDraw = now
        var line = "\r\u{1B}[2K\(label) "
        if let total, total > 0 {
            line += ProgressGlyphs.bar(fraction: Double(bytes) / Double(total), width: Self.barWidth)
                + " \(Self.megabytes(bytes))/\(Self.megabytes(total)) MB · \(rateText(bytes))"
            let rate = self.rate(bytes)
            if rate > 0 { line += " · ETA " + ProgressGlyphs.duration(Double(total - bytes) / rate) }
        } else {
            line += "\(Self.megabytes(bytes)) MB · \(rateText(bytes))"
        }
        emit(line)
    }

    /// Bytes per second over this transfer, not counting what an earlier fetch left.
    private func rate(_ bytes: Int64) -> Double {
        let elapsed = Self.now() - startTime
        return elapsed > 0 ? Double(max(0, bytes - resumedAt)) / elapsed : 0
    }

    private func rateText(_ bytes: Int64) -> String {
        String(format: "%.1f MB/s", rate(bytes) / 1e6)
    }

    private func emit(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(fileDescriptor, base + offset, buffer.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            // Progress is a courtesy: a closed or full stream must not fail the download.
            if written <= 0 { return }
            offset += written
        }
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1e6) }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
