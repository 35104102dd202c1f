/// Comma-separated values as RFC 4180 writes them, safe to open in a spreadsheet (docs/cli.md rev. 2):
/// every field is quoted whole with quotes doubled, lines end with CRLF, and a cell that starts
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so that no spreadsheet runs
/// it as a formula (CSV injection).
enum CSV {
    /// One CSV line (with its CRLF) from the given fields.
    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// A field defused and quoted.
    static func quote(_ field: String) -> String {
        var quoted = "\""
        if let first = field.unicodeScalars.first, formulaStarts.contains(first) { quoted.append("'") }
        for character in field.unicodeScalars {
            if character == "\"" { quoted.append("\"") }
            quoted.unicodeScalars.append(character)
        }
        quoted.append("\"")
        return quoted
    }

    /// The first characters a spreadsheet reads as the start of a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
