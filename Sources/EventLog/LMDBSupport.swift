internal import CLMDB

extension MDB_val {
    /// A value pointing at `buffer` (LMDB never writes through key or input data pointers).
    init(_ buffer: UnsafeRawBufferPointer) {
        self.init(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }

    /// The bytes LMDB returned.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: mv_data, count: mv_size) }
}

/// LMDB flag macros import as `Int32` while the parameters are `UInt32`.
enum LMDBFlags {
    static let append = UInt32(MDB_APPEND)
    static let reserve = UInt32(MDB_RESERVE)
    static let noOverwrite = UInt32(MDB_NOOVERWRITE)
    static let create = UInt32(MDB_CREATE)
    static let readOnly = UInt32(MDB_RDONLY)
    static let noTLS = UInt32(MDB_NOTLS)
    static let noMetaSync = UInt32(MDB_NOMETASYNC)
    static let compact = UInt32(MDB_CP_COMPACT)
}

/// The dbi handles of one environment: the four the log owns, plus the layer above's named ones.
struct StoreDatabases: Sendable {
    /// Big-endian UInt64 position → record (see `RecordLayout`).
    var events: MDB_dbi = 0
    /// Stream id ‖ 0x00 ‖ big-endian UInt64 version → big-endian UInt64 position, for every event up to
    /// the position stored under `meta/indexed` (newer events are indexed in bulk; see the stream heads in `meta`).
    var streams: MDB_dbi = 0
    /// Command id → encoded result bytes.
    var commands: MDB_dbi = 0
    /// `format` → UInt32 layout version; `head` → big-endian position ‖ digest ‖ little-endian time;
    /// `indexed` → big-endian position through which `streams` is complete; `head` ‖ 0x00 ‖ stream id →
    /// a `StreamTail` (newest version, newest position, first position after `indexed`), for each stream
    /// with events after `indexed`.
    var meta: MDB_dbi = 0
    /// The layer above's databases, by name.
    var extra: [String: MDB_dbi] = [:]

    static let reservedNames: Set<String> = ["events", "streams", "commands", "meta"]
    static let metaFormatKey: [UInt8] = Array("format".utf8)
    static let metaHeadKey: [UInt8] = Array("head".utf8)
    static let metaIndexedKey: [UInt8] = Array("indexed".utf8)
    /// Prefix of the `meta` keys that hold a stream's events not yet in `streams` ("stream heads"). It
    /// sorts right after `head`, so the log head and the stream heads written by a commit share a page.
    static let metaTailPrefix: [UInt8] = Array("head".utf8) + [0]
    static let storeFormatVersion: UInt32 = 1
}

/// Calls `body` with an MDB_val holding `position` as a big-endian key.
@inline(__always)
func withPositionKey<R>(_ position: UInt64, _ body: (inout MDB_val) -> R) -> R {
    var bigEndian = position.bigEndian
    return withUnsafeMutableBytes(of: &bigEndian) { raw in
        var key = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
        return body(&key)
    }
}

/// Reads a big-endian UInt64 (a position key or a position value).
@inline(__always)
func bigEndianUInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
    UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
}

/// Builds a `streams` key (stream ‖ 0x00 ‖ big-endian version, or stream ‖ 0x01 to seek past the stream)
/// on the stack and passes it to `body`.
@inline(__always)
func withStreamKey<R>(_ stream: String, version: UInt64?, _ body: (inout MDB_val) -> R) -> R {
    var stream = stream
    return stream.withUTF8 { utf8 in withStreamKey(bytes: UnsafeRawBufferPointer(utf8), version: version, body) }
}

