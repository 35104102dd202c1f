internal import EventLog
internal import GrantWorkflow

/// Keeping the read models in step with the log: catching up inside a command's transaction,
/// rebuilding from scratch, and comparing a rebuild with the live models (R-LOG-5).
enum ModelMaintenance {
    /// The position the read models reflect.
    static func checkpoint(_ access: TransactionAccess, dbs: LedgerDatabases) throws -> UInt64 {
        try access.get(dbs.ledger, LedgerMetaKey.checkpoint).flatMap(BigEndian.value) ?? 0
    }

    /// The entities and records a rebuild's or an open's catch-up holds in its overlay before it
    /// flushes them and commits (one chunk): bounds the memory of the overlay, of the stored versions
    /// it read and of LMDB's dirty pages, whatever the length of the log. A chunk used to end after
    /// 131,072 events, whatever they touched: on the 1 M-event demo store its later chunks held a
    /// third of what its first held, and each chunk boundary re-reads, re-decodes and rewrites the
    /// entities still in play. Ending a chunk on what it holds gives the same peak memory with five
    /// chunks instead of eight there (docs/decisions.md, "Chunks that end on what they hold").
    static let chunkHeld = 196_608

    /// The most events one chunk replays, however little they touch: an interrupted rebuild loses at
    /// most this much work, and readers in other processes see a rebuild's progress at least this often.
    static let chunkEvents = 1_048_576

    /// Applies, inside a write transaction, the events the read models have not seen yet (appended by
    /// a plain event-log writer, say). A no-op in the normal case: one lookup.
    static func catchUp(_ txn: borrowing WriteTransaction, dbs: LedgerDatabases) throws {
        _ = try catchUp(txn, dbs: dbs, limit: .max)
    }

    /// Applies at most `limit` of the events after the checkpoint, through a ``ModelOverlay``, and
    /// moves the checkpoint past them; stops early, after the event that makes the overlay hold
    /// `held` entities and records. Returns how many it applied (0: the models were up to date).
    static func catchUp(
        _ txn: borrowing WriteTransaction, dbs: LedgerDatabases, limit: Int, held: Int = .max,
        progress: ((UInt64) -> Void)? = nil, ahead: DecodeAhead? = nil
    ) throws -> Int {
        let head = txn.head.position
        return try txn.withUnsafeAccess { access in
            let checkpoint = try checkpoint(access, dbs: dbs)
            guard checkpoint < head else { return 0 }
            var overlay = ModelOverlay(base: ModelStore(access: access, dbs: dbs))
            let keys = SubjectKeyring(access: access, dbs: dbs, readsAhead: true)
            var last = checkpoint
            var count = 0
            func evolved(_ event: DomainEvent, at position: UInt64) -> Bool {
                Workflow.evolve(event, into: &overlay)
                last = position
                count += 1
                if count & 0x1FFF == 0 {
                    progress?(last)
                    // A long replay reads pages all over the store: they need not stay mapped.
                    if limit != .max { access.releaseMappedPages() }
                }
                return count < limit && last < head && overlay.count < held
            }
            // Events decoded ahead on other threads, while they come in time and fit this head.
            let more = ahead?.drain(from: last + 1, head: head, evolved) ?? true
            if more {
                try txn.scan(from: last + 1) { view in evolved(try decode(view, keys: keys), at: view.position) }
            }
            overlay.flush(releasingMappedPages: limit != .max)
            try CommandRunner.checkFault(overlay.base)
            try access.put(dbs.ledger, LedgerMetaKey.checkpoint, BigEndian.bytes(last))
            if limit != .max { access.releaseMappedPages() }
            return count
        }
    }

    /// Decodes the domain event of a stored record, opening its personal fields with `keys` (erased
    /// subjects' fields read as erased; a missing key of a live subject is `corrupted`, R-LOG-6).
    static func decode(_ view: borrowing EventRecordView, keys: SubjectKeyring) throws -> DomainEvent {
        try decode(view, opener: keys)
    }

    /// Decodes the domain event of a stored record, opening its personal fields with `opener`.
    static func decode(_ view: borrowing EventRecordView, opener: some PersonalFieldOpener) throws -> DomainEvent {
        do {
            guard let type = EventTypeTable.type(of: view.typeBytes) else {
                return try DomainEvent.decode(
                    typeName: view.type, schemaVersion: Int(view.schemaVersion), payload: Array(view.payload),
                    opener: opener)
            }
            return try DomainEvent.decode(
                type: type, schemaVersion: Int(view.schemaVersion), payload: Array(view.payload), opener: opener)
        } catch {
            throw LedgerError(.corrupted, "event \(view.position) (\(view.type)) does not decode: \(error)")
        }
    }

