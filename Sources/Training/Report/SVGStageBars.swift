// SVGStageBars: per stage, a bar per layer group split into trainable and frozen parameters — the counts the plan logs.

/// Bar lengths are on a square-root scale of parameters, so a head of 500k beside a body of 20M is
/// still visible; the numbers are written beside each bar.
struct SVGStageBars {
    var stages: [StageRecord]

    func svg() -> String {
        let rowHeight = 18.0, left = 150.0, barWidth = 360.0
        let rows = stages.reduce(0) { $0 + $1.groups.count + 1 }
        let height = Int(Double(rows) * rowHeight + 40)
        let largest = Double(stages.flatMap(\.groups).map(\.params).max() ?? 1).squareRoot()
        var out = ["<svg class=\"chart\" data-chart=\"trainable parameters\" xmlns=\"http://www.w3.org/2000/svg\" "
                   + "width=\"640\" height=\"\(height)\">",
                   "<text class=\"title\" x=\"4\" y=\"16\">Trainable (dark) and frozen (light) parameters per layer group</text>"]
        var y = 30.0
        var bars = 0
        for stage in stages {
            out.append("<text class=\"legend\" x=\"4\" y=\"\(svgNumber(y + 12))\">stage \(escape(stage.name)) "
                       + "(freeze_to \(stage.freezeTo))</text>")
            y += rowHeight
            for group in stage.groups {
                let whole = Double(group.params).squareRoot() / max(largest, 1) * barWidth
                let trained = group.params == 0 ? 0 : whole * Double(group.trainable) / Double(group.params)
                out.append("<text class=\"tick\" x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(y + 12))\" text-anchor=\"end\">"
                           + "group \(group.index) · lr \(CurvePlot.number(group.lr))</text>")
                out.append("<rect class=\"frozen\" data-bar=\"\(escape(stage.name))/\(group.index)\" x=\"\(svgNumber(left))\" "
                           + "y=\"\(svgNumber(y + 2))\" width=\"\(svgNumber(whole))\" height=\"12\"/>")
                out.append("<rect class=\"trainable\" x=\"\(svgNumber(left))\" y=\"\(svgNumber(y + 2))\" "
                           + "width=\"\(svgNumber(trained))\" height=\"12\"/>")
                out.append("<text class=\"tick\" x=\"\(svgNumber(left + whole + 6))\" y=\"\(svgNumber(y + 12))\">"
                           + "\(group.trainable) / \(group.params)</text>")
                y += rowHeight
                bars += 1
            }
        }
        out[0] = out[0].replacingOccurrences(of: "data-chart=", with: "data-bars=\"\(bars)\" data-chart=")
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
