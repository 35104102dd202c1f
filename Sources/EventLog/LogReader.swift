internal import CLMDB

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The reads shared by ``ReadTransaction`` and ``WriteTransaction``, over any LMDB transaction.
struct LogReader {
    let txn: OpaquePointer
    let dbs: StoreDatabases

    // MARK: Cursors

    @inline(__always)
    func withCursor<R>(_ dbi: MDB_dbi, _ body: (OpaquePointer) throws -> R) throws -> R {
        var cursor: OpaquePointer?
        let rc = mdb_cursor_open(txn, dbi, &cursor)
        guard rc == 0, let cursor else { throw EventLogError.lmdb(rc, "mdb_cursor_open") }
        defer { mdb_cursor_close(cursor) }
        return try body(cursor)
    }

    // MARK: Head and single records

    /// The newest event's position, digest and time (zeros when empty).
    func headState() throws(EventLogError) -> (position: UInt64, digest: ChainDigest, time: Int64) {
        var cursor: OpaquePointer?
        var rc = mdb_cursor_open(txn, dbs.events, &cursor)
        guard rc == 0, let cursor else { throw .lmdb(rc, "mdb_cursor_open") }
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var data = MDB_val()
        rc = mdb_cursor_get(cursor, &key, &data, MDB_LAST)
        if rc == MDB_NOTFOUND { return (0, .genesis, 0) }
        guard rc == 0 else { throw .lmdb(rc, "read head") }
        guard key.mv_size == 8, RecordLayout.isWellFormed(data.bytes) else {
            throw .corrupted("the newest record is malformed")
        }
        let view = EventRecordView(validated: data.bytes)
        return (view.position, ChainDigest(view.digest), view.time)
    }

    func head() throws(EventLogError) -> Head {
        let state = try headState()
        return Head(position: state.position, digest: state.digest.bytes, time: state.time)
    }

    /// Raw record bytes at `position`, or nil.
    func recordBytes(at position: UInt64) throws(EventLogError) -> UnsafeRawBufferPointer? {
        var data = MDB_val()
        let rc = withPositionKey(position) { key in mdb_get(txn, dbs.events, &key, &data) }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == 0 else { throw .lmdb(rc, "mdb_get events") }
        guard RecordLayout.isWellFormed(data.bytes) else { throw .corrupted("record \(position) is malformed") }
        return data.bytes
    }

    func withRecord<R>(at position: UInt64, _ body: (borrowing EventRecordView) throws -> R) throws -> R? {
        guard let bytes = try recordBytes(at: position) else { return nil }
        return try body(EventRecordView(validated: bytes))
    }

    func record(at position: UInt64) throws(EventLogError) -> RecordedEvent? {
        guard let bytes = try recordBytes(at: position) else { return nil }
        return EventRecordView(validated: bytes).recordedEvent()
    }

    // MARK: Scans

    func scan(
        from start: UInt64?, direction: ScanDirection, _ body: (borrowing EventRecordView) throws -> Bool
    ) throws {
        let position = start ?? (direction == .forward ? 1 : .max)
        try withCursor(dbs.events) { cursor in
            var key = MDB_val()
            var data = MDB_val()
            var rc: Int32
            switch direction {
            case .forward:
                rc = withPositionKey(max(position, 1)) { seek in
                    let rc = mdb_cursor_get(cursor, &seek, &data, MDB_SET_RANGE)
                    key = seek
                    return rc
                }
            case .backward:
                rc = withPositionKey(position) { seek in
                    let rc = mdb_cursor_get(cursor, &seek, &data, MDB_SET_RANGE)
                    key = seek
                    return rc
                }
                if rc == MDB_NOTFOUND {
                    rc = mdb_cursor_get(cursor, &key, &data, MDB_LAST)
                } else if rc == 0, bigEndianUInt64(key.bytes) > position {
                    rc = mdb_cursor_get(cursor, &key, &data, MDB_PREV)
                }
            }
            let step = direction == .forward ? MDB_NEXT : MDB_PREV
            while rc == 0 {
                guard RecordLayout.isWellFormed(data.bytes) else {
                    throw EventLogError.corrupted("record \(bigEndianUInt64(key.bytes)) is malformed")
                }
                guard try body(EventRecordView(validated: data.bytes)) else { return }
                rc = mdb_cursor_get(cursor, &key, &data, step)
            }
            guard rc == MDB_NOTFOUND else { throw EventLogError.lmdb(rc, "scan events") }
        }
    }