    /// The workflow state of the whole log, replayed in memory, with the number of events read.
    static func replayAll(
        _ scan: (_ body: (borrowing EventRecordView) throws -> Bool) throws -> Void, keys: SubjectKeyring,
        into start: WorkflowState = WorkflowState(), counted: UInt64 = 0, progress: ((UInt64) -> Void)? = nil
    ) throws -> (state: WorkflowState, count: UInt64) {
        var state = start
        var count = counted
        try scan { view in
            Workflow.evolve(try decode(view, keys: keys), inMemory: &state)
            count += 1
            if count & 0x3FFF == 0 { progress?(count) }
            return true
        }
        progress?(count)
        return (state, count)
    }

    /// Drops the read models and writes them anew from the whole log: one transaction empties them
    /// (checkpoint 0, this version's format), then ``catchUp(_:dbs:limit:held:progress:ahead:)``
    /// replays the log in transactions (chunks) of at most `chunk` events that end once the overlay
    /// holds `held` entities and records, each leaving the models consistent with its checkpoint.
    /// Memory stays bounded by the chunk; an interrupted rebuild is finished by the next open's
    /// catch-up, and a command running meanwhile catches the models up itself.
    static func rebuild(
        _ store: EventStore, dbs: LedgerDatabases, chunk: Int = chunkEvents, held: Int = chunkHeld,
        maxChunks: Int = .max, progress: (@Sendable (UInt64) -> Void)? = nil
    ) throws -> RebuildReport {
        try store.writeSync { txn in
            try txn.dropAll(dbs.models)
            try txn.withUnsafeAccess { access in
                try access.put(dbs.ledger, LedgerMetaKey.checkpoint, BigEndian.bytes(0))
                try access.put(dbs.ledger, LedgerMetaKey.modelFormat, BigEndian.bytes(Ledger.modelFormat))
                access.releaseMappedPages()
            }
        }
        return try catchUpInChunks(
            store, dbs: dbs, chunk: chunk, held: held, maxChunks: maxChunks, progress: progress)
    }

    /// Catches the models up to the head in transactions of at most `chunk` events, each ending once
    /// its overlay holds `held` entities and records (tests stop after `maxChunks`, as a crash would).
    static func catchUpInChunks(
        _ store: EventStore, dbs: LedgerDatabases, chunk: Int = chunkEvents, held: Int = chunkHeld,
        maxChunks: Int = .max, progress: (@Sendable (UInt64) -> Void)? = nil
    ) throws -> RebuildReport {
        var events: UInt64 = 0
        var chunks = 0
        let ahead = DecodeAhead(store: store, dbs: dbs, batchEvents: min(chunk, DecodeAhead.batchEvents))
        defer { ahead.stop() }
        while chunks < maxChunks {
            let count = try store.writeSync { txn in
                try catchUp(txn, dbs: dbs, limit: chunk, held: held, progress: progress, ahead: ahead)
            }
            events += UInt64(count)
            chunks += 1
            if count == 0 { break }
        }
        let (records, head) = try store.read { txn in
            try txn.withUnsafeAccess { access in (try access.entryCount(dbs.models), try txn.head.position) }
        }
        progress?(head)
        return RebuildReport(events: events, records: records, headPosition: head, differences: [])
    }

