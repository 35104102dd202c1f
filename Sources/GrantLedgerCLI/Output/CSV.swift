/// Comma-separated values as RFC 4180 writes them: fields holding a comma, quote, or line break
/// are quoted, quotes doubled; lines end with CRLF.
enum CSV {
    /// One CSV line (with its CRLF) from the given fields.
    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// A field quoted when it needs to be.
    static func quote(_ field: String) -> String {
        let needsQuotes =
            field.contains { $0 == "," || $0 == "\"" || $0.isNewline }
            || field.hasPrefix(" ") || field.hasSuffix(" ")
        guard needsQuotes else { return field }
        var quoted = "\""
        for character in field {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        quoted.append("\"")
        return quoted
    }
}
