/// Reads values written by ``BinaryWriter``; every malformed input throws, none crashes.
public struct BinaryReader: Sendable {
    let buffer: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int
    /// Whether personal fields are sealed in this payload (events of the current schema versions);
    /// false reads them plain (read models, events written before encryption).
    public var personalSealed: Bool
    /// Opens sealed personal fields; without one they read as erased.
    public var opener: (any PersonalFieldOpener)?

    /// Reads from `bytes`.
    public init(_ bytes: [UInt8], personalSealed: Bool = false, opener: (any PersonalFieldOpener)? = nil) {
        self.buffer = bytes
        self.offset = 0
        self.personalSealed = personalSealed
        self.opener = opener
    }

    /// Reads `count` bytes as they are (no length prefix).
    public mutating func readRaw(count: Int) throws(BinaryDecodingError) -> [UInt8] {
        guard count >= 0, buffer.count - offset >= count else { throw BinaryDecodingError("truncated") }
        let result = Array(buffer[offset..<(offset + count)])
        offset += count
        return result
    }

    /// Steps over `count` bytes; their range in the buffer.
    mutating func skip(_ count: Int) throws(BinaryDecodingError) -> Range<Int> {
        guard count >= 0, buffer.count - offset >= count else { throw BinaryDecodingError("truncated") }
        defer { offset += count }
        return offset..<(offset + count)
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == buffer.count }

    /// Throws unless every byte has been read (trailing garbage is an error).
    public func expectEnd() throws(BinaryDecodingError) {
        guard isAtEnd else { throw BinaryDecodingError("\(buffer.count - offset) trailing bytes") }
    }

    /// Reads one byte.
    public mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        guard offset < buffer.count else { throw BinaryDecodingError("unexpected end of payload") }
        let byte = buffer[offset]
        offset += 1
        return byte
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    public mutating func readVarint() throws(BinaryDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw BinaryDecodingError("unexpected end of payload") }
            let byte = buffer[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw BinaryDecodingError("varint overflow") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw BinaryDecodingError("varint too long") }
        }
    }

    /// Reads a zig-zag signed varint.
    public mutating func readSigned() throws(BinaryDecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a count (a varint bounded by the bytes left, so garbage cannot ask for huge allocations).
    public mutating func readCount(minimumElementSize: Int = 1) throws(BinaryDecodingError) -> Int {
        let raw = try readVarint()
        let left = buffer.count - offset
        // raw × size ≤ left is raw ≤ ⌊left ÷ size⌋, without a division per string and array.
        let (needed, overflow) = raw.multipliedReportingOverflow(by: UInt64(max(minimumElementSize, 1)))
        guard !overflow, needed <= UInt64(left) else {
            throw BinaryDecodingError("count \(raw) exceeds the payload")
        }
        return Int(raw)
    }

    /// Reads a length-prefixed byte string.
    public mutating func readBytes() throws(BinaryDecodingError) -> [UInt8] {
        let count = try readCount()
        let result = Array(buffer[offset..<(offset + count)])
        offset += count
        return result
    }

    /// Reads a length-prefixed UTF-8 string; invalid UTF-8 throws.
    public mutating func readString() throws(BinaryDecodingError) -> String {
        let count = try readCount()
        let start = offset
        offset += count
        let decoded = buffer.withUnsafeBufferPointer {
            Self.validString(UnsafeBufferPointer(rebasing: $0[start..<(start + count)]))
        }
        guard let decoded else { throw BinaryDecodingError("invalid UTF-8 in string") }
        return decoded
    }

    /// The string `bytes` spell; nil when they are not valid UTF-8.
    static func validString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // `String(decoding:)` is specialised for UTF-8 (`String(validating:as:)` runs generic code,
        // a metadata lookup per string); it repairs invalid input, which always changes the bytes,
        // so the string is valid exactly when it holds the bytes it was made from.
        var decoded = String(decoding: bytes, as: UTF8.self)
        let valid =
            decoded.utf8.count == bytes.count
            && decoded.withUTF8 { utf8 in Self.equal(UnsafeRawBufferPointer(utf8), UnsafeRawBufferPointer(bytes)) }
        return valid ? decoded : nil
    }

    /// A whole payload that holds one string (`String(binaryEncoded:)`), read in place: a sealed
    /// text field's plaintext. A length of one byte (texts shorter than 128 bytes, every ID number
    /// and phone) is read here; anything else, and any malformed payload, goes through
    /// `String(binaryEncoded:)` on a copy, so the errors are the same.
    static func wholeString(_ bytes: UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> String {
        if let length = bytes.first, length < 0x80, Int(length) == bytes.count - 1,
            let text = validString(UnsafeBufferPointer(rebasing: bytes.dropFirst()))
        {
            return text
        }
        return try String(binaryEncoded: Array(bytes))
    }

    /// Whether two byte ranges are equal, eight bytes at a time.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var index = 0
        while index + 8 <= a.count {
            let x = a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            guard x == b.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
            index += 8
        }
        while index < a.count {
            guard a[index] == b[index] else { return false }
            index += 1
        }
        return true
    }

    /// Reads any binary-codable value.
    public mutating func read<Value: BinaryCodable>(
        _ type: Value.Type = Value.self
    ) throws(BinaryDecodingError) -> Value {
        try Value(from: &self)
    }
}

/// A payload that could not be decoded (truncated, garbage, unknown tag, unknown schema version).
public struct BinaryDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