/// ``withStreamKey(_:version:_:)`` for a stream id given as UTF-8 bytes.
@inline(__always)
func withStreamKey<R>(bytes stream: UnsafeRawBufferPointer, version: UInt64?, _ body: (inout MDB_val) -> R) -> R {
    let size = stream.count + (version == nil ? 1 : 9)
    return withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { buffer in
        let base = buffer.baseAddress!
        if stream.count > 0 { base.copyMemory(from: stream.baseAddress!, byteCount: stream.count) }
        if let version {
            base.storeBytes(of: 0, toByteOffset: stream.count, as: UInt8.self)
            base.storeBytes(of: version.bigEndian, toByteOffset: stream.count + 1, as: UInt64.self)
        } else {
            base.storeBytes(of: 1, toByteOffset: stream.count, as: UInt8.self)
        }
        var key = MDB_val(mv_size: size, mv_data: base)
        return body(&key)
    }
}

/// Builds the `meta` key of a stream's tail entry (`head` ‖ 0x00 ‖ stream id) on the stack.
@inline(__always)
func withTailKey<R>(bytes stream: UnsafeRawBufferPointer, _ body: (inout MDB_val) -> R) -> R {
    let prefix = StoreDatabases.metaTailPrefix.count
    let size = prefix + stream.count
    return withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { buffer in
        let base = buffer.baseAddress!
        StoreDatabases.metaTailPrefix.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: prefix) }
        if stream.count > 0 { (base + prefix).copyMemory(from: stream.baseAddress!, byteCount: stream.count) }
        var key = MDB_val(mv_size: size, mv_data: base)
        return body(&key)
    }
}

/// A stream's events after `meta/indexed`: its newest version and position, and its first position
/// after `indexed`.
///
/// Stored as three LEB128 varints — version, position, position − first — usually 6 to 9 bytes, so that
/// the tail entries of a hundred active streams and the log head fit one `meta` leaf (one dirty page per
/// commit instead of two leaves and a branch).
struct StreamTail: Equatable {
    var version: UInt64
    var position: UInt64
    var first: UInt64

    init(version: UInt64, position: UInt64, first: UInt64) {
        self.version = version
        self.position = position
        self.first = first
    }

    init?(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        guard let version = Self.readVarint(bytes, &offset), let position = Self.readVarint(bytes, &offset),
            let distance = Self.readVarint(bytes, &offset), offset == bytes.count, distance <= position
        else { return nil }
        self.init(version: version, position: position, first: position - distance)
    }

    func withEncoded<R>(_ body: (inout MDB_val) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 30, alignment: 1) { buffer in
            var count = 0
            Self.writeVarint(version, into: buffer, &count)
            Self.writeVarint(position, into: buffer, &count)
            Self.writeVarint(position - first, into: buffer, &count)
            var value = MDB_val(mv_size: count, mv_data: buffer.baseAddress)
            return body(&value)
        }
    }

    private static func writeVarint(_ value: UInt64, into buffer: UnsafeMutableRawBufferPointer, _ count: inout Int) {
        var rest = value
        repeat {
            let low = UInt8(rest & 0x7f)
            rest >>= 7
            buffer[count] = rest == 0 ? low : low | 0x80
            count += 1
        } while rest != 0
    }

    private static func readVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}

/// Calls `body` with contiguous bytes of `bytes` (no copy for arrays and native strings' UTF-8 views).
@inline(__always)
func withContiguousBytes<C: Collection<UInt8>, R>(_ bytes: C, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(bytes).withUnsafeBytes(body)
}

/// Checks a stream id: 1 to 500 UTF-8 bytes, no NUL (the `streams` key separator).
func validateStreamId(_ stream: String) throws(EventLogError) {
    let count = stream.utf8.count
    guard count > 0, count <= RecordLayout.maxKeyStringBytes, !stream.utf8.contains(0) else {
        throw .invalid("a stream id must be 1 to \(RecordLayout.maxKeyStringBytes) UTF-8 bytes without NUL")
    }
}

/// Checks a command id: 1 to 500 UTF-8 bytes (it is a key of the `commands` database).
func validateCommandId(_ commandId: String) throws(EventLogError) {
    let count = commandId.utf8.count
    guard count > 0, count <= RecordLayout.maxKeyStringBytes else {
        throw .invalid("a command id must be 1 to \(RecordLayout.maxKeyStringBytes) UTF-8 bytes")
    }
}
