/// Events for one stream within an ``AppendRequest``, with the version the stream must be at.
public struct StreamAppend: Sendable, Hashable {
    /// The stream id: 1 to 500 UTF-8 bytes, no NUL.
    public var stream: String
    /// The version the stream must be at before these events.
    public var expectedVersion: ExpectedVersion
    /// The events, in order.
    public var events: [NewEvent]

    /// Creates a stream append.
    public init(stream: String, expectedVersion: ExpectedVersion = .any, events: [NewEvent]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// One atomic append: events for one or more streams, all committed or none.
public struct AppendRequest: Sendable, Hashable {
    /// Idempotency key: when a request with this id was already committed, the append writes nothing
    /// and returns the first result (with ``AppendResult/deduplicated`` set). Stored with every event
    /// that has no command id of its own. At most 500 UTF-8 bytes.
    public var commandId: String?
    /// The streams to append to, in order; positions are given in this order.
    public var appends: [StreamAppend]

    /// Creates a request.
    public init(commandId: String? = nil, appends: [StreamAppend]) {
        self.commandId = commandId
        self.appends = appends
    }

    /// Creates a request for a single stream.
    public init(
        commandId: String? = nil, stream: String, expectedVersion: ExpectedVersion = .any, events: [NewEvent]
    ) {
        self.init(
            commandId: commandId,
            appends: [StreamAppend(stream: stream, expectedVersion: expectedVersion, events: events)])
    }
}

/// Where one stream's events of an append landed.
public struct AppendedStream: Sendable, Hashable {
    /// The stream id.
    public var stream: String
    /// The stream's version after the append.
    public var version: UInt64
    /// The global positions of this stream's events, in order.
    public var positions: [UInt64]

    /// Creates an appended-stream result.
    public init(stream: String, version: UInt64, positions: [UInt64]) {
        self.stream = stream
        self.version = version
        self.positions = positions
    }
}

/// The outcome of an ``AppendRequest``.
public struct AppendResult: Sendable, Hashable {
    /// Position of the first event written.
    public var firstPosition: UInt64
    /// Position of the last event written.
    public var lastPosition: UInt64
    /// Per stream, in request order.
    public var streams: [AppendedStream]
    /// True when the command id had already been committed and this call wrote nothing.
    public var deduplicated: Bool

    /// Creates a result.
    public init(firstPosition: UInt64, lastPosition: UInt64, streams: [AppendedStream], deduplicated: Bool = false) {
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
        self.streams = streams
        self.deduplicated = deduplicated
    }

    /// Compact bytes for the `commands` database (little-endian):
    /// `u8 format (1) | u64 first | u64 last | u32 stream count |` then per stream
    /// `u16 id length | id | u64 version | u32 position count | u64 positions…`.
    /// ``deduplicated`` is not stored.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(21 + streams.reduce(0) { $0 + 14 + $1.stream.utf8.count + 8 * $1.positions.count })
        bytes.append(1)
        bytes.appendLittleEndian(firstPosition)
        bytes.appendLittleEndian(lastPosition)
        bytes.appendLittleEndian(UInt32(streams.count))
        for stream in streams {
            bytes.appendLittleEndian(UInt16(truncatingIfNeeded: stream.stream.utf8.count))
            bytes.append(contentsOf: stream.stream.utf8)
            bytes.appendLittleEndian(stream.version)
            bytes.appendLittleEndian(UInt32(stream.positions.count))
            for position in stream.positions { bytes.appendLittleEndian(position) }
        }
        return bytes
    }

    /// Decodes ``encoded()`` bytes; `nil` when they are malformed.
    public init?(encoded bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        guard reader.readByte() == 1, let first = reader.read(UInt64.self), let last = reader.read(UInt64.self),
            let count = reader.read(UInt32.self)
        else { return nil }
        var streams: [AppendedStream] = []
        for _ in 0..<count {
            guard let length = reader.read(UInt16.self), let name = reader.readString(Int(length)),
                let version = reader.read(UInt64.self), let positionCount = reader.read(UInt32.self),
                Int(positionCount) <= reader.remaining / 8
            else { return nil }
            var positions: [UInt64] = []
            positions.reserveCapacity(Int(positionCount))
            for _ in 0..<positionCount {
                guard let position = reader.read(UInt64.self) else { return nil }
                positions.append(position)
            }
            streams.append(AppendedStream(stream: name, version: version, positions: positions))
        }
        guard reader.remaining == 0 else { return nil }
        self.init(firstPosition: first, lastPosition: last, streams: streams)
    }
}

extension [UInt8] {
    /// Appends the little-endian bytes of an integer.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

/// Reads little-endian integers and strings from a byte array, bounds-checked.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func readByte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += size
        return value
    }

    mutating func readString(_ length: Int) -> String? {
        guard remaining >= length else { return nil }
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }
}
