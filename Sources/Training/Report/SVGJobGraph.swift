// SVGJobGraph: the plan's job graph drawn left to right — a column per depth, a box per node, shared nodes in bold.

import Foundation

struct SVGJobGraph {
    struct Node {
        var id: String
        var kind: String
        var name: String
        var parents: [String]
        var sharedBy: Int
    }

    var nodes: [Node]

    /// plan.json's nodes, in its (topological) order.
    init(plan: [String: Any]) {
        nodes = ((plan["nodes"] as? [[String: Any]]) ?? []).map { item in
            Node(id: item["id"] as? String ?? "?", kind: item["kind"] as? String ?? "?", name: item["name"] as? String ?? "?",
                 parents: item["parents"] as? [String] ?? [], sharedBy: (item["shared_by"] as? [String])?.count ?? 1)
        }
    }

    func svg() -> String {
        var depth: [String: Int] = [:]
        for node in nodes { depth[node.id] = (node.parents.compactMap { depth[$0] }.max() ?? -1) + 1 }
        var rowOf: [String: Int] = [:]
        var used: [Int: Int] = [:]
        for node in nodes {
            let column = depth[node.id] ?? 0
            rowOf[node.id] = used[column, default: 0]
            used[column, default: 0] += 1
        }
        let boxW = 120.0, boxH = 36.0, gapX = 30.0, gapY = 12.0
        let columns = (depth.values.max() ?? 0) + 1, rows = used.values.max() ?? 1
        let width = Int(Double(columns) * (boxW + gapX) + 10), height = Int(Double(rows) * (boxH + gapY) + 10)
        func x(_ id: String) -> Double { 5 + Double(depth[id] ?? 0) * (boxW + gapX) }
        func y(_ id: String) -> Double { 5 + Double(rowOf[id] ?? 0) * (boxH + gapY) }
        var out = ["<svg class=\"graph\" data-chart=\"job graph\" data-nodes=\"\(nodes.count)\" "
                   + "xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\">"]
        for node in nodes {
            for parent in node.parents where depth[parent] != nil {
                out.append("<line class=\"edge\" x1=\"\(svgNumber(x(parent) + boxW))\" y1=\"\(svgNumber(y(parent) + boxH / 2))\" "
                           + "x2=\"\(svgNumber(x(node.id)))\" y2=\"\(svgNumber(y(node.id) + boxH / 2))\"/>")
            }
        }
        for node in nodes {
            out.append("<g class=\"node \(escape(node.kind))\"><rect x=\"\(svgNumber(x(node.id)))\" y=\"\(svgNumber(y(node.id)))\" "
                       + "width=\"\(svgNumber(boxW))\" height=\"\(svgNumber(boxH))\" rx=\"4\""
                       + (node.sharedBy > 1 ? " stroke-width=\"2.5\"" : "") + "/>"
                       + "<text x=\"\(svgNumber(x(node.id) + 6))\" y=\"\(svgNumber(y(node.id) + 15))\">"
                       + "\(escape(node.kind)): \(escape(String(node.name.prefix(12))))</text>"
                       + "<text class=\"id\" x=\"\(svgNumber(x(node.id) + 6))\" y=\"\(svgNumber(y(node.id) + 29))\">"
                       + "\(escape(node.id))\(node.sharedBy > 1 ? " ×\(node.sharedBy)" : "")</text></g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
