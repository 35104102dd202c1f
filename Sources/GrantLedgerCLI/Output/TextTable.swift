/// A plain-text table for people: a header row, a rule, and rows padded by display width so that
/// columns line up also when they hold Chinese text.
struct TextTable {
    /// One column: its header and whether its cells align right (amounts, counts).
    struct Column {
        var header: String
        var alignRight: Bool = false
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(columns: [Column]) {
        self.columns = columns
    }

    init(headers: [String]) {
        self.columns = headers.map { Column(header: $0) }
    }

    /// Adds a row; missing cells are blank, extra cells are dropped, control characters show escaped.
    mutating func append(_ cells: [String]) {
        var row = Array(cells.prefix(columns.count))
        while row.count < columns.count { row.append("") }
        rows.append(row.map(TerminalText.escaped))
    }

    /// The table as text, one line per row, ending with a newline.
    func render() -> String {
        var widths = columns.map { DisplayWidth.of($0.header) }
        for row in rows {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        var out = ""
        func line(_ cells: [String]) {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                let column = columns[index]
                if last && !column.alignRight {
                    parts.append(cell)
                } else {
                    parts.append(DisplayWidth.pad(cell, to: widths[index], alignRight: column.alignRight))
                }
            }
            out += parts.joined(separator: "  ")
            out += "\n"
        }
        line(columns.map(\.header))
        line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { line(row) }
        return out
    }

}

/// Key-value rows for one record (`query project 24BZX001`): labels padded to one width.
struct RecordView {
    var fields: [(label: String, value: String)] = []

    /// Adds a line; control characters in the value show escaped.
    mutating func append(_ label: String, _ value: String) {
        fields.append((TerminalText.escaped(label), TerminalText.escaped(value)))
    }

    func render() -> String {
        let width = fields.map { DisplayWidth.of($0.label) }.max() ?? 0
        var out = ""
        for field in fields {
            out += DisplayWidth.pad(field.label, to: width) + "  " + field.value + "\n"
        }
        return out
    }
}
