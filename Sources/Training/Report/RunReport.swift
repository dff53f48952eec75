// RunReport: report.html — one self-contained page per run: curves, schedules, trainable counts, interpretation, the sweep and the job graph.

import Experiments
import Foundation
import Optimizers

/// Inline CSS and SVG only: no script, no font or image from a network; thumbnails are data URIs.
/// Everything comes from the run directory (plan.json, summary.json, each job's metrics.jsonl,
/// stages.json and interpretation.json), so the page can be made again at any time.
public enum RunReport {
    public static let fileName = "report.html"
    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    /// Writes `<run>/report.html` and returns its path.
    @discardableResult
    public static func write(run: URL, topLosses: Int = 9) throws -> URL {
        let html = try render(run: run, topLosses: topLosses)
        try RunStore(existing: run).write(fileName, text: html)
        return run.appendingPathComponent(fileName)
    }

    public static func render(run: URL, topLosses: Int = 9) throws -> String {
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("plan.json")))
            as? [String: Any] ?? [:]
        let jobs = try ((plan["jobs"] as? [[String: Any]]) ?? []).map { item in
            try ReportJob(run: run, id: item["id"] as? String ?? "?", overrides: item["overrides"] as? [String] ?? [])
        }
        let name = run.deletingLastPathComponent().lastPathComponent
        var body = ["<h1>\(escape(name)) <small>\(escape(run.lastPathComponent))</small></h1>", header(run)]
        if jobs.count > 1 { body += sweep(jobs) }
        body += ["<h2>Job graph</h2>", "<p class=\"note\">Each box is a node of plan.json; bold boxes are shared by"
                 + " several jobs and ran once.</p>", SVGJobGraph(plan: plan).svg()]
        for job in jobs { body += section(job, topLosses: topLosses) }
        return page(title: "\(name) \(run.lastPathComponent)", body: body.joined(separator: "\n"))
    }

    private static func header(_ run: URL) -> String {
        let env = (try? Data(contentsOf: run.appendingPathComponent("env.json")))
            .flatMap { try? RunJSON.decode(EnvironmentRecord.self, from: $0) }
        let finished = FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path)
        return "<p class=\"note\">" + (finished ? "finished" : "not finished (no summary.json)")
            + (env.map { " · \(escape($0.cpu)), \($0.threads) threads · seed \($0.seed) · git \(escape(String($0.gitCommit.prefix(10))))" } ?? "")
            + "</p>"
    }

    // MARK: Sweep

    private static func sweep(_ jobs: [ReportJob]) -> [String] {
        let metrics = Array(Set(jobs.flatMap { $0.final?.values.byName.keys.map { $0 } ?? [] })).sorted()
        var rows = ["<table class=\"sweep\"><tr><th>job</th><th>swept</th>" + metrics.map { "<th>\($0)</th>" }.joined() + "</tr>"]
        for job in jobs {
            let values = job.final?.values.byName ?? [:]
            rows.append("<tr><td>\(escape(job.id))</td><td>\(escape(job.overrides.joined(separator: " ")))</td>"
                        + metrics.map { "<td>\(values[$0].map { String(format: "%.4f", $0) } ?? "-")</td>" }.joined() + "</tr>")
        }
        rows.append("</table>")
        let names = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { (Double($0.offset), Self.sweptValue($0.element)) })
        let axis = jobs.first?.overrides.map { String($0.prefix { $0 != "=" }) }.joined(separator: ", ") ?? "job"
        var charts: [String] = []
        for (index, metric) in metrics.filter({ $0 != "train_loss" }).enumerated() {
            let points = jobs.enumerated().compactMap { item in
                item.element.final?.values.byName[metric].map { (x: Double(item.offset), y: $0) }
            }
            charts.append(SVGLineChart(title: "final \(metric) by job", xLabel: axis, yLabel: metric,
                                       series: [.init(name: metric, color: colors[index % colors.count], points: points,
                                                      dots: true)],
                                       xNames: names, width: 420, height: 260).svg())
        }
        return ["<h2>Sweep</h2>"] + rows + ["<div class=\"row\">"] + charts + ["</div>"]
    }

    private static func sweptValue(_ job: ReportJob) -> String {
        job.overrides.map { String($0.drop { $0 != "=" }.dropFirst()) }.joined(separator: ", ")
    }

    // MARK: A job

    private static func section(_ job: ReportJob, topLosses: Int) -> [String] {
        var out = ["<h2>Job \(escape(job.id))" + (job.overrides.isEmpty ? "" : " <small>\(escape(job.overrides.joined(separator: " ")))</small>")
                   + "</h2>"]
        if let values = job.final?.values.byName {
            out.append("<p class=\"note\">final: " + values.sorted { $0.key < $1.key }
                .map { "\(escape($0.key)) \(String(format: "%.4f", $0.value))" }.joined(separator: " · ") + "</p>")
        }
        let marks = job.stageStarts.map { SVGLineChart.Mark(x: Double($0.step) + 0.5, label: $0.name) }
        var smoothed = SmoothedLoss()
        let train = job.batches.enumerated().map { (x: Double($0.offset + 1), y: $0.element.loss) }
        let smooth = job.batches.enumerated().map { (x: Double($0.offset + 1), y: smoothed.add($0.element.loss)) }
        let valid = zip(job.epochSteps, job.epochs).compactMap { step, line in
            line.values.byName["valid_loss"].map { (x: Double(step), y: $0) }
        }
        out.append("<div class=\"row\">")
        out.append(SVGLineChart(title: "loss (log scale)", xLabel: "training batch (all stages)", yLabel: "loss", series: [
            .init(name: "train (per batch)", color: "#9ecae1", points: train),
            .init(name: "train (smoothed)", color: colors[0], points: smooth),
            .init(name: "valid (per epoch)", color: colors[1], points: valid, dots: true),
        ], marks: marks, logY: true).svg())
        let groups = job.batches.map(\.lrs.count).max() ?? 0
        out.append(SVGLineChart(title: "learning rate per layer group", xLabel: "training batch", yLabel: "lr",
                                series: (0..<groups).map { group in
                                    .init(name: "group \(group)", color: colors[group % colors.count],
                                          points: job.batches.enumerated().compactMap { item in
                                              item.element.lrs.count > group
                                                  ? (x: Double(item.offset + 1), y: item.element.lrs[group]) : nil
                                          }, dashed: group % 2 == 1)
                                }, marks: marks, logY: true, width: 420).svg())
        out.append(SVGLineChart(title: "momentum", xLabel: "training batch", yLabel: "momentum", series: [
            .init(name: "momentum", color: colors[3], points: job.batches.enumerated().map { (x: Double($0.offset + 1), y: $0.element.mom) }),
        ], marks: marks, width: 420).svg())
        out.append("</div>")
        if !job.stages.isEmpty { out.append(SVGStageBars(stages: job.stages).svg()) }
        if let interpretation = job.interpretation { out += interpret(interpretation, topLosses: topLosses) }
        return out
    }

    private static func interpret(_ interpretation: Interpretation, topLosses: Int) -> [String] {
        let matrix = interpretation.confusionMatrix
        let most = matrix.flatMap { $0 }.max() ?? 1
        var table = ["<table class=\"confusion\" data-classes=\"\(interpretation.classes.count)\"><tr><th>actual \\ predicted</th>"
                     + interpretation.classes.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"]
        for (index, row) in matrix.enumerated() {
            table.append("<tr><th>\(escape(interpretation.classes[index]))</th>" + row.map { count in
                let shade = Int(255 - 180 * Double(count) / Double(max(most, 1)))
                return "<td style=\"background:rgb(\(shade),\(shade),255)\">\(count)</td>"
            }.joined() + "</tr>")
        }
        table.append("</table>")
        let confused = interpretation.mostConfused().prefix(10)
        let list = confused.isEmpty ? "<p class=\"note\">no confusions</p>"
            : "<ol class=\"confused\">" + confused.map { "<li>\(escape($0.actual)) → \(escape($0.predicted)): \($0.count)</li>" }
                .joined() + "</ol>"
        let tiles = interpretation.topLosses(topLosses).map { item in
            let picture = Thumbnail.dataURI(path: item.path).map { "<img src=\"\($0)\" alt=\"\(escape(item.path))\">" }
                ?? "<div class=\"missing\">image not found</div>"
            return "<figure class=\"loss\">\(picture)<figcaption>\(escape(interpretation.classes[item.predicted])) / "
                + "\(escape(interpretation.classes[item.actual]))<br>" + String(format: "%.2f / %.2f", item.loss, item.probability)
                + "</figcaption></figure>"
        }
        return ["<h3>Interpretation <small>accuracy \(String(format: "%.4f", interpretation.accuracy)) on"
                + " \(interpretation.items.count) validation images</small></h3>", "<div class=\"row\">"] + table
            + ["<div><h4>Most confused (actual → predicted)</h4>", list, "</div></div>",
               "<h4>Top losses <small>predicted / actual, loss / probability</small></h4>",
               "<div class=\"losses\">" + tiles.joined() + "</div>"]
    }

    private static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
        h1 small, h2 small, h3 small, h4 small { color: #777; font-weight: normal; }
        .note { color: #555; }
        .row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        svg text { font: 11px system-ui, sans-serif; fill: #333; }
        svg .title { font-size: 13px; font-weight: 600; }
        svg .plot { fill: #fcfcfc; stroke: #bbb; }
        svg .grid { stroke: #eee; }
        svg .mark { stroke: #999; stroke-dasharray: 3 3; }
        svg .mark-label { fill: #666; }
        svg .trainable { fill: #1f77b4; }
        svg .frozen { fill: #c6dbef; }
        svg .edge { stroke: #999; }
        svg .node rect { fill: #f4f4f4; stroke: #666; }
        svg .node.stage rect, svg .node.pretrain rect { fill: #e6f0fa; }
        svg .id { fill: #777; font-size: 10px; }
        table { border-collapse: collapse; margin: 8px 0; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
        .losses { display: flex; flex-wrap: wrap; gap: 8px; }
        figure.loss { margin: 0; text-align: center; font-size: 11px; }
        figure.loss img { width: 96px; height: 96px; display: block; }
        </style></head>
        <body>
        \(body)
        </body></html>

        """
    }
}