    /// Replays the log in memory and compares the result with the live read models, without writing.
    static func check(
        _ txn: borrowing ReadTransaction, dbs: LedgerDatabases, progress: ((UInt64) -> Void)? = nil,
        limit: Int = 100, ahead: DecodeAhead? = nil
    ) throws -> RebuildReport {
        let head = try txn.head.position
        let keys = txn.withUnsafeAccess { access in SubjectKeyring(access: access, dbs: dbs, readsAhead: true) }
        // Events decoded ahead on other threads at this snapshot's head; the rest inline.
        var state = WorkflowState()
        var count: UInt64 = 0
        _ = ahead?.drain(from: 1, head: head) { event, position in
            Workflow.evolve(event, inMemory: &state)
            count = position
            if count & 0x3FFF == 0 { progress?(count) }
            return count < head
        }
        if count < head {
            (state, count) = try replayAll(
                { body in try txn.scan(from: count + 1, body) }, keys: keys, into: state, counted: count,
                progress: progress)
        } else {
            progress?(count)
        }
        let expected = ModelRecords.records(of: state, hasher: dbs.hasher)
        var differences: [String] = []
        var index = 0
        try txn.withUnsafeAccess { access in
            let checkpoint = try checkpoint(access, dbs: dbs)
            if checkpoint != head {
                differences.append("checkpoint: live models at position \(checkpoint), log head at \(head)")
            }
            try access.scan(dbs.models) { key, value in
                let liveKey = Array(key)
                while index < expected.count, expected[index].key.lexicographicallyPrecedes(liveKey) {
                    differences.append("missing in live models: \(describe(expected[index].key))")
                    index += 1
                }
                if index < expected.count, expected[index].key == liveKey {
                    if expected[index].value != Array(value) {
                        differences.append("differs: \(describe(liveKey))")
                    }
                    index += 1
                } else {
                    differences.append("only in live models: \(describe(liveKey))")
                }
                return differences.count < limit
            }
        }
        while index < expected.count, differences.count < limit {
            differences.append("missing in live models: \(describe(expected[index].key))")
            index += 1
        }
        return RebuildReport(events: count, records: expected.count, headPosition: head, differences: differences)
    }

    /// A key as readable text (separators shown as `/`).
    static func describe(_ key: [UInt8]) -> String {
        String(decoding: key.map { $0 == 0 ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
    }
}

/// What a rebuild (or a check) did.
public struct RebuildReport: Sendable, Hashable {
    /// Events replayed.
    public var events: UInt64
    /// Read-model records the log yields.
    public var records: Int
    /// The log position the models reflect.
    public var headPosition: UInt64
    /// For a check: each difference between the rebuild and the live models (at most 100); empty when equal.
    public var differences: [String]
}

extension Ledger {
    /// Rebuilds the read models when their format is not this version's, or catches them up when
    /// they lag the log. Called at open; normally two lookups.
    func bringModelsUpToDate() throws(LedgerError) {
        let dbs = dbs
        do {
            let (format, checkpoint, head) = try store.read { txn in
                try txn.withUnsafeAccess { access in
                    (
                        try access.get(dbs.ledger, LedgerMetaKey.modelFormat).flatMap(BigEndian.value),
                        try ModelMaintenance.checkpoint(access, dbs: dbs), try txn.head.position
                    )
                }
            }
            if format == Self.modelFormat && checkpoint == head { return }
            if format == Self.modelFormat || (format == nil && head == 0) {
                try store.writeSync { txn in
                    try txn.withUnsafeAccess { access in
                        try access.put(dbs.ledger, LedgerMetaKey.modelFormat, BigEndian.bytes(Self.modelFormat))
                    }
                }
                _ = try ModelMaintenance.catchUpInChunks(store, dbs: dbs)
            } else {
                _ = try ModelMaintenance.rebuild(store, dbs: dbs)
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Drops every read model and rebuilds it from the log (`replay rebuild`), in transactions of a
    /// bounded number of events; an interrupted rebuild is finished by the next open.
    public func rebuildModels(progress: (@Sendable (UInt64) -> Void)? = nil) throws(LedgerError) -> RebuildReport {
        let dbs = dbs
        do {
            return try ModelMaintenance.rebuild(store, dbs: dbs, progress: progress)
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Replays the log in memory and compares with the live read models (`replay rebuild --check`).
    public func checkModels(progress: ((UInt64) -> Void)? = nil) throws(LedgerError) -> RebuildReport {
        let dbs = dbs
        do {
            let ahead = DecodeAhead(store: store, dbs: dbs)
            defer { ahead.stop() }
            return try store.read { txn in
                try ModelMaintenance.check(txn, dbs: dbs, progress: progress, ahead: ahead)
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }
}

/// The event types by the stored bytes of their names, found without making a `String` of the
/// record's type (most names are longer than a small string, so that would allocate per event).
enum EventTypeTable {
    private static let table: [UInt64: (EventType, [UInt8])] = {
        var table: [UInt64: (EventType, [UInt8])] = [:]
        for type in EventType.allCases {
            let name = Array(type.typeName.utf8)
            name.withUnsafeBytes { table[hash($0)] = (type, name) }
        }
        return table
    }()

    /// The type a record names; nil for a name no type has (the caller reports it).
    static func type(of name: UnsafeRawBufferPointer) -> EventType? {
        guard let (type, bytes) = table[hash(name)], bytes.elementsEqual(name) else { return nil }
        return type
    }

    /// FNV-1a.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
