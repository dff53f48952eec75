// PlanRenderer: a job graph as text, as the JSON of `runner plan --format json`, and as Graphviz dot.

import Experiments
import Foundation

public enum PlanRenderer {
    public static func text(_ graph: JobGraph) -> String {
        var lines = ["\(graph.jobs.count) job\(graph.jobs.count == 1 ? "" : "s"), \(graph.nodes.count) nodes"
                     + " (\(graph.jobs.reduce(0) { $0 + $1.nodes.count } - graph.nodes.count) shared runs saved)"]
        for job in graph.jobs {
            lines.append("")
            lines.append("job \(job.id)" + (job.overrides.isEmpty ? "" : "  [\(job.overrides.joined(separator: ", "))]"))
            for id in job.nodes {
                guard let node = graph.node(id) else { continue }
                let shared = node.sharedBy.count > 1 ? "  (shared by \(node.sharedBy.count) jobs)" : ""
                let first = node.sharedBy.first == job.id ? "" : "  → already planned by job \(node.sharedBy.first ?? "")"
                lines.append("  \(node.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))"
                             + "\(node.name)  \(node.id)\(shared)\(first)")
                if let stage = node.stage, node.sharedBy.first == job.id {
                    lines.append("      freeze_to \(stage.freezeTo), \(stage.epochs) epoch\(stage.epochs == 1 ? "" : "s"),"
                                 + " trainable \(thousands(stage.trainable)) of \(thousands(stage.parameters))")
                    for group in stage.groups {
                        lines.append("      group \(group.index): \(thousands(group.parameters).leftPad(12)) params,"
                                     + " \(thousands(group.trainable).leftPad(12)) trainable, lr \(short(group.lr))")
                    }
                    if stage.exactPrefix > 0 { lines.append("      " + precomputeText(stage)) }
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    public static func jsonObject(_ graph: JobGraph) -> [String: Any] {
        [
            "jobs": graph.jobs.map { ["id": $0.id, "overrides": $0.overrides, "nodes": $0.nodes] },
            "nodes": graph.nodes.map { node -> [String: Any] in
                var item: [String: Any] = ["id": node.id, "kind": node.kind.rawValue, "name": node.name,
                                           "hash": node.hash, "parents": node.parents, "shared_by": node.sharedBy,
                                           // What the hash is made of, so two plans show why a node changed.
                                           "identity": Dictionary(node.identity.fields.map { ($0.name, $0.value) },
                                                                  uniquingKeysWith: { first, _ in first })]
                if let stage = node.stage {
                    item["stage"] = [
                        "freeze_to": stage.freezeTo, "epochs": stage.epochs, "lrs": stage.lrs,
                        "total_params": stage.parameters, "trainable_params": stage.trainable,
                        "exact_prefix": stage.exactPrefix, "precompute": stage.precompute,
                        "groups": stage.groups.map {
                            ["index": $0.index, "params": $0.parameters, "trainable": $0.trainable, "lr": $0.lr]
                        },
                    ] as [String: Any]
                }
                return item
            },
        ]
    }

    /// What a stage with a fixed prefix does with it.
    static func precomputeText(_ stage: JobGraph.StagePlan) -> String {
        let children = "body children 0–\(stage.exactPrefix - 1) fixed"
        return stage.precompute ? children + ": precomputed, their features cached once per image"
            : children + ": run every epoch (precompute: false)"
    }

    public static func dot(_ graph: JobGraph) -> String {
        var lines = ["digraph plan {", "  rankdir=LR;"]
        for node in graph.nodes {
            let label = "\(node.kind.rawValue): \(node.name)\\n\(node.id)"
                + (node.sharedBy.count > 1 ? "\\nshared by \(node.sharedBy.count)" : "")
            lines.append("  \"\(node.id)\" [label=\"\(label)\"\(node.sharedBy.count > 1 ? ", style=bold" : "")];")
            for parent in node.parents { lines.append("  \"\(parent)\" -> \"\(node.id)\";") }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    /// A learning rate to 6 significant digits: slices are geometric, so their values rarely print short.
    static func short(_ value: Double) -> String {
        String(format: "%.6g", value)
    }

    static func thousands(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }
}

private extension String {
    func leftPad(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
