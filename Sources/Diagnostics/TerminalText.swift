// TerminalText: text from files and configs made safe to print — control characters shown as escapes, never sent raw.

/// A file name, tensor key or config value may hold an escape sequence or a newline; printed raw it
/// could rewrite the terminal or forge lines of output. `name` escapes every control character (for
/// a value set inside a message); `message` keeps the newlines and tabs a message is made of.
public enum TerminalText {
    public static func name(_ text: String) -> String { escaped(text, keeping: []) }

    public static func message(_ text: String) -> String { escaped(text, keeping: ["\n", "\t"]) }

    private static func escaped(_ text: String, keeping: Set<Unicode.Scalar>) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !keeping.contains($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) && !keeping.contains(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u{" + hex + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 controls, DEL and C1 controls (U+0080–U+009F), which terminals act on.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
