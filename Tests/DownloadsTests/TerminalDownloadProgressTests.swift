// TerminalDownloadProgressTests: a throttled bar redrawn in place on a terminal; quarter lines without control
// characters otherwise.

import Downloads
import Foundation
import XCTest

final class TerminalDownloadProgressTests: XCTestCase {
    /// Runs `body` with a progress writing into a pipe and returns what it wrote.
    private func output(isTerminal: Bool, _ body: (TerminalDownloadProgress) -> Void) -> String {
        let pipe = Pipe()
        let progress = TerminalDownloadProgress(label: "resnet18.pth", fileDescriptor: pipe.fileHandleForWriting.fileDescriptor,
                                                isTerminal: isTerminal)
        body(progress)
        try? pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    private func simulate(_ progress: TerminalDownloadProgress) {
        progress.started(url: "https://download.pytorch.org/models/resnet18.pth", resumedAt: 0, total: 4_000_000)
        for step in 1...1000 { progress.advanced(bytes: Int64(step * 4000), total: 4_000_000) }
        progress.finished(bytes: 4_000_000)
    }

    func testPlainOutputHasALinePerQuarterAndNoControlCharacters() {
        let text = output(isTerminal: false, simulate)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 5, text)
        XCTAssertTrue(lines[0].contains("downloading https://download.pytorch.org/models/resnet18.pth (4.0 MB)"), text)
        for (line, percent) in zip(lines[1...3], [25, 50, 75]) { XCTAssertTrue(line.hasPrefix("resnet18.pth: \(percent)%"), text) }
        XCTAssertTrue(lines[4].hasPrefix("resnet18.pth: done, 4.0 MB in"), text)
        XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "control characters in \(text.debugDescription)")
    }

    func testTerminalOutputRedrawsOneLineAtMostTenTimesASecond() {
        let text = output(isTerminal: true, simulate)
        // The start, a redraw or two during the (sub-second) loop, and the final line.
        let redraws = text.components(separatedBy: "\r\u{1B}[2K").count - 1
        XCTAssertGreaterThanOrEqual(redraws, 2)
        XCTAssertLessThanOrEqual(redraws, 4, text.debugDescription)
        XCTAssertEqual(text.filter { $0 == "\n" }.count, 1)
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertTrue(text.contains("resnet18.pth ━━━━━━━━━━━━━━━━━━━━━━━━ 4.0 MB in"), text)
        let partial = output(isTerminal: true) { progress in
            progress.started(url: "u", resumedAt: 1_000_000, total: 4_000_000)
        }
        XCTAssertTrue(partial.contains("1.0/4.0 MB"), partial)
    }
}