    func events(from position: UInt64?, direction: ScanDirection, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        guard limit > 0 else { return result }
        try rethrowAsEventLogError {
            try scan(from: position, direction: direction) { view in
                result.append(view.recordedEvent())
                return result.count < limit
            }
        }
        return result
    }

    func events(inTimeRange range: Range<Int64>, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        guard limit > 0 else { return result }
        try rethrowAsEventLogError {
            try scan(from: 1, direction: .forward) { view in
                if range.contains(view.time) { result.append(view.recordedEvent()) }
                return result.count < limit
            }
        }
        return result
    }

    /// The position through which the `streams` index is complete (0: nothing indexed yet).
    func indexedThrough() throws(EventLogError) -> UInt64 {
        guard let bytes = try lookup(dbs.meta, StoreDatabases.metaIndexedKey) else { return 0 }
        guard bytes.count == 8 else { throw .corrupted("meta/indexed is malformed") }
        return bigEndianUInt64(bytes)
    }

    /// The stream's events after `meta/indexed`, if it has any.
    func tail(ofStreamBytes stream: UnsafeRawBufferPointer) throws(EventLogError) -> StreamTail? {
        var data = MDB_val()
        let rc = withTailKey(bytes: stream) { key in mdb_get(txn, dbs.meta, &key, &data) }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == 0 else { throw .lmdb(rc, "read stream tail") }
        guard let tail = StreamTail(data.bytes) else { throw .corrupted("a stream tail entry is malformed") }
        return tail
    }

