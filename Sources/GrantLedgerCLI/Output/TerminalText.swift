/// Text from the store made safe to show on a terminal (docs/cli.md rev. 2: tables show control
/// characters escaped).
///
/// Control characters (newline and tab included, since they would break a table's layout) and the
/// bidirectional overrides and isolates are shown as visible escapes (`\n`, `\t`, `\r`,
/// `\u{1B}`, `\u{202E}`), so stored text can neither drive the terminal nor reorder what is shown.
enum TerminalText {
    /// `text` with every control and bidi override or isolate character escaped.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where needsEscape(scalar):
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `scalar` is shown escaped: a control character (Cc) or a bidi override or isolate.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
