public import GrantWorkflow

/// The rows of `query projects` (``Ledger/projectList(_:as:asOf:)``): as a ``JSONValue`` for tables,
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
    /// of about `chunk` bytes handed to `write` (the last one possibly shorter; none for no text).
    public func writeJSON(pretty: Bool, chunk: Int = 1 << 16, _ write: ([UInt8]) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(chunk + 4096)
        guard !rows.isEmpty else {
            write(Array("[]".utf8))
            return
        }
        let keys = pretty ? Self.prettyKeys : Self.compactKeys
        out.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: pretty ? Self.prettyRowStart : Self.compactRowStart)
            out.append(contentsOf: keys[0])
            Self.writeText(row.projectNo, to: &out)
            out.append(contentsOf: keys[1])
            Self.writeText(row.title, to: &out)
            out.append(contentsOf: keys[2])
            Self.writeText(row.status.rawValue, to: &out)
            out.append(contentsOf: keys[3])
            Self.writeText(row.category.rawValue, to: &out)
            out.append(contentsOf: keys[4])
            Self.writeText(row.unitId, to: &out)
            out.append(contentsOf: keys[5])
            Self.writeDate(row.plannedEndDate, to: &out)
            out.append(contentsOf: keys[6])
            out.append(contentsOf: row.isOverdue(on: today) ? Self.trueText : Self.falseText)
            out.append(contentsOf: pretty ? Self.prettyRowEnd : Self.compactRowEnd)
            if out.count >= chunk {
                write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if pretty { out.append(UInt8(ascii: "\n")) }
        out.append(UInt8(ascii: "]"))
        write(out)
    }

    /// A string member as ``JSONValue/serialized(pretty:)`` writes it (an erased field as such).
    private static func writeText(_ text: String, to out: inout [UInt8]) {
        if PersonalData.isErased(text) {
            out.append(contentsOf: #"{"erased":true}"#.utf8)
        } else {
            JSONValue.writeString(text, to: &out)
        }
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
