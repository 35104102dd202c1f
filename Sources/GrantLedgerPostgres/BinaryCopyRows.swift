internal import GrantLedger
internal import GrantWorkflow

/// Rows in PostgreSQL's binary `COPY … FROM STDIN (FORMAT binary)` format, for the `events` table:
/// each row is a field count, then each field as a 32-bit big-endian length (-1 for NULL) and the
/// type's binary form (`bigint` 8 bytes, `integer` 4, `timestamptz` microseconds since 2000-01-01 UTC,
/// `text` UTF-8, `bytea` raw, `jsonb` a version byte 1 and the JSON text). The header and trailer are
/// added when the rows are sent (``header``, ``trailer``).
///
/// Against the text format this saves the hex encoding of `record` (twice its bytes) and PostgreSQL's
/// parsing of numbers, timestamps and hex.
struct BinaryCopyRows {
    /// The encoded rows so far (no header, no trailer).
    private(set) var bytes: [UInt8] = []
    /// Rows started so far.
    private(set) var count = 0

    /// The signature, flags and header extension length that open binary COPY data.
    static let header: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The field count -1 that ends binary COPY data.
    static let trailer: [UInt8] = [0xFF, 0xFF]

    /// Microseconds from the Unix epoch to PostgreSQL's epoch (2000-01-01 00:00:00 UTC).
    static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends whole rows of another builder.
    mutating func append(_ other: BinaryCopyRows) {
        bytes.append(contentsOf: other.bytes)
        count += other.count
    }

    /// Starts a row of `fields` fields.
    mutating func row(fields: Int) {
        count += 1
        put16(UInt16(fields))
    }

    private mutating func put16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    private mutating func put32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8((value >> 16) & 0xFF))
        bytes.append(UInt8((value >> 8) & 0xFF))
        bytes.append(UInt8(value & 0xFF))
    }

    private mutating func put64(_ value: UInt64) {
        put32(UInt32(value >> 32))
        put32(UInt32(value & 0xFFFF_FFFF))
    }

    /// A NULL field.
    mutating func null() { put32(UInt32(bitPattern: -1)) }

    /// A `bigint` field.
    mutating func int64<T: BinaryInteger>(_ value: T) {
        put32(8)
        put64(UInt64(bitPattern: Int64(value)))
    }

    /// An `integer` field.
    mutating func int32<T: BinaryInteger>(_ value: T) {
        put32(4)
        put32(UInt32(bitPattern: Int32(value)))
    }

    /// A `timestamptz` field from Unix epoch milliseconds.
    mutating func timestamp(epochMilliseconds: Int64) {
        int64(epochMilliseconds * 1000 - Self.postgresEpochMicroseconds)
    }

    /// A `text` field; NULL when nil or an erased personal field (R-LOG-6: its pseudonym is not
    /// copied), as ``CopyRows/text(_:)``.
    mutating func text(_ value: String?) {
        guard var value, !PersonalData.isErased(value) else { return null() }
        value.withUTF8 { utf8 in
            put32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A `bytea` field.
    mutating func bytea(_ value: [UInt8]) {
        put32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `jsonb` field whose JSON text `body` appends to the buffer.
    mutating func jsonb(_ body: (inout [UInt8]) -> Void) {
        let lengthAt = bytes.count
        put32(0)
        bytes.append(1)
        body(&bytes)
        let length = UInt32(bytes.count - lengthAt - 4)
        bytes[lengthAt] = UInt8(length >> 24)
        bytes[lengthAt + 1] = UInt8((length >> 16) & 0xFF)
        bytes[lengthAt + 2] = UInt8((length >> 8) & 0xFF)
        bytes[lengthAt + 3] = UInt8(length & 0xFF)
    }
}
