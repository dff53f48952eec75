// CurvePlot: a y-over-x curve with marked x positions, drawn as terminal text (braille dots) or as a standalone SVG.

import Foundation

public struct CurvePlot: Sendable {
    public struct Point: Equatable, Sendable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// A vertical mark at `x`, shown as `symbol` under the terminal plot and as a dot on the SVG curve.
    public struct Marker: Equatable, Sendable {
        public var x: Double
        public var symbol: Character
        public var label: String

        public init(x: Double, symbol: Character, label: String) {
            self.x = x
            self.symbol = symbol
            self.label = label
        }
    }

    public var points: [Point]
    public var markers: [Marker]
    public var logX: Bool
    /// The y values shown; points outside are drawn at the edge in text and clipped in SVG. nil: the data's extent.
    public var yRange: ClosedRange<Double>?
    public var title: String
    public var xLabel: String
    public var yLabel: String

    public init(points: [Point], markers: [Marker] = [], logX: Bool = false, yRange: ClosedRange<Double>? = nil,
                title: String = "", xLabel: String = "x", yLabel: String = "y") {
        self.points = points
        self.markers = markers
        self.logX = logX
        self.yRange = yRange
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    // MARK: Scales

    /// Points that can be drawn: finite, and positive x on a log axis.
    var drawable: [Point] {
        points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
    }

    private func u(_ x: Double) -> Double { logX ? log10(x) : x }

    /// The x extent in axis units (log10 of x on a log axis), widened when it is a single value.
    var uDomain: ClosedRange<Double> {
        let values = drawable.map { u($0.x) }
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        return low < high ? low...high : (low - 0.5)...(high + 0.5)
    }

    var yDomain: ClosedRange<Double> {
        if let yRange, yRange.lowerBound < yRange.upperBound { return yRange }
        let values = drawable.map(\.y)
        let low = yRange?.lowerBound ?? values.min() ?? 0, high = yRange?.upperBound ?? values.max() ?? 1
        return low < high ? low...high : (low - 0.5)...(high + 0.5)
    }

    /// The curve's y at `x`, linear between neighbouring points in axis units; the nearest end outside them.
    public func interpolatedY(at x: Double) -> Double? {
        let line = drawable
        guard let first = line.first, let last = line.last else { return nil }
        let target = u(x)
        if target <= u(first.x) { return first.y }
        for (a, b) in zip(line, line.dropFirst()) where u(a.x) <= target && target <= u(b.x) {
            let span = u(b.x) - u(a.x)
            return span > 0 ? a.y + (b.y - a.y) * (target - u(a.x)) / span : b.y
        }
        return last.y
    }

    // MARK: Terminal

    /// The plot area alone: `height` rows of `width` braille characters, each 2 dots wide and 4 high,
    /// the curve joined dot to dot; marker columns show `┊` where the curve leaves the cell empty.
    public func brailleRows(width: Int, height: Int) -> [String] {
        let columns = max(1, width), rows = max(1, height)
        var cells = [[UInt8]](repeating: [UInt8](repeating: 0, count: columns), count: rows)
        let (du, dy) = (uDomain, yDomain)
        func dot(_ point: Point) -> (Int, Int) {
            let fx = (u(point.x) - du.lowerBound) / (du.upperBound - du.lowerBound)
            let fy = (dy.upperBound - min(max(point.y, dy.lowerBound), dy.upperBound)) / (dy.upperBound - dy.lowerBound)
            return (Int((fx * Double(columns * 2 - 1)).rounded()), Int((fy * Double(rows * 4 - 1)).rounded()))
        }
        let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        func set(_ x: Int, _ y: Int) {
            guard x >= 0, x < columns * 2, y >= 0, y < rows * 4 else { return }
            cells[y / 4][x / 2] |= bits[x % 2][y % 4]
        }
        let line = drawable.map(dot)
        if let first = line.first { set(first.0, first.1) }
        for (a, b) in zip(line, line.dropFirst()) {
            let steps = max(abs(b.0 - a.0), abs(b.1 - a.1))
            for step in 0...max(steps, 0) {
                let t = steps == 0 ? 0 : Double(step) / Double(steps)
                set(Int((Double(a.0) + t * Double(b.0 - a.0)).rounded()), Int((Double(a.1) + t * Double(b.1 - a.1)).rounded()))
            }
        }
        let markerCells = Set(markers.compactMap { markerColumn($0, columns: columns) })
        return cells.map { row in
            String(row.enumerated().map { index, value -> Character in
                if value == 0 && markerCells.contains(index) { return "┊" }
                return Character(UnicodeScalar(0x2800 + UInt32(value)) ?? " ")
            })
        }
    }

    private func markerColumn(_ marker: Marker, columns: Int) -> Int? {
        guard marker.x.isFinite, !logX || marker.x > 0 else { return nil }
        let du = uDomain
        let fx = (u(marker.x) - du.lowerBound) / (du.upperBound - du.lowerBound)
        let dot = Int((fx * Double(columns * 2 - 1)).rounded())
        return (0..<columns).contains(dot / 2) ? dot / 2 : nil
    }

    /// The whole terminal chart: title, y labels, the braille area, the x axis with ticks and
    /// labels, the marker symbols under their columns, and a legend line per marker.
    public func text(width: Int = 60, height: Int = 15) -> String {
        let columns = max(10, width), rows = max(3, height)
        let dy = yDomain
        let yLabels = [0: dy.upperBound, rows / 2: (dy.lowerBound + dy.upperBound) / 2, rows - 1: dy.lowerBound]
            .mapValues { Self.number($0) }
        let margin = yLabels.values.map(\.count).max() ?? 0
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        lines.append(pad("", margin) + "  " + yLabel)
        for (index, row) in brailleRows(width: columns, height: rows).enumerated() {
            let label = yLabels[index] ?? ""
            lines.append(pad(label, margin, right: true) + (yLabels[index] == nil ? " │" : " ┤") + row)
        }
        let ticks = xTicks(limit: max(2, columns / 8)).compactMap { tick -> (Int, String)? in
            markerColumn(Marker(x: tick.value, symbol: " ", label: ""), columns: columns).map { ($0, tick.label) }
        }
        var axis = [Character](repeating: "─", count: columns)
        for (column, _) in ticks { axis[column] = "┬" }
        lines.append(pad("", margin) + " └" + String(axis))
        var labelRow = [Character](repeating: " ", count: columns + 8)
        var free = 0
        for (column, label) in ticks {
            let start = max(free, column - label.count / 2)
            guard start + label.count <= labelRow.count else { continue }
            for (offset, character) in label.enumerated() { labelRow[start + offset] = character }
            free = start + label.count + 1
        }
        let indent = pad("", margin + 2)
        lines.append(indent + String(labelRow).trimmingTrailingSpaces() + "  " + xLabel)
        if !markers.isEmpty {
            var markerRow = [Character](repeating: " ", count: columns)
            for marker in markers {
                if let column = markerColumn(marker, columns: columns) { markerRow[column] = marker.symbol }
            }
            lines.append(indent + String(markerRow).trimmingTrailingSpaces())
            for marker in markers { lines.append(indent + "\(marker.symbol) \(marker.label)") }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Ticks

    struct Tick {
        var value: Double
        var label: String
    }

    /// Decades on a log axis (every second or third one when there are many), 1-2-5 steps on a linear one.
    func xTicks(limit: Int) -> [Tick] {
        let du = uDomain
        guard logX else { return Self.niceTicks(du, count: limit).map { Tick(value: $0, label: Self.number($0)) } }
        let first = Int(du.lowerBound.rounded(.up)), last = Int(du.upperBound.rounded(.down))
        guard first <= last else { return [] }
        let stride = max(1, Int((Double(last - first + 1) / Double(max(1, limit))).rounded(.up)))
        return Swift.stride(from: first, through: last, by: stride).map { Tick(value: pow(10, Double($0)), label: Self.decade($0)) }
    }

    /// Round values (1, 2 or 5 × 10ⁿ apart) inside `range`, about `count` of them.
    static func niceTicks(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite, count > 0 else { return [range.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (range.lowerBound / step).rounded(.up)
        return Swift.stride(from: first, through: (range.upperBound / step).rounded(.down), by: 1).map { $0 * step }
    }

    static func decade(_ exponent: Int) -> String {
        switch exponent {
        case -2...(-1): return "0." + String(repeating: "0", count: -exponent - 1) + "1"
        case 0...2: return "1" + String(repeating: "0", count: exponent)
        default: return "1e\(exponent)"
        }
    }

    static func number(_ value: Double) -> String {
        String(format: "%.3g", value)
    }

    // MARK: SVG

    /// A standalone SVG: axes with ticks and grid lines, the curve clipped to the plot area, and each
    /// marker as a dashed vertical line with a dot on the curve and its label in the legend.
    public func svg(width: Int = 720, height: Int = 440) -> String {
        // The legend goes under the x axis, a line per marker, so it never covers the curve.
        let (left, right, top, bottom) = (72.0, 24.0, 44.0, 56.0 + 18.0 * Double(markers.count))
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let (du, dy) = (uDomain, yDomain)
        func px(_ x: Double) -> Double { left + (u(x) - du.lowerBound) / (du.upperBound - du.lowerBound) * plotWidth }
        func py(_ y: Double) -> Double {
            // Far-off values are pulled in so the path stays finite; the clip hides them anyway.
            let f = (dy.upperBound - y) / (dy.upperBound - dy.lowerBound)
            return top + min(max(f, -1), 2) * plotHeight
        }
        func f(_ value: Double) -> String { String(format: "%.2f", value) }
        var svg: [String] = []
        svg.append(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        svg.append(#"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" viewBox="0 0 \#(width) \#(height)" font-family="sans-serif" font-size="12">"#)
        svg.append(#"<rect width="100%" height="100%" fill="white"/>"#)
        svg.append(#"<defs><clipPath id="plot-area"><rect x="\#(f(left))" y="\#(f(top))" width="\#(f(plotWidth))" height="\#(f(plotHeight))"/></clipPath></defs>"#)
        if !title.isEmpty {
            svg.append(#"<text x="\#(f(left))" y="24" font-size="15" font-weight="bold">\#(Self.escape(title))</text>"#)
        }
        svg.append(##"<g class="grid" stroke="#e4e4e4" stroke-width="1">"##)
        let xTicks = xTicks(limit: 10).filter { du.contains(u($0.value)) }
        let yTicks = Self.niceTicks(dy, count: 6)
        for tick in xTicks { svg.append(#"<line x1="\#(f(px(tick.value)))" y1="\#(f(top))" x2="\#(f(px(tick.value)))" y2="\#(f(top + plotHeight))"/>"#) }
        for tick in yTicks { svg.append(#"<line x1="\#(f(left))" y1="\#(f(py(tick)))" x2="\#(f(left + plotWidth))" y2="\#(f(py(tick)))"/>"#) }
        svg.append("</g>")
        svg.append(#"<g class="axes" stroke="black" stroke-width="1"><line x1="\#(f(left))" y1="\#(f(top + plotHeight))" x2="\#(f(left + plotWidth))" y2="\#(f(top + plotHeight))"/><line x1="\#(f(left))" y1="\#(f(top))" x2="\#(f(left))" y2="\#(f(top + plotHeight))"/></g>"#)
        svg.append(#"<g class="ticks">"#)
        for tick in xTicks {
            svg.append(#"<line x1="\#(f(px(tick.value)))" y1="\#(f(top + plotHeight))" x2="\#(f(px(tick.value)))" y2="\#(f(top + plotHeight + 5))" stroke="black"/><text x="\#(f(px(tick.value)))" y="\#(f(top + plotHeight + 19))" text-anchor="middle">\#(Self.escape(tick.label))</text>"#)
        }
        for tick in yTicks {
            svg.append(#"<line x1="\#(f(left - 5))" y1="\#(f(py(tick)))" x2="\#(f(left))" y2="\#(f(py(tick)))" stroke="black"/><text x="\#(f(left - 8))" y="\#(f(py(tick) + 4))" text-anchor="end">\#(Self.number(tick))</text>"#)
        }
        svg.append("</g>")
        svg.append(#"<text x="\#(f(left + plotWidth / 2))" y="\#(f(top + plotHeight + 40))" text-anchor="middle">\#(Self.escape(xLabel))</text>"#)
        svg.append(#"<text transform="translate(16 \#(f(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\#(Self.escape(yLabel))</text>"#)
        let path = drawable.enumerated().map { index, point in "\(index == 0 ? "M" : "L")\(f(px(point.x))) \(f(py(point.y)))" }
        svg.append(##"<path class="curve" d="\##(path.joined(separator: " "))" fill="none" stroke="#1f77b4" stroke-width="1.8" clip-path="url(#plot-area)"/>"##)
        let colours = ["#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]
        for (index, marker) in markers.enumerated() where marker.x.isFinite && (!logX || marker.x > 0) {
            let colour = colours[index % colours.count], x = px(marker.x)
            let legend = top + plotHeight + 64 + 18 * Double(index)
            let y = interpolatedY(at: marker.x).map { py(min(max($0, dy.lowerBound), dy.upperBound)) } ?? top + plotHeight
            svg.append(#"<g class="marker" fill="\#(colour)" stroke="\#(colour)"><line x1="\#(f(x))" y1="\#(f(top))" x2="\#(f(x))" y2="\#(f(top + plotHeight))" stroke-dasharray="4 3"/><circle cx="\#(f(x))" cy="\#(f(y))" r="4.5"/><circle cx="\#(f(left + 6))" cy="\#(f(legend - 4))" r="4.5"/><text x="\#(f(left + 16))" y="\#(f(legend))" stroke="none" xml:space="preserve">\#(Self.escape("\(marker.symbol) \(marker.label)"))</text></g>"#)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
