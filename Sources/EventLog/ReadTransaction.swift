internal import CLMDB

/// A read-only snapshot of the store, passed `borrowing` into ``EventStore/read(_:)``.
///
/// `~Copyable` so it can neither escape the closure nor be kept across an `await`. Everything it
/// returns as a buffer pointer is valid only inside the closure that received it.
public struct ReadTransaction: ~Copyable {
    let reader: LogReader

    init(reader: LogReader) { self.reader = reader }

    /// LMDB's id of this snapshot: the id of the newest write transaction it sees. Two snapshots with
    /// the same id hold the same data; any commit in between (of this process or another) gives a
    /// greater id.
    public var snapshotID: UInt64 { UInt64(mdb_txn_id(reader.txn)) }

    /// The newest event's position, digest and time in this snapshot.
    public var head: Head {
        get throws(EventLogError) { try reader.head() }
    }

    /// The stream's current version; nil when it has no events.
    public func streamVersion(_ stream: String) throws(EventLogError) -> UInt64? {
        try reader.streamVersion(stream)
    }

    /// The event at `position`, copied out; nil when there is none.
    public func record(at position: UInt64) throws(EventLogError) -> RecordedEvent? {
        try reader.record(at: position)
    }

    /// Calls `body` with a view of the event at `position`, without copying; nil when there is none.
    public func withRecord<R>(at position: UInt64, _ body: (borrowing EventRecordView) throws -> R) throws -> R? {
        try reader.withRecord(at: position, body)
    }

    /// Visits events from `position` (inclusive) in `direction` without copying, while `body` returns true.
    /// Without a position: from the oldest forwards, or from the newest backwards; a position past the
    /// head starts backwards at the head.
    public func scan(
        from position: UInt64? = nil, direction: ScanDirection = .forward,
        _ body: (borrowing EventRecordView) throws -> Bool
    ) throws {
        try reader.scan(from: position, direction: direction, body)
    }

    /// Up to `limit` events from `position` (inclusive; default: the oldest forwards, the newest backwards)
    /// in `direction`, copied out.
    public func events(
        from position: UInt64? = nil, direction: ScanDirection = .forward, limit: Int = .max
    ) throws(EventLogError) -> [RecordedEvent] {
        try reader.events(from: position, direction: direction, limit: limit)
    }

    /// Visits the stream's events from `version` (inclusive) without copying, while `body` returns true.
    public func scanStream(
        _ stream: String, from version: UInt64 = 1, _ body: (borrowing EventRecordView) throws -> Bool
    ) throws {
        try reader.scanStream(stream, from: version, body)
    }

    /// Up to `limit` events of `stream` from `version` (inclusive), copied out.
    public func stream(
        _ stream: String, from version: UInt64 = 1, limit: Int = .max
    ) throws(EventLogError)
        -> [RecordedEvent]
    {
        try reader.stream(stream, from: version, limit: limit)
    }

    /// Up to `limit` events whose time is in `range`, in position order. Event times are what callers
    /// gave, not an index: this scans the log (a borrowing scan, millions of events per second).
    public func events(inTimeRange range: Range<Int64>, limit: Int = .max) throws(EventLogError) -> [RecordedEvent] {
        try reader.events(inTimeRange: range, limit: limit)
    }

    /// The result bytes recorded for `commandId`, if that command was committed.
    public func commandResult(_ commandId: String) throws(EventLogError) -> [UInt8]? {
        try reader.commandResult(commandId)
    }

    /// Visits every recorded command (id and result bytes) in id order, while `body` returns true: for
    /// tools that copy a store.
    public func forEachCommandRecord(_ body: (_ commandId: String, _ result: [UInt8]) throws -> Bool) throws {
        try reader.scan(reader.dbs.commands, prefix: [UInt8]()) { key, value in
            try body(String(decoding: key, as: UTF8.self), Array(value))
        }
    }

    /// The value stored under `key` in `db`, copied out.
    public func get(_ db: Database, _ key: some Collection<UInt8>) throws(EventLogError) -> [UInt8]? {
        try reader.get(db.dbi, key)
    }

    /// Calls `body` with the value stored under `key` in place (nil when absent), without copying.
    public func withValue<R>(
        _ db: Database, _ key: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try body(reader.lookup(db.dbi, key))
    }

    /// Visits the entries of `db` whose key starts with `prefix`, in key order, while `body` returns true.
    public func scan(
        _ db: Database, prefix: some Collection<UInt8> = [UInt8](),
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try reader.scan(db.dbi, prefix: prefix, body)
    }
}
