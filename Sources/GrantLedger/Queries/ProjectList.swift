public import GrantWorkflow

/// The rows of `query projects` (``Ledger/projectList(_:as:asOf:)``): as a `JSONValue` for tables,
/// CSV and hosts, or written as JSON text straight to bytes, without building the values first.
public struct ProjectList: Sendable {
    let rows: [ProjectSummary]
    /// The day the `overdue` column is computed for.
    let today: CalendarDate

    /// How many projects are listed.
    public var count: Int { rows.count }

    /// The rows as JSON values: an array of objects with `projectNo`, `title`, `status`, `category`,
    /// `unitId`, `plannedEndDate` and `overdue`.
    public var json: JSONValue { .array(rows.map { Views.projectSummary($0, today: today) }) }

    /// Writes ``json`` as JSON text, byte for byte what `json.serialized(pretty:)` gives, in pieces
    /// of about `chunk` bytes handed to `write` (the last one possibly shorter).
    public func writeJSON(pretty: Bool, chunk: Int = 1 << 16, _ write: ([UInt8]) -> Void) {
        Self.writeJSON(rows, today: today, pretty: pretty, chunk: chunk, write) { row, index, out in
            var (projectNo, title, unitId) = (row.projectNo, row.title, row.unitId)
            projectNo.withUTF8 { projectNo in
                title.withUTF8 { title in
                    unitId.withUTF8 { unitId in
                        Self.writeRow(
                            index: index, projectNo: projectNo, title: title, status: row.status,
                            category: row.category, unitId: unitId, plannedEndDate: row.plannedEndDate,
                            overdue: row.isOverdue(on: today), pretty: pretty, to: &out)
                    }
                }
            }
        }
    }

    /// The same text from summaries read in place (``ProjectSummary/View``), inside their read
    /// transaction.
    static func writeJSON(
        _ views: [ProjectSummary.View], today: CalendarDate, pretty: Bool, chunk: Int = 1 << 16,
        _ write: ([UInt8]) -> Void
    ) {
        writeJSON(views, today: today, pretty: pretty, chunk: chunk, write) { view, index, out in
            writeRow(
                index: index, projectNo: view.projectNo.assumingMemoryBound(to: UInt8.self),
                title: view.title.assumingMemoryBound(to: UInt8.self), status: view.status, category: view.category,
                unitId: view.unitId.assumingMemoryBound(to: UInt8.self), plannedEndDate: view.plannedEndDate,
                overdue: view.isOverdue(on: today), pretty: pretty, to: &out)
        }
    }

    private static func writeJSON<Row>(
        _ rows: [Row], today: CalendarDate, pretty: Bool, chunk: Int, _ write: ([UInt8]) -> Void,
        row writeRow: (Row, Int, inout [UInt8]) -> Void
    ) {
        guard !rows.isEmpty else {
            write(Array("[]".utf8))
            return
        }
        var out: [UInt8] = []
        out.reserveCapacity(chunk + 4096)
        out.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            writeRow(row, index, &out)
            if out.count >= chunk {
                write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if pretty { out.append(UInt8(ascii: "\n")) }
        out.append(UInt8(ascii: "]"))
        write(out)
    }

    /// One row, preceded by its separator and followed by its closing brace.
    private static func writeRow(
        index: Int, projectNo: UnsafeBufferPointer<UInt8>, title: UnsafeBufferPointer<UInt8>, status: ProjectStatus,
        category: ProjectCategory, unitId: UnsafeBufferPointer<UInt8>, plannedEndDate: CalendarDate, overdue: Bool,
        pretty: Bool, to out: inout [UInt8]
    ) {
        let keys = pretty ? prettyKeys : compactKeys
        if index > 0 { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: pretty ? prettyRowStart : compactRowStart)
        out.append(contentsOf: keys[0])
        writeText(projectNo, to: &out)
        out.append(contentsOf: keys[1])
        writeText(title, to: &out)
        out.append(contentsOf: keys[2])
        writeASCII(status.rawValue, to: &out)
        out.append(contentsOf: keys[3])
        writeASCII(category.rawValue, to: &out)
        out.append(contentsOf: keys[4])
        writeText(unitId, to: &out)
        out.append(contentsOf: keys[5])
        writeDate(plannedEndDate, to: &out)
        out.append(contentsOf: keys[6])
        out.append(contentsOf: overdue ? trueText : falseText)
        out.append(contentsOf: pretty ? prettyRowEnd : compactRowEnd)
    }

    /// A string member as ``JSONValue/serialized(pretty:)`` writes it (an erased field as such).
    private static func writeText(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        // Erased fields start with U+FDD0 (EF B7 90); only those need the string's own test.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xB7, bytes[2] == 0x90,
            PersonalData.isErased(String(decoding: bytes, as: UTF8.self))
        {
            out.append(contentsOf: #"{"erased":true}"#.utf8)
        } else {
            JSONValue.writeString(utf8: bytes, to: &out)
        }
    }

    /// A string that is a known enumeration value (ASCII letters, never erased).
    private static func writeASCII(_ text: String, to out: inout [UInt8]) {
        JSONValue.writeString(text, to: &out)
    }

    /// A string member as ``JSONValue/serialized(pretty:)`` writes it.
    private static func writeText(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { writeText($0, to: &out) }
    }

    /// A date as its `YYYY-MM-DD` string, without making the string.
    private static func writeDate(_ date: CalendarDate, to out: inout [UInt8]) {
        let (year, month, day) = date.parts
        guard !date.isErased, (0...9999).contains(year) else {
            writeText(date.description, to: &out)
            return
        }
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        out.append(UInt8(ascii: "\""))
        digits(year, 4)
        out.append(UInt8(ascii: "-"))
        digits(month, 2)
        out.append(UInt8(ascii: "-"))
        digits(day, 2)
        out.append(UInt8(ascii: "\""))
    }

    private static let names = ["projectNo", "title", "status", "category", "unitId", "plannedEndDate", "overdue"]
    /// Each member's lead-in: separator, indentation, key and colon.
    private static let prettyKeys: [[UInt8]] = names.enumerated().map { index, name in
        Array(((index > 0 ? "," : "") + "\n    \"" + name + "\": ").utf8)
    }
    private static let compactKeys: [[UInt8]] = names.enumerated().map { index, name in
        Array(((index > 0 ? "," : "") + "\"" + name + "\":").utf8)
    }
    private static let prettyRowStart = Array("\n  {".utf8)
    private static let prettyRowEnd = Array("\n  }".utf8)
    private static let compactRowStart = Array("{".utf8)
    private static let compactRowEnd = Array("}".utf8)
    private static let trueText = Array("true".utf8)
    private static let falseText = Array("false".utf8)
}
