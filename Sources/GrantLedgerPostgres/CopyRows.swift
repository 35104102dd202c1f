internal import GrantLedger
internal import GrantWorkflow

/// Rows in PostgreSQL's `COPY … FROM STDIN` text format: fields separated by tabs, rows ended by a
/// newline, `\N` for NULL, and backslash, tab, newline and carriage return escaped.
struct CopyRows {
    /// The encoded rows so far.
    private(set) var bytes: [UInt8] = []
    /// Rows ended so far.
    private(set) var count = 0
    private var atRowStart = true
    /// A buffer for JSON before it is escaped.
    private var scratch: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func separate() {
        if atRowStart { atRowStart = false } else { bytes.append(UInt8(ascii: "\t")) }
    }

    /// Appends whole rows of another builder (both at a row boundary).
    mutating func append(_ other: CopyRows) {
        bytes.append(contentsOf: other.bytes)
        count += other.count
    }

    /// Ends the current row.
    mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        atRowStart = true
        count += 1
    }

    /// A NULL field.
    mutating func null() {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
    }

    /// A text field, escaped; NULL when nil or an erased personal field (R-LOG-6: its pseudonym is
    /// not copied).
    mutating func text(_ value: String?) {
        guard let value, !PersonalData.isErased(value) else { return null() }
        separate()
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: bytes.append(byte)
            }
        }
    }

    /// An integer field; NULL when nil.
    mutating func int<T: BinaryInteger>(_ value: T?) {
        guard let value else { return null() }
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A boolean field.
    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    /// A `bytea` field in hex (`\\x…` once the backslash is escaped for COPY).
    mutating func bytea(_ value: [UInt8]) {
        separate()
        bytes.reserveCapacity(bytes.count + 3 + value.count * 2)
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        for byte in value {
            bytes.append(Self.hex[Int(byte >> 4)])
            bytes.append(Self.hex[Int(byte & 0x0F)])
        }
    }

    /// A `timestamptz` field (ISO 8601, China Standard Time offset); NULL when nil.
    mutating func timestamp(_ value: Timestamp?) { text(value?.description) }

    /// A `date` field (`YYYY-MM-DD`); NULL when nil.
    mutating func date(_ value: CalendarDate?) { text(value?.description) }

    /// A `jsonb` field; NULL when nil.
    mutating func json(_ value: JSONValue?) { text(value?.serialized()) }

    /// A `jsonb` field: `value` as JSON (``JSONTreeEncoder``, keys in encoding order: `jsonb` keeps its
    /// own), each erased personal field (a pseudonym string) written as `null`.
    mutating func json<T: Encodable>(encoding value: T) {
        separate()
        scratch.removeAll(keepingCapacity: true)
        JSONTreeEncoder.write(value, to: &scratch, sortedKeys: false, erased: .null)
        // Compact JSON holds no raw tab, newline or carriage return (they are escaped in strings):
        // only its backslashes need escaping for COPY.
        for byte in scratch {
            if byte == UInt8(ascii: "\\") { bytes.append(byte) }
            bytes.append(byte)
        }
    }

    /// ``json(encoding:)``, or NULL when nil.
    mutating func jsonOptional<T: Encodable>(encoding value: T?) {
        guard let value else { return null() }
        json(encoding: value)
    }

    /// A `jsonb` field of JSON text in which every erased personal field (a pseudonym string) is
    /// replaced by `null`; NULL when nil.
    mutating func jsonText(_ value: String?) { text(value.map(Self.nullingErased)) }

    /// `json` with each string that is an erased field's pseudonym replaced by `null`.
    static func nullingErased(_ json: String) -> String {
        // U+FDD0, the marker every pseudonym starts with, is EF B7 90 in UTF-8.
        guard json.utf8.contains(0xEF) else { return json }
        let prefix = "\"" + PersonalData.erasedPrefix
        guard json.contains(prefix) else { return json }
        var out = ""
        var rest = Substring(json)
        while let start = rest.range(of: prefix) {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            out += "null"
            rest = after[after.index(after: end)...]
        }
        return out + rest
    }
}
