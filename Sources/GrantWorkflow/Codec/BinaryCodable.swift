/// A value with a hand-written compact binary form (see ``BinaryWriter``).
///
/// Used for event payloads, where Foundation's JSON coders are too slow for replay (≥ 1M events/s).
public protocol BinaryCodable {
    /// Appends the value to `writer`.
    func encode(to writer: inout BinaryWriter)
    /// Reads a value from `reader`; throws on malformed input.
    init(from reader: inout BinaryReader) throws(BinaryDecodingError)
}

extension BinaryCodable {
    /// The value's binary form.
    public var binaryEncoded: [UInt8] {
        var writer = BinaryWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a whole payload; trailing bytes are an error.
    public init(binaryEncoded bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        self = try Self(from: &reader)
        try reader.expectEnd()
    }
}

extension BinaryCodable where Self: RawRepresentable, RawValue == String {
    /// Writes the raw value.
    public func encode(to writer: inout BinaryWriter) { writer.writeString(rawValue) }
    /// Reads a raw value; an unknown one throws.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let raw = try reader.readString()
        guard let value = Self(rawValue: raw) else { throw BinaryDecodingError("unknown \(Self.self) '\(raw)'") }
        self = value
    }
}

extension String: BinaryCodable {
    /// Writes a length-prefixed UTF-8 string.
    public func encode(to writer: inout BinaryWriter) { writer.writeString(self) }
    /// Reads a length-prefixed UTF-8 string.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readString() }
}

extension Int64: BinaryCodable {
    /// Writes a zig-zag varint.
    public func encode(to writer: inout BinaryWriter) { writer.writeSigned(self) }
    /// Reads a zig-zag varint.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readSigned() }
}

extension Int: BinaryCodable {
    /// Writes a zig-zag varint.
    public func encode(to writer: inout BinaryWriter) { writer.writeSigned(Int64(self)) }
    /// Reads a zig-zag varint.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let value = try reader.readSigned()
        guard let exact = Int(exactly: value) else { throw BinaryDecodingError("integer out of range") }
        self = exact
    }
}

extension Bool: BinaryCodable {
    /// Writes 0 or 1.
    public func encode(to writer: inout BinaryWriter) { writer.writeByte(self ? 1 : 0) }
    /// Reads 0 or 1; other bytes throw.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = false
        case 1: self = true
        default: throw BinaryDecodingError("invalid Bool")
        }
    }
}

extension Optional: BinaryCodable where Wrapped: BinaryCodable {
    /// Writes a presence byte and the value.
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .none: writer.writeByte(0)
        case .some(let value):
            writer.writeByte(1)
            value.encode(to: &writer)
        }
    }
    /// Reads a presence byte and the value.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .none
        case 1: self = .some(try Wrapped(from: &reader))
        default: throw BinaryDecodingError("invalid Optional tag")
        }
    }
}

extension Array: BinaryCodable where Element: BinaryCodable {
    /// Writes a count and the elements.
    public func encode(to writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(count))
        for element in self { element.encode(to: &writer) }
    }
    /// Reads a count and the elements.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let count = try reader.readCount()
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try Element(from: &reader)) }
        self = result
    }
}

extension Dictionary: BinaryCodable where Key == String, Value: BinaryCodable {
    /// Writes a count and the entries in key order (deterministic bytes).
    public func encode(to writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(count))
        for key in keys.sorted() {
            writer.writeString(key)
            self[key]?.encode(to: &writer)
        }
    }
    /// Reads a count and the entries; a repeated key throws.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let count = try reader.readCount(minimumElementSize: 2)
        var result: [String: Value] = [:]
        result.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.readString()
            let value = try Value(from: &reader)
            guard result.updateValue(value, forKey: key) == nil else { throw BinaryDecodingError("repeated key") }
        }
        self = result
    }
}

extension CalendarDate: BinaryCodable {
    /// Writes the day count.
    public func encode(to writer: inout BinaryWriter) { writer.writeSigned(Int64(daysSinceEpoch)) }
    /// Reads the day count.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let days = try reader.readSigned()
        guard days > -100_000, days < 400_000 else { throw BinaryDecodingError("date out of range") }
        self.init(daysSinceEpoch: Int(days))
    }
}

extension Timestamp: BinaryCodable {
    /// Writes the milliseconds.
    public func encode(to writer: inout BinaryWriter) { writer.writeSigned(epochMilliseconds) }
    /// Reads the milliseconds.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(epochMilliseconds: try reader.readSigned())
    }
}
