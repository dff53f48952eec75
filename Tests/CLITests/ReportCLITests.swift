// ReportCLITests: report.html after a sweep — self-contained, every chart with its points — and rendered by headless Chromium (issue 14).

import Foundation
import TestSupport
import XCTest

final class ReportCLITests: CLITestCase {
    /// A two-job sweep, trained; returns the run directory.
    private func sweepRun() throws -> URL {
        let config = directory.appendingPathComponent("sweep.yaml").path
        try """
            version: 1
            name: report
            data: {source: generated, variant: target, classes: 3, images_per_class: 10, size: 32, batch_size: 4}
            model: {arch: resnet18, meta: [8, 6]}
            train: {metrics: [error_rate, accuracy]}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 2, lr: 3e-3}
              - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
            sweep: {model.meta: [[8, 5], [8, 6]]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        let result = try runner(["run", config, "--runs", runs, "--threads", "2", "--progress", "plain"])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("report "), result.output)
        let id = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs + "/report").first)
        return URL(fileURLWithPath: runs + "/report/" + id)
    }

    /// `data-points` of every polyline of the chart titled `title`, in order, from HTML text.
    private func points(_ html: String, chart title: String) -> [Int] {
        guard let start = html.range(of: "data-chart=\"\(title)\"") else { return [] }
        let rest = html[start.upperBound...]
        let chart = rest[..<(rest.range(of: "</svg>")?.lowerBound ?? rest.endIndex)]
        return chart.components(separatedBy: "data-points=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    func testTheRunWritesASelfContainedReportWithEveryChart() throws {
        let run = try sweepRun()
        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertFalse(html.contains("<script"), "no scripts")
        let external = html.components(separatedBy: "http").dropFirst().filter { !$0.hasPrefix("://www.w3.org/2000/svg") }
        XCTAssertTrue(external.isEmpty, "nothing loaded from a network: \(external.map { $0.prefix(40) })")
        XCTAssertLessThan(html.utf8.count, 2_000_000)
        // 24 train images at batch 4: 6 batches an epoch, 3 epochs; 2 jobs.
        XCTAssertEqual(html.components(separatedBy: "data-chart=\"loss (log scale)\"").count - 1, 2)
        XCTAssertEqual(points(html, chart: "loss (log scale)"), [18, 18, 3], "train, smoothed, valid per epoch")
        XCTAssertEqual(points(html, chart: "learning rate per layer group"), [18, 18, 18])
        XCTAssertEqual(points(html, chart: "momentum"), [18])
        XCTAssertEqual(points(html, chart: "final accuracy by job"), [2])
        XCTAssertTrue(html.contains("data-bars=\"6\""), "2 stages × 3 groups of trainable bars")
        XCTAssertTrue(html.contains("data-chart=\"job graph\" data-nodes=\"8\""),
                      "data, cache, model and the frozen stage shared; an unfrozen stage and an evaluation per job")
        XCTAssertEqual(html.components(separatedBy: "<table class=\"confusion\" data-classes=\"3\">").count - 1, 2)
        XCTAssertEqual(html.components(separatedBy: "<img src=\"data:image/jpeg;base64,").count - 1, 12,
                       "the 6 validation images of each job, as top losses")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("jobs/meta=8-5/interpretation.json").path))

        // `runner report` makes it again, the same but for nothing.
        let again = try runner(["report", run.path])
        XCTAssertEqual(again.status, 0, again.error)
        XCTAssertEqual(try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8), html)
    }

    func testChromiumRendersEveryChartWithoutAConsoleError() throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ExternalTool.skip(name, "no chromium (apt-get install chromium; scripts/test.sh installs it)")
        }
        let run = try sweepRun()
        let page = run.appendingPathComponent("report.html")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--user-data-dir=" + directory.appendingPathComponent("chromium").path,
                             "--dump-dom", page.absoluteString]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, log)
        // The browser parsed the SVG into the DOM: the same charts, with the same points.
        XCTAssertEqual(points(dom, chart: "loss (log scale)"), [18, 18, 3], String(dom.prefix(500)))
        XCTAssertEqual(dom.components(separatedBy: "<svg").count - 1,
                       try String(contentsOf: page, encoding: .utf8).components(separatedBy: "<svg").count - 1)
        let consoleErrors = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Failed to load") }
        XCTAssertTrue(consoleErrors.isEmpty, consoleErrors.joined(separator: "\n"))
    }
}
