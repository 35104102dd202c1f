/// Appends values to a compact binary payload: LEB128 varints, zig-zag signed integers,
/// length-prefixed UTF-8 strings.
///
/// The payload format of events (and, if the engine wishes, of stored entities): fields in a fixed
/// order per schema version, no field names, no padding.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    /// Seals personal fields (``writePersonal(_:of:)``); nil writes them plain.
    public var sealer: (any PersonalFieldSealer)?

    /// Creates an empty writer.
    public init(capacity: Int = 64, sealer: (any PersonalFieldSealer)? = nil) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.sealer = sealer
    }

    /// Appends bytes as they are (no length prefix).
    public mutating func appendRaw(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    /// Writes an unsigned LEB128 varint.
    public mutating func writeVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: remaining))
    }

    /// Writes a signed integer as a zig-zag varint.
    public mutating func writeSigned(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a byte.
    public mutating func writeByte(_ value: UInt8) { bytes.append(value) }

    /// Writes a length-prefixed byte string.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a length-prefixed UTF-8 string.
    public mutating func writeString(_ value: String) {
        var copy = value
        copy.withUTF8 { buffer in
            writeVarint(UInt64(buffer.count))
            bytes.append(contentsOf: buffer)
        }
    }

    /// Writes any binary-codable value.
    public mutating func write<Value: BinaryCodable>(_ value: Value) {
        value.encode(to: &self)
    }
}
