public import EventLog
public import GrantWorkflow

/// Decodes stored events for a replica (GrantLedgerPostgres) the way the ledger does: personal fields
/// opened with the store's subject keys, an erased subject's fields read as erased (R-LOG-6).
///
/// Keys are cached for the decoder's life, so take a new one for each batch: a decoder made after an
/// erasure committed no longer opens that subject's fields.
public final class ReplicaDecoder: @unchecked Sendable {
    private let keys: SubjectKeyring

    init(keys: SubjectKeyring) { self.keys = keys }

    /// A decoder over a replica's copy of the subject keys, without a store (`replay verify --postgres`):
    /// `records` are raw entries of ``Ledger/scanSubjectRecords(_:)`` as a replica holds them (only the
    /// subjects' key records are read). It notes the erasure marks it meets (``erasureMarksMet``).
    public convenience init(subjectRecords records: [(key: [UInt8], value: [UInt8])]) {
        var keyRecords: [[UInt8]: [UInt8]] = [:]
        keyRecords.reserveCapacity(records.count)
        for record in records where record.key.first == SubjectRecords.keys.first {
            keyRecords[record.key] = record.value
        }
        let keys = SubjectKeyring { key in keyRecords[key] }
        keys.recordsErasures = true
        self.init(keys: keys)
    }

    /// How many erased subjects this decoder has met in sealed fields (with
    /// ``init(subjectRecords:)``; 0 otherwise).
    public var erasureMarkCount: Int { keys.erasuresMet.count }

    /// The erased subjects met in sealed fields, each with the position its erasure mark names (with
    /// ``init(subjectRecords:)``): a mark that no `SubjectErased` event at that position made would hide
    /// a lost key (R-LOG-6).
    public var erasureMarksMet: [(subject: [UInt8], position: UInt64)] { Array(keys.erasuresMet.values) }

    /// The domain event a stored record holds.
    public func domainEvent(of event: RecordedEvent) throws(LedgerError) -> DomainEvent {
        do {
            return try DomainEvent.decode(
                typeName: event.type, schemaVersion: Int(event.schemaVersion), payload: event.payload, opener: keys)
        } catch {
            throw LedgerError(.corrupted, "event \(event.position) (\(event.type)) does not decode: \(error)")
        }
    }

    /// The record and its decoded payload as one JSON object, as ``Ledger/json(of:)`` renders it.
    public func json(of event: RecordedEvent) throws -> JSONValue {
        try Ledger.json(of: event, keys: keys)
    }

    /// The domain event and the `data` member of its JSON (``json(of:)``), from one decoding.
    public func decoded(_ event: RecordedEvent) throws(LedgerError) -> (event: DomainEvent, data: JSONValue) {
        let domain = try domainEvent(of: event)
        return (domain, EventSummary.json(domain)[member: "data"] ?? .null)
    }
}

extension Ledger {
    /// A decoder over the store's committed subject keys, for one batch of a replica: the one place
    /// replicas get decoded events and their JSON from.
    public func replicaDecoder() -> ReplicaDecoder {
        ReplicaDecoder(keys: SubjectKeyring.reading(store, dbs: dbs))
    }

    /// The domain event a stored record holds, decoded with the store's subject keys.
    public func domainEvent(of event: RecordedEvent) throws(LedgerError) -> DomainEvent {
        try replicaDecoder().domainEvent(of: event)
    }
}

