internal import Crypto

/// The compact binary record stored in the `events` database (key: big-endian UInt64 position).
///
/// Layout version 1; every integer is little-endian:
///
/// | offset | size | field |
/// |-------:|-----:|-------|
/// | 0  | 1 | layout version, `1` |
/// | 1  | 1 | presence flags: bit 0 command id, bit 1 actor, bit 2 causation id, bit 3 correlation id |
/// | 2  | 2 | schema version (UInt16) |
/// | 4  | 8 | position (UInt64, equal to the key) |
/// | 12 | 8 | stream version (UInt64) |
/// | 20 | 8 | time, milliseconds since the Unix epoch (Int64) |
/// | 28 | 2 | stream id length *s* |
/// | 30 | 2 | type length *t* |
/// | 32 | 2 | command id length *c* (0 when absent) |
/// | 34 | 2 | actor length *a* |
/// | 36 | 2 | causation id length *u* |
/// | 38 | 2 | correlation id length *r* |
/// | 40 | 4 | payload length *p* (UInt32) |
/// | 44 | s+t+c+a+u+r | the six strings, UTF-8, in that order |
/// | 44+… | p | payload |
/// | n−32 | 32 | digest = SHA-256(previous record's digest ‖ bytes 0..<n−32) |
///
/// Bytes `0..<n−32` are the record's *canonical bytes*; the genesis previous digest is 32 zero bytes.
enum RecordLayout {
    static let formatVersion: UInt8 = 1
    static let headerSize = 44
    static let digestSize = 32
    /// Longest stream id or command id: they are parts of LMDB keys (at most 511 bytes).
    static let maxKeyStringBytes = 500

    static let hasCommandId: UInt8 = 1
    static let hasActor: UInt8 = 2
    static let hasCausationId: UInt8 = 4
    static let hasCorrelationId: UInt8 = 8

    /// The record size for an event, or nil when a field is too long for the layout.
    static func size(streamBytes: Int, event: NewEvent, commandId: String?) -> Int? {
        let type = event.type.utf8.count
        let command = commandId?.utf8.count ?? 0
        let actor = event.actor?.utf8.count ?? 0
        let causation = event.causationId?.utf8.count ?? 0
        let correlation = event.correlationId?.utf8.count ?? 0
        let limit = Int(UInt16.max)
        guard type <= limit, command <= limit, actor <= limit, causation <= limit, correlation <= limit,
            event.payload.count <= Int(UInt32.max)
        else { return nil }
        return headerSize + streamBytes + type + command + actor + causation + correlation + event.payload.count
            + digestSize
    }

    /// Writes the canonical bytes of a record into `base` (which has room for `size` bytes); the
    /// caller writes the digest into the last 32 bytes.
    static func encode(
        into base: UnsafeMutableRawPointer, position: UInt64, stream: UnsafeRawBufferPointer,
        streamVersion: UInt64, event: NewEvent, commandId: String?
    ) {
        var flags: UInt8 = 0
        if commandId != nil { flags |= hasCommandId }
        if event.actor != nil { flags |= hasActor }
        if event.causationId != nil { flags |= hasCausationId }
        if event.correlationId != nil { flags |= hasCorrelationId }
        base.storeBytes(of: formatVersion, toByteOffset: 0, as: UInt8.self)
        base.storeBytes(of: flags, toByteOffset: 1, as: UInt8.self)
        base.storeBytes(of: event.schemaVersion.littleEndian, toByteOffset: 2, as: UInt16.self)
        base.storeBytes(of: position.littleEndian, toByteOffset: 4, as: UInt64.self)
        base.storeBytes(of: streamVersion.littleEndian, toByteOffset: 12, as: UInt64.self)
        base.storeBytes(of: event.time.littleEndian, toByteOffset: 20, as: Int64.self)
        base.storeBytes(of: UInt16(stream.count).littleEndian, toByteOffset: 28, as: UInt16.self)
        var offset = headerSize
        base.advanced(by: offset).copyMemory(from: stream.baseAddress!, byteCount: stream.count)
        offset += stream.count
        storeString(event.type, lengthAt: 30, into: base, offset: &offset)
        storeString(commandId, lengthAt: 32, into: base, offset: &offset)
        storeString(event.actor, lengthAt: 34, into: base, offset: &offset)
        storeString(event.causationId, lengthAt: 36, into: base, offset: &offset)
        storeString(event.correlationId, lengthAt: 38, into: base, offset: &offset)
        base.storeBytes(of: UInt32(event.payload.count).littleEndian, toByteOffset: 40, as: UInt32.self)
        event.payload.withUnsafeBytes { payload in
            if payload.count > 0 {
                base.advanced(by: offset).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
            }
        }
    }

    private static func storeString(
        _ string: String?, lengthAt lengthOffset: Int, into base: UnsafeMutableRawPointer, offset: inout Int
    ) {
        var string = string ?? ""
        let count = string.withUTF8 { utf8 in
            if utf8.count > 0 {
                base.advanced(by: offset).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            }
            return utf8.count
        }
        base.storeBytes(of: UInt16(count).littleEndian, toByteOffset: lengthOffset, as: UInt16.self)
        offset += count
    }

    /// Whether `bytes` hold a well-formed version-1 record: header present and lengths adding up.
    @inline(__always)
    static func isWellFormed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= headerSize + digestSize, bytes[0] == formatVersion else { return false }
        var total = headerSize + digestSize
        for offset in stride(from: 28, through: 38, by: 2) {
            total += Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        }
        total += Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 40, as: UInt32.self)))
        return total == bytes.count
    }
}

/// A 32-byte SHA-256 digest held inline (no allocation), for the hash chain.
struct ChainDigest: Hashable {
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0

    /// 32 zero bytes: the previous digest of the first record.
    static let genesis = ChainDigest()

    private init() {}

    /// Reads 32 bytes.
    init(_ bytes: UnsafeRawBufferPointer) {
        w0 = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        w2 = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        w3 = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    /// The digest that follows `self` for a record with these canonical bytes.
    func chained(with canonical: UnsafeRawBufferPointer) -> ChainDigest {
        var hasher = SHA256()
        withUnsafeBytes(of: self) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: canonical)
        return hasher.finalize().withUnsafeBytes { ChainDigest($0) }
    }

    /// Writes the 32 bytes to `destination`.
    func store(to destination: UnsafeMutableRawPointer) {
        withUnsafeBytes(of: self) { destination.copyMemory(from: $0.baseAddress!, byteCount: 32) }
    }

    /// The 32 bytes as an array.
    var bytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }
}
