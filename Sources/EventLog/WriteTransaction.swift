internal import CLMDB

/// The write side of one caller's share of a group-commit batch: a child transaction on the writer
/// thread, passed `borrowing` into ``EventStore/write(isolation:_:)``.
///
/// `~Copyable` so it can neither escape the closure nor be kept across an `await` (a write transaction
/// must be committed on the thread that began it). When the body throws, only this child transaction is
/// rolled back; when any write here fails in LMDB, the child is rolled back even if the body goes on.
/// Reads see everything written earlier in the same batch, including by other callers.
public struct WriteTransaction: ~Copyable {
    let reader: LogReader
    let context: WriterContext

    init(txn: OpaquePointer, context: WriterContext) {
        reader = LogReader(txn: txn, dbs: context.dbs)
        self.context = context
    }

    var txn: OpaquePointer { reader.txn }

    // MARK: Appending

    /// Appends `events` to `stream` if it is at `expectedVersion`; returns their global positions.
    ///
    /// Throws ``EventLogError/Code/wrongExpectedVersion`` (naming the stream and its actual version)
    /// before writing anything. With no events, only checks the version.
    public func append(
        _ events: [NewEvent], to stream: String, expectedVersion: ExpectedVersion = .any
    ) throws(EventLogError) -> [UInt64] {
        try append(events, to: stream, expectedVersion: expectedVersion, defaultCommandId: nil).positions
    }

    func append(
        _ events: [NewEvent], to stream: String, expectedVersion: ExpectedVersion, defaultCommandId: String?
    ) throws(EventLogError) -> (positions: [UInt64], version: UInt64) {
        try validateStreamId(stream)
        let state = try streamState(stream)
        guard expectedVersion.accepts(state.version) else {
            throw .wrongExpectedVersion(stream: stream, expected: expectedVersion, actual: state.version)
        }
        return try write(events, to: stream, from: state, defaultCommandId: defaultCommandId)
    }

    /// A stream's entry for events past the bulk index, if any, and its current version.
    private func streamState(_ stream: String) throws(EventLogError) -> (tail: StreamTail?, version: UInt64?) {
        if let tail = try reader.tail(of: stream) { return (tail, tail.version) }
        return (nil, try reader.indexedVersion(stream))
    }

    /// Writes checked events after the stream's current state; records the stream's tail.
    private func write(
        _ events: [NewEvent], to stream: String, from state: (tail: StreamTail?, version: UInt64?),
        defaultCommandId: String?
    ) throws(EventLogError) -> (positions: [UInt64], version: UInt64) {
        var version = state.version ?? 0
        var positions: [UInt64] = []
        guard !events.isEmpty else { return (positions, version) }
        positions.reserveCapacity(events.count)
        var streamId = stream
        let context = context
        let txn = txn
        let outcome = streamId.withUTF8 { utf8 -> EventLogError? in
            let streamBytes = UnsafeRawBufferPointer(utf8)
            do throws(EventLogError) {
                for event in events {
                    version += 1
                    positions.append(
                        try context.appendRecord(
                            txn: txn, stream: streamBytes, version: version, event: event,
                            commandId: event.commandId ?? defaultCommandId))
                }
                let newTail = StreamTail(
                    version: version, position: positions.last!, first: state.tail?.first ?? positions[0])
                try context.recordTail(txn: txn, stream: streamBytes, tail: newTail)
                return nil
            } catch {
                return error
            }
        }
        if let outcome { throw outcome }
        return (positions, version)
    }

