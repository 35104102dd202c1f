/// The version a stream must be at for an append to go ahead. Stream versions start at 1.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must be exactly at this version (its newest event has this version).
    case exact(UInt64)

    /// `any`, `noStream` or `exact(n)`.
    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "noStream"
        case .exact(let version): "exact(\(version))"
        }
    }

    /// Whether a stream at `actual` (nil: no stream) satisfies this expectation.
    func accepts(_ actual: UInt64?) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == nil
        case .exact(let version): actual == version
        }
    }
}

/// An event to append: what happened, and the metadata the log keeps with it.
public struct NewEvent: Sendable, Hashable {
    /// The event type, e.g. `"ProjectRegistered"`. At most 65,535 UTF-8 bytes.
    public var type: String
    /// The version of the payload's schema, so old shapes can be upcast on read.
    public var schemaVersion: UInt16
    /// The encoded event body; the log does not look inside.
    public var payload: [UInt8]
    /// When it happened: milliseconds since the Unix epoch. The log stores what it is given.
    public var time: Int64
    /// The command that caused it; defaults to the request's command id when appended through
    /// ``AppendRequest``.
    public var commandId: String?
    /// Who did it.
    public var actor: String?
    /// The id of the message that caused this event.
    public var causationId: String?
    /// The id shared by every message of one conversation.
    public var correlationId: String?

    /// Creates an event.
    public init(
        type: String,
        schemaVersion: UInt16 = 1,
        payload: [UInt8],
        time: Int64,
        commandId: String? = nil,
        actor: String? = nil,
        causationId: String? = nil,
        correlationId: String? = nil
    ) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.time = time
        self.commandId = commandId
        self.actor = actor
        self.causationId = causationId
        self.correlationId = correlationId
    }
}

/// An event as stored in the log: its place (position, stream, version), its metadata and its digest.
public struct RecordedEvent: Sendable, Hashable {
    /// Global position: gapless, from 1, equal to commit order.
    public var position: UInt64
    /// The stream it belongs to.
    public var stream: String
    /// Its version within the stream, from 1.
    public var streamVersion: UInt64
    /// The event type.
    public var type: String
    /// The payload's schema version.
    public var schemaVersion: UInt16
    /// Milliseconds since the Unix epoch.
    public var time: Int64
    /// The command that caused it.
    public var commandId: String?
    /// Who did it.
    public var actor: String?
    /// The id of the message that caused it.
    public var causationId: String?
    /// The conversation id.
    public var correlationId: String?
    /// The encoded body.
    public var payload: [UInt8]
    /// SHA-256(previous event's digest ‖ this record's canonical bytes): 32 bytes.
    public var digest: [UInt8]

    /// Creates a recorded event (mostly for tests; the store makes these).
    public init(
        position: UInt64, stream: String, streamVersion: UInt64, type: String, schemaVersion: UInt16,
        time: Int64, commandId: String?, actor: String?, causationId: String?, correlationId: String?,
        payload: [UInt8], digest: [UInt8]
    ) {
        self.position = position
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.time = time
        self.commandId = commandId
        self.actor = actor
        self.causationId = causationId
        self.correlationId = correlationId
        self.payload = payload
        self.digest = digest
    }
}

/// The newest end of the log.
public struct Head: Sendable, Hashable {
    /// Position of the newest event; 0 when the log is empty.
    public var position: UInt64
    /// Digest of the newest event; 32 zero bytes (the genesis digest) when the log is empty.
    public var digest: [UInt8]
    /// Time of the newest event; 0 when the log is empty.
    public var time: Int64

    /// Creates a head.
    public init(position: UInt64, digest: [UInt8], time: Int64) {
        self.position = position
        self.digest = digest
        self.time = time
    }
}

/// The direction of a scan over the whole log.
public enum ScanDirection: Sendable, Hashable {
    /// Oldest first: increasing positions.
    case forward
    /// Newest first: decreasing positions.
    case backward
}
