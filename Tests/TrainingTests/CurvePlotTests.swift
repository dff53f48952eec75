// CurvePlotTests: known points land in the expected braille cells, markers sit in their columns, the SVG is well-formed.

#if canImport(FoundationXML)
import FoundationXML
#endif
import Foundation
import Training
import XCTest

final class CurvePlotTests: XCTestCase {
    /// The dot bits of a braille character (U+2800 is the empty cell).
    private func bits(_ character: Character) -> UInt32 {
        (character.unicodeScalars.first?.value ?? 0) - 0x2800
    }

    func testAFlatLineAtTheMinimumFillsTheBottomDotsOfTheBottomRow() {
        let plot = CurvePlot(points: [.init(x: 0, y: 0), .init(x: 1, y: 0), .init(x: 2, y: 1)], yRange: 0...1)
        let rows = plot.brailleRows(width: 4, height: 2).map(Array.init)
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows.map(\.count), [4, 4])
        // x 0…1 spans dot columns 0…3.5 (cells 0 and 1, and the left dot of cell 2): both bottom dots are set.
        XCTAssertEqual(bits(rows[1][0]) & 0xC0, 0xC0)
        XCTAssertEqual(bits(rows[1][1]) & 0xC0, 0xC0)
        // The last point (2, 1) is the top-right dot of the top-right cell.
        XCTAssertEqual(bits(rows[0][3]) & 0x08, 0x08)
        XCTAssertEqual(rows[0][0], "\u{2800}", "nothing in the top-left cell")
    }

    func testTheCornersOfALogScale() {
        let plot = CurvePlot(points: [.init(x: 1e-3, y: 5), .init(x: 10, y: 1)], logX: true)
        let rows = plot.brailleRows(width: 3, height: 2).map(Array.init)
        XCTAssertEqual(bits(rows[0][0]) & 0x01, 0x01, "first point: top-left dot")
        XCTAssertEqual(bits(rows[1][2]) & 0x80, 0x80, "last point: bottom-right dot")
        XCTAssertEqual(rows[1][0], "\u{2800}")
        XCTAssertEqual(rows[0][2], "\u{2800}")
    }

    func testValuesOutsideTheRangeAreDrawnAtTheEdgeAndNonFinitePointsSkipped() {
        let plot = CurvePlot(points: [.init(x: 0, y: 0.5), .init(x: 1, y: 100), .init(x: 2, y: .nan)], yRange: 0...1)
        let rows = plot.brailleRows(width: 2, height: 1).map(Array.init)
        XCTAssertEqual(bits(rows[0][1]) & 0x08, 0x08, "y 100 is clamped to the top dot of the last column")
    }

    func testMarkersAreShownInTheirColumnWithTheirSymbolAndLegend() throws {
        let points = [1e-4, 1e-3, 1e-2, 1e-1, 1].map { CurvePlot.Point(x: $0, y: 1) }
        let plot = CurvePlot(points: points, markers: [.init(x: 1e-2, symbol: "1", label: "steepest 1.00e-02")],
                             logX: true, yRange: 0...2)
        // 1e-2 is the middle of 1e-4…1: dot column round(0.5 × 19) = 10, cell 5.
        let rows = plot.brailleRows(width: 10, height: 3).map(Array.init)
        XCTAssertEqual(rows[0][5], "┊")
        XCTAssertEqual(rows[2][5], "┊")
        XCTAssertNotEqual(rows[1][5], "┊", "the curve's cell keeps its dots")
        let text = plot.text(width: 10, height: 3)
        XCTAssertTrue(text.contains("1 steepest 1.00e-02"), text)
        let lines = text.split(separator: "\n").map(String.init)
        let axis = try XCTUnwrap(lines.first { $0.contains("└") }, text)
        let markerRow = try XCTUnwrap(lines.first { $0.trimmingCharacters(in: .whitespaces) == "1" }, text)
        let corner = try XCTUnwrap(axis.firstIndex(of: "└")), symbol = try XCTUnwrap(markerRow.firstIndex(of: "1"))
        XCTAssertEqual(markerRow.distance(from: markerRow.startIndex, to: symbol),
                       axis.distance(from: axis.startIndex, to: corner) + 1 + 5, text)
        XCTAssertTrue(text.contains("1e-4") && text.contains("0.1"), "decade ticks are labelled: \(text)")
    }

    func testTheSVGIsWellFormedWithACurveAndMarkers() throws {
        let points = (0..<50).map { CurvePlot.Point(x: 1e-7 * pow(10, Double($0) / 6), y: 2 - Double($0) / 50) }
            + [CurvePlot.Point(x: 1, y: .infinity)]
        let plot = CurvePlot(points: points, markers: [.init(x: 1e-4, symbol: "1", label: "steepest <1e-4> & more"),
                                                       .init(x: 1e-3, symbol: "2", label: "min / 10")],
                             logX: true, title: "lr finder — \"tiny\"", xLabel: "learning rate", yLabel: "loss")
        let svg = plot.svg()
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "\(String(describing: parser.parserError))\n\(svg)")
        XCTAssertTrue(svg.contains(#"<path class="curve" d="M"#))
        XCTAssertEqual(svg.components(separatedBy: #"<g class="marker""#).count - 1, 2)
        XCTAssertTrue(svg.contains("steepest &lt;1e-4&gt; &amp; more"))
        XCTAssertTrue(svg.contains(">1e-7<") && svg.contains(">0.01<") && svg.contains(">10<"), "decade tick labels")
        XCTAssertFalse(svg.lowercased().contains("nan") || svg.contains("inf"), "only finite coordinates")
    }

    func testInterpolationFollowsTheCurveOnTheLogAxis() throws {
        let plot = CurvePlot(points: [.init(x: 1e-3, y: 2), .init(x: 1e-1, y: 0)], logX: true)
        XCTAssertEqual(try XCTUnwrap(plot.interpolatedY(at: 1e-2)), 1, accuracy: 1e-12)
        XCTAssertEqual(plot.interpolatedY(at: 1e-5), 2)
        XCTAssertEqual(plot.interpolatedY(at: 1), 0)
    }
}