    func tail(of stream: String) throws(EventLogError) -> StreamTail? {
        var stream = stream
        let result = stream.withUTF8 { utf8 -> Result<StreamTail?, EventLogError> in
            do throws(EventLogError) {
                return .success(try tail(ofStreamBytes: UnsafeRawBufferPointer(utf8)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Current version of `stream`, or nil when it has no events.
    func streamVersion(_ stream: String) throws(EventLogError) -> UInt64? {
        if let tail = try tail(of: stream) { return tail.version }
        return try indexedVersion(stream)
    }

    /// The stream's newest version in the `streams` index (events up to `meta/indexed`).
    func indexedVersion(_ stream: String) throws(EventLogError) -> UInt64? {
        var stream = stream
        let result = stream.withUTF8 { utf8 -> Result<UInt64?, EventLogError> in
            do throws(EventLogError) {
                return .success(try indexedVersion(ofStreamBytes: UnsafeRawBufferPointer(utf8)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func indexedVersion(ofStreamBytes stream: UnsafeRawBufferPointer) throws(EventLogError) -> UInt64? {
        var cursor: OpaquePointer?
        var rc = mdb_cursor_open(txn, dbs.streams, &cursor)
        guard rc == 0, let cursor else { throw .lmdb(rc, "mdb_cursor_open") }
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var data = MDB_val()
        // Seek to the first key after every key of this stream (stream ‖ 0x01), then step back.
        rc = withStreamKey(bytes: stream, version: nil) { seek in mdb_cursor_get(cursor, &seek, &data, MDB_SET_RANGE) }
        if rc == 0 {
            rc = mdb_cursor_get(cursor, &key, &data, MDB_PREV)
        } else if rc == MDB_NOTFOUND {
            rc = mdb_cursor_get(cursor, &key, &data, MDB_LAST)
        }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == 0 else { throw .lmdb(rc, "read stream version") }
        return Self.version(inStreamKey: key.bytes, ofStreamBytes: stream)
    }

    /// The version in a `streams` key when the key belongs to `stream`.
    @inline(__always)
    static func version(inStreamKey key: UnsafeRawBufferPointer, of stream: String) -> UInt64? {
        var stream = stream
        return stream.withUTF8 { version(inStreamKey: key, ofStreamBytes: UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    static func version(
        inStreamKey key: UnsafeRawBufferPointer, ofStreamBytes stream: UnsafeRawBufferPointer
    )
        -> UInt64?
    {
        let count = stream.count
        guard key.count == count + 9, key[count] == 0,
            count == 0 || memcmp(key.baseAddress!, stream.baseAddress!, count) == 0
        else { return nil }
        return bigEndianUInt64(key, at: count + 1)
    }

    /// Visits the stream's events from `version`: those in the `streams` index, then those after
    /// `meta/indexed`, found by scanning the log from the stream's first unindexed position.
    func scanStream(
        _ stream: String, from version: UInt64, _ body: (borrowing EventRecordView) throws -> Bool
    ) throws {
        let version = Swift.max(version, 1)
        let finished = try withCursor(dbs.streams) { cursor -> Bool in
            var key = MDB_val()
            var data = MDB_val()
            var rc = withStreamKey(stream, version: version) { seek in
                let rc = mdb_cursor_get(cursor, &seek, &data, MDB_SET_RANGE)
                key = seek
                return rc
            }
            while rc == 0 {
                guard Self.version(inStreamKey: key.bytes, of: stream) != nil else { return true }
                guard data.mv_size == 8 else { throw EventLogError.corrupted("stream index entry is malformed") }
                let position = bigEndianUInt64(data.bytes)
                guard let record = try recordBytes(at: position) else {
                    throw EventLogError.corrupted("stream '\(stream)' indexes missing position \(position)")
                }
                guard try body(EventRecordView(validated: record)) else { return false }
                rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
            }
            guard rc == MDB_NOTFOUND else { throw EventLogError.lmdb(rc, "scan stream") }
            return true
        }
        guard finished, let tail = try tail(of: stream), tail.version >= version else { return }
        try scan(from: tail.first, direction: .forward) { view in
            guard view.position <= tail.position else { return false }
            guard view.streamEquals(stream), view.streamVersion >= version else { return true }
            return try body(view)
        }
    }

    func stream(_ stream: String, from version: UInt64, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        guard limit > 0 else { return result }
        try rethrowAsEventLogError {
            try scanStream(stream, from: version) { view in
                result.append(view.recordedEvent())
                return result.count < limit
            }
        }
        return result
    }

    // MARK: Commands and named databases

    func commandResult(_ commandId: String) throws(EventLogError) -> [UInt8]? {
        try get(dbs.commands, commandId.utf8)
    }

    /// Looks `key` up in `dbi`; the returned bytes live as long as the transaction (and are not written).
    func lookup(_ dbi: MDB_dbi, _ key: some Collection<UInt8>) throws(EventLogError) -> UnsafeRawBufferPointer? {
        var data = MDB_val()
        let rc = withContiguousBytes(key) { bytes in
            var key = MDB_val(bytes)
            return mdb_get(txn, dbi, &key, &data)
        }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == 0 else { throw .lmdb(rc, "mdb_get") }
        return data.bytes
    }

    func get(_ dbi: MDB_dbi, _ key: some Collection<UInt8>) throws(EventLogError) -> [UInt8]? {
        try lookup(dbi, key).map { Array($0) }
    }

    func scan(
        _ dbi: MDB_dbi, prefix: some Collection<UInt8>,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try scan(dbi, from: prefix, prefix: prefix, body)
    }

    /// ``scan(_:prefix:_:)`` starting at the first key at or after `start` (which should itself begin
    /// with `prefix`: keys before it are skipped, not visited).
    func scan(
        _ dbi: MDB_dbi, from start: some Collection<UInt8>, prefix: some Collection<UInt8>,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let prefix = Array(prefix)
        let start = Array(start)
        try withCursor(dbi) { cursor in
            var key = MDB_val()
            var data = MDB_val()
            var rc: Int32
            if start.isEmpty {
                rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
            } else {
                rc = start.withUnsafeBytes { bytes in
                    var seek = MDB_val(bytes)
                    let rc = mdb_cursor_get(cursor, &seek, &data, MDB_SET_RANGE)
                    key = seek
                    return rc
                }
            }
            while rc == 0 {
                let keyBytes = key.bytes
                guard keyBytes.count >= prefix.count, keyBytes.prefix(prefix.count).elementsEqual(prefix) else {
                    return
                }
                guard try body(keyBytes, data.bytes) else { return }
                rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
            }
            guard rc == MDB_NOTFOUND else { throw EventLogError.lmdb(rc, "scan database") }
        }
    }
}

/// Runs `body`, converting any error to ``EventLogError`` (bodies here only throw those).
@inline(__always)
func rethrowAsEventLogError(_ body: () throws -> Void) throws(EventLogError) {
    do {
        try body()
    } catch let error as EventLogError {
        throw error
    } catch {
        throw EventLogError(code: .lmdb, message: "\(error)")
    }
}