extension Ledger {
    /// Visits every entry of the subject keys database in key order, from one snapshot, without
    /// copying, while `body` returns true (R-LOG-6: the subjects' data keys or erasure marks, keyed-hash
    /// lookups, occurrences, account links and the store's lookup secret). A replica copies them raw to
    /// be restorable into a store that decodes.
    ///
    /// Returns the id of the snapshot scanned (`ReadTransaction.snapshotID` (EventLog)).
    @discardableResult
    public func scanSubjectRecords(
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws(LedgerError) -> UInt64 {
        let subjects = dbs.subjects
        do {
            return try store.read { txn in
                try txn.scan(subjects, body)
                return txn.snapshotID
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// The id of the store's current snapshot (`ReadTransaction.snapshotID` (EventLog)): unchanged
    /// as long as nothing was committed.
    public func snapshotID() throws(LedgerError) -> UInt64 {
        do {
            return try store.read { txn in txn.snapshotID }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Whether a replica holds the subject-keys record with this key: the store secret, the subjects'
    /// keys or erasure marks, and the account links. The keyed-hash lookups and the occurrences (two
    /// thirds of the records) are not copied: ``rebuildSubjectIndexes()`` derives them again from
    /// the key records and the log.
    public static func isReplicatedSubjectRecord(_ key: UnsafeRawBufferPointer) -> Bool {
        guard let first = key.first else { return false }
        return first != UInt8(ascii: "l") && first != UInt8(ascii: "o")
    }

    /// The erasure a subject-keys record marks, if it is one: the erased subject's id (32 lowercase hex
    /// digits, as `SubjectErased` names it) and the position of that event. A replica that copies the
    /// keys after rendering rows with them finds here the erasures committed in between.
    public static func erasureMark(
        key: [UInt8], value: [UInt8]
    ) -> (subject: String, position: UInt64)? {
        guard key.count > 1, key.first == SubjectRecords.keys.first, case .erased(let position)? = SubjectEntry(value)
        else { return nil }
        return (PasswordHasher.hex(key.dropFirst()), position)
    }

    /// The events whose occurrences ``rebuildSubjectIndexes()`` writes per transaction: bounds LMDB's
    /// dirty pages.
    static let subjectIndexChunk: UInt64 = 131_072

    /// Derives the subject records a replica does not hold (a restore, after the log was appended):
    /// the lookup of every live subject, from its key record, and an occurrence for every sealed
    /// field in the log (its subject and position), found by decoding each event without opening
    /// anything. In transactions of 131,072 events.
    public func rebuildSubjectIndexes() throws(LedgerError) {
        let dbs = dbs
        do {
            try store.writeSync { txn in
                try txn.withUnsafeAccess { access in
                    var lookups: [(key: [UInt8], value: [UInt8])] = []
                    try access.scan(dbs.subjects, prefix: [UInt8(ascii: "k")]) { key, value in
                        if case .live(_, let lookup)? = SubjectEntry(Array(value)) {
                            lookups.append((SubjectRecords.lookup(lookup), Array(key.dropFirst())))
                        }
                        return true
                    }
                    for (key, subject) in lookups { try access.put(dbs.subjects, key, subject) }
                }
            }
            let head = try store.head().position
            var position: UInt64 = 1
            while position <= head {
                let first = position
                position = try store.writeSync { txn in
                    try txn.withUnsafeAccess { access in
                        let recorder = OccurrenceRecorder()
                        var next = first
                        try txn.scan(from: first) { view in
                            recorder.subjects.removeAll(keepingCapacity: true)
                            _ = try ModelMaintenance.decode(view, opener: recorder)
                            for subject in recorder.subjects {
                                try access.put(dbs.subjects, SubjectRecords.occurrence(subject, view.position), [])
                            }
                            next = view.position + 1
                            return next - first < Self.subjectIndexChunk
                        }
                        return next
                    }
                }
                if position == first { break }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Writes raw entries of ``scanSubjectRecords(_:)`` into this store's subject keys database, replacing
    /// entries with the same keys (a restore, before the log is appended).
    public func restoreSubjectRecords(_ records: [(key: [UInt8], value: [UInt8])]) async throws(LedgerError) {
        let subjects = dbs.subjects
        do {
            try await store.write { txn in
                for record in records { try txn.put(subjects, record.key, record.value) }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }
}

/// An opener that opens nothing (every field reads as erased) and notes whose fields it was shown.
final class OccurrenceRecorder: PersonalFieldOpener, @unchecked Sendable {
    var subjects: [[UInt8]] = []

    func open(_ box: [UInt8], subject: [UInt8]) throws(BinaryDecodingError) -> [UInt8]? {
        if !subjects.contains(subject) { subjects.append(subject) }
        return nil
    }
}
