// YAMLWriter: turns a ConfigNode tree into YAML text, the same text for the same tree, for resolved.yaml and job ids.

import Foundation
import Yams

enum YAMLWriter {
    static func document(_ node: ConfigNode) -> String {
        lines(node, indent: 0).joined(separator: "\n") + "\n"
    }

    /// One line, flow style: `[8, 5]`, `{slice: [1e-6, 1e-4]}`.
    static func flow(_ node: ConfigNode) -> String {
        switch node.kind {
        case let .scalar(s): return scalar(s, inFlow: true)
        case let .sequence(items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case let .mapping(entries):
            return "{" + entries.map { scalar(.init($0.key, .string), inFlow: true) + ": " + flow($0.value) }
                .joined(separator: ", ") + "}"
        }
    }

    private static func lines(_ node: ConfigNode, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch node.kind {
        case let .mapping(entries) where !entries.isEmpty:
            var out: [String] = []
            for entry in entries {
                let key = pad + scalar(.init(entry.key, .string), inFlow: false) + ":"
                if isInline(entry.value) {
                    out.append(key + " " + inline(entry.value))
                } else {
                    out.append(key)
                    out += lines(entry.value, indent: indent + 2)
                }
            }
            return out
        case let .sequence(items) where !isInline(node):
            var out: [String] = []
            for item in items {
                if isInline(item) {
                    out.append(pad + "- " + inline(item))
                } else {
                    // The item's block starts on the dash line: "- name: frozen", then its other keys below.
                    let sub = lines(item, indent: indent + 2)
                    out.append(pad + "- " + sub[0].dropFirst(indent + 2))
                    out += sub.dropFirst()
                }
            }
            return out
        default:
            return [pad + inline(node)]
        }
    }

    /// Scalars, lists without mappings inside, and empty mappings fit on the key's line.
    private static func isInline(_ node: ConfigNode) -> Bool {
        switch node.kind {
        case .scalar: return true
        case let .sequence(items): return items.allSatisfy { $0.entries == nil && isInline($0) }
        case let .mapping(entries): return entries.isEmpty
        }
    }

    private static func inline(_ node: ConfigNode) -> String {
        if let s = node.scalar { return scalar(s, inFlow: false) }
        return flow(node)
    }

    static func scalar(_ s: ConfigNode.Scalar, inFlow: Bool) -> String {
        switch s.type {
        case .null: return "null"
        case .bool, .int, .float: return s.text
        case .string: return isPlainSafe(s.text, inFlow: inFlow) ? s.text : quoted(s.text)
        }
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Conservative: plain only when YAML would read the text back as this same string. `slice(a, b)` stays
    /// plain in block context, where commas are ordinary characters.
    private static func isPlainSafe(_ text: String, inFlow: Bool) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              first != " ", last != " " else { return false }
        let start = CharacterSet.letters.union(.decimalDigits).union(CharacterSet(charactersIn: "_./("))
        var inner = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_./-+()"))
        if !inFlow { inner.formUnion(CharacterSet(charactersIn: ", ")) }
        guard start.contains(first), text.unicodeScalars.allSatisfy({ $0.isASCII && inner.contains($0) }) else {
            return false
        }
        return Resolver.default.resolveTag(of: Node(text)) == .str
    }
}