    /// Appends a whole request atomically, deduplicating by its command id.
    ///
    /// When ``AppendRequest/commandId`` was already committed, writes nothing and returns the first result
    /// with ``AppendResult/deduplicated`` set. Otherwise checks every expected version (a conflict throws
    /// and, because this is the caller's child transaction, leaves no trace), appends, and records the
    /// result under the command id.
    public func append(_ request: AppendRequest) throws(EventLogError) -> AppendResult {
        if let commandId = request.commandId {
            try validateCommandId(commandId)
            if let bytes = try reader.commandResult(commandId) {
                guard var result = AppendResult(encoded: bytes) else {
                    throw .corrupted("the stored result of command '\(commandId)' is malformed")
                }
                result.deduplicated = true
                return result
            }
        }
        guard request.appends.contains(where: { !$0.events.isEmpty }) else {
            throw .invalid("an append request needs at least one event")
        }
        // Check everything before writing anything, so a rejected request leaves no trace even when it
        // runs without a child transaction of its own.
        var checked: [(tail: StreamTail?, version: UInt64?, repeated: Bool)] = []
        checked.reserveCapacity(request.appends.count)
        for (index, append) in request.appends.enumerated() {
            try validateStreamId(append.stream)
            let streamBytes = append.stream.utf8.count
            for event in append.events
            where RecordLayout.size(
                streamBytes: streamBytes, event: event, commandId: event.commandId ?? request.commandId) == nil
            {
                throw .invalid("an event field is too long (strings up to 65,535 bytes, payload up to 4 GiB)")
            }
            var state: (tail: StreamTail?, version: UInt64?)
            let repeated: Bool
            if let earlier = request.appends[..<index].lastIndex(where: { $0.stream == append.stream }) {
                // Appended to earlier in this request: its version after that part.
                let before = checked[earlier].version
                let added = UInt64(request.appends[earlier].events.count)
                state = (nil, added == 0 ? before : (before ?? 0) + added)
                repeated = true
            } else {
                state = try streamState(append.stream)
                repeated = false
            }
            guard append.expectedVersion.accepts(state.version) else {
                throw .wrongExpectedVersion(
                    stream: append.stream, expected: append.expectedVersion, actual: state.version)
            }
            checked.append((state.tail, state.version, repeated))
        }
        var streams: [AppendedStream] = []
        streams.reserveCapacity(request.appends.count)
        var first: UInt64 = 0
        var last: UInt64 = 0
        for (index, append) in request.appends.enumerated() {
            let state =
                checked[index].repeated
                ? try streamState(append.stream) : (tail: checked[index].tail, version: checked[index].version)
            let (positions, version) = try write(
                append.events, to: append.stream, from: state, defaultCommandId: request.commandId)
            if first == 0, let position = positions.first { first = position }
            if let position = positions.last { last = position }
            streams.append(AppendedStream(stream: append.stream, version: version, positions: positions))
        }
        let result = AppendResult(firstPosition: first, lastPosition: last, streams: streams)
        if let commandId = request.commandId { try recordCommand(commandId, result: result.encoded()) }
        return result
    }

    /// The newest event as of this transaction (including appends earlier in the batch).
    public var head: Head {
        Head(position: context.headPosition, digest: context.headDigest.bytes, time: context.headTime)
    }

    // MARK: Commands

    /// The result bytes recorded for `commandId`, if that command was committed (or recorded earlier in
    /// this batch).
    public func commandResult(_ commandId: String) throws(EventLogError) -> [UInt8]? {
        try reader.commandResult(commandId)
    }

    /// Records `result` for `commandId`, so a retry of the command can be answered without running it.
    public func recordCommand(_ commandId: String, result: [UInt8]) throws(EventLogError) {
        try validateCommandId(commandId)
        try put(context.dbs.commands, commandId.utf8, result)
    }

    // MARK: Named databases

    /// Stores `value` under `key` in `db` (keys: 1 to 511 bytes).
    public func put(
        _ db: Database, _ key: some Collection<UInt8>, _ value: some Collection<UInt8>
    )
        throws(EventLogError)
    {
        try put(db.dbi, key, value)
    }

    func put(_ dbi: MDB_dbi, _ key: some Collection<UInt8>, _ value: some Collection<UInt8>) throws(EventLogError) {
        let txn = txn
        context.wrote = true
        let rc = withContiguousBytes(key) { keyBytes in
            withContiguousBytes(value) { valueBytes in
                var key = MDB_val(keyBytes)
                var value = MDB_val(valueBytes)
                return mdb_put(txn, dbi, &key, &value, 0)
            }
        }
        guard rc == 0 else {
            if rc == MDB_BAD_VALSIZE { throw .invalid("a key must be 1 to 511 bytes") }
            throw context.writeFailed(rc, "mdb_put")
        }
    }

    /// Deletes `key` from `db`; returns whether it was there.
    @discardableResult
    public func delete(_ db: Database, _ key: some Collection<UInt8>) throws(EventLogError) -> Bool {
        let txn = txn
        context.wrote = true
        let rc = withContiguousBytes(key) { keyBytes in
            var key = MDB_val(keyBytes)
            return mdb_del(txn, db.dbi, &key, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        guard rc == 0 else {
            if rc == MDB_BAD_VALSIZE { throw .invalid("a key must be 1 to 511 bytes") }
            throw context.writeFailed(rc, "mdb_del")
        }
        return true
    }

    /// Empties `db` (`mdb_drop` with `del = 0`): the database stays, its entries go.
    public func dropAll(_ db: Database) throws(EventLogError) {
        context.wrote = true
        let rc = mdb_drop(txn, db.dbi, 0)
        guard rc == 0 else { throw context.writeFailed(rc, "mdb_drop") }
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
    /// Do not write to `db` from `body`.
    public func scan(
        _ db: Database, prefix: some Collection<UInt8> = [UInt8](),
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try reader.scan(db.dbi, prefix: prefix, body)
    }

    // MARK: Reading the log

    /// The stream's current version (including appends earlier in this batch); nil when it has no events.
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
    /// Without a position: from the oldest forwards, or from the newest backwards.
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
}
