// SVGLineChart: several series over one x axis, with vertical marks (stage boundaries), as an inline SVG for the report.

import Foundation

/// Each series is one `<polyline>` carrying `data-series` and `data-points` (how many points it
/// drew), so a browser test can count what was drawn. Series with many points are thinned to at
/// most `maxPoints` evenly spaced ones, which keeps a report of long runs small.
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
        /// Draw a dot at each point (few points, e.g. one per epoch).
        var dots = false
    }

    struct Mark {
        var x: Double
        var label: String
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var marks: [Mark] = []
    var logY = false
    /// Names for x positions, for a categorical axis (a sweep's values); nil: numeric ticks.
    var xNames: [Double: String]?
    var width = 640
    var height = 300
    var maxPoints = 1000

    private let left = 64.0, right = 16.0, top = 30.0, bottom = 60.0

    func svg() -> String {
        let drawn = series.map { thinned($0) }
        let all = drawn.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        guard let x0 = all.map(\.x).min(), let x1 = all.map(\.x).max(), let y0 = all.map({ u($0.y) }).min(),
              let y1 = all.map({ u($0.y) }).max() else {
            return "<svg class=\"chart\" data-chart=\"\(escape(title))\" width=\"\(width)\" height=\"60\"><text x=\"8\" y=\"30\">"
                + "\(escape(title)): no data</text></svg>"
        }
        let xs = widened(x0...x1), ys = widened(y0...y1)
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        func px(_ x: Double) -> Double { left + (x - xs.lowerBound) / (xs.upperBound - xs.lowerBound) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (u(y) - ys.lowerBound) / (ys.upperBound - ys.lowerBound)) * plotH }
        var out = ["<svg class=\"chart\" data-chart=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\" "
                   + "width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">",
                   "<text class=\"title\" x=\"\(svgNumber(left))\" y=\"18\">\(escape(title))</text>"]
        out += axes(xs: xs, ys: ys, px: px, py: py, plotW: plotW, plotH: plotH)
        for mark in marks where xs.contains(mark.x) {
            out.append("<line class=\"mark\" x1=\"\(svgNumber(px(mark.x)))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(px(mark.x)))\" "
                       + "y2=\"\(svgNumber(top + plotH))\"/><text class=\"mark-label\" x=\"\(svgNumber(px(mark.x) + 3))\" "
                       + "y=\"\(svgNumber(top + 11))\">\(escape(mark.label))</text>")
        }
        for (index, line) in drawn.enumerated() {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
            let list = points.map { "\(svgNumber(px($0.x))),\(svgNumber(py($0.y)))" }.joined(separator: " ")
            out.append("<polyline data-series=\"\(escape(line.name))\" data-points=\"\(points.count)\" fill=\"none\" "
                       + "stroke=\"\(line.color)\" stroke-width=\"1.6\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "") "
                       + "points=\"\(list)\"/>")
            if line.dots {
                out += points.map { "<circle cx=\"\(svgNumber(px($0.x)))\" cy=\"\(svgNumber(py($0.y)))\" r=\"2.6\" fill=\"\(line.color)\"/>" }
            }
            let legendX = left + 8 + Double(index % 4) * (plotW / 4)
            let legendY = Double(height) - 4
            out.append("<rect x=\"\(svgNumber(legendX))\" y=\"\(svgNumber(legendY - 8))\" width=\"10\" height=\"3\" fill=\"\(line.color)\"/>"
                       + "<text class=\"legend\" x=\"\(svgNumber(legendX + 14))\" y=\"\(svgNumber(legendY - 4))\">\(escape(line.name))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private func axes(xs: ClosedRange<Double>, ys: ClosedRange<Double>, px: (Double) -> Double, py: (Double) -> Double,
                      plotW: Double, plotH: Double) -> [String] {
        var out = ["<rect class=\"plot\" x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(plotW))\" height=\"\(svgNumber(plotH))\"/>"]
        let xTicks: [(Double, String)] = xNames.map { names in names.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
            ?? CurvePlot.niceTicks(xs, count: 6).map { ($0, CurvePlot.number($0 == 0 ? 0 : $0)) }
        for (value, label) in xTicks where xs.contains(value) {
            out.append("<line class=\"grid\" x1=\"\(svgNumber(px(value)))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(px(value)))\" y2=\"\(svgNumber(top + plotH))\"/>"
                       + "<text class=\"tick\" x=\"\(svgNumber(px(value)))\" y=\"\(svgNumber(top + plotH + 14))\" text-anchor=\"middle\">"
                       + "\(escape(label))</text>")
        }
        for value in CurvePlot.niceTicks(ys, count: 5) {
            let y = logY ? pow(10, value) : value
            out.append("<line class=\"grid\" x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(py(y)))\" x2=\"\(svgNumber(left + plotW))\" y2=\"\(svgNumber(py(y)))\"/>"
                       + "<text class=\"tick\" x=\"\(svgNumber(left - 4))\" y=\"\(svgNumber(py(y) + 4))\" text-anchor=\"end\">"
                       + "\(CurvePlot.number(y))</text>")
        }
        out.append("<text class=\"axis\" x=\"\(svgNumber(left + plotW / 2))\" y=\"\(svgNumber(top + plotH + 30))\" text-anchor=\"middle\">"
                   + "\(escape(xLabel))</text>")
        out.append("<text class=\"axis\" transform=\"translate(14,\(svgNumber(top + plotH / 2))) rotate(-90)\" "
                   + "text-anchor=\"middle\">\(escape(yLabel))</text>")
        return out
    }

    private func thinned(_ series: Series) -> Series {
        guard series.points.count > maxPoints else { return series }
        var copy = series
        let step = Double(series.points.count - 1) / Double(maxPoints - 1)
        copy.points = (0..<maxPoints).map { series.points[Int((Double($0) * step).rounded())] }
        return copy
    }

    private func u(_ y: Double) -> Double { logY ? log10(y) : y }

    private func widened(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        guard range.upperBound > range.lowerBound else { return (range.lowerBound - 0.5)...(range.upperBound + 0.5) }
        let pad = (range.upperBound - range.lowerBound) * 0.04
        return (range.lowerBound - pad)...(range.upperBound + pad)
    }
}

/// A coordinate with one decimal, as the report's SVG writes them.
func svgNumber(_ value: Double) -> String { String(format: "%.1f", value) }

/// Text for the report's HTML and SVG.
func escape(_ text: String) -> String { CurvePlot.escape(text) }
