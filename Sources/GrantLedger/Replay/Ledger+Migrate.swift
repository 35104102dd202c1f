public import EventLog
internal import GrantWorkflow

/// What `migrate --encrypt-personal-data` did.
public struct MigrationReport: Sendable, Hashable {
    /// Events copied.
    public var events: UInt64
    /// The source's head (position, digest).
    public var sourceHead: Head
    /// The new store's head.
    public var newHead: Head
    /// The mapping record kept in the new store: which chain it was copied from.
    public var mapping: String
}

extension Ledger {
    /// The `ledger` database key of the mapping record a migration leaves in the new store.
    static let migratedFromKey = Array("migratedFrom".utf8)

    /// Copies the store at `source` into a new store at `destination` whose events seal every personal
    /// field under its subject's key (R-LOG-6): the migration that makes a store written before
    /// encryption erasable. Positions, streams, stream versions, times and metadata stay; payloads are
    /// re-encoded, so the copy is a new chain. Credentials, attachments, the outbox and the command
    /// records are copied; the read models are rebuilt. The source's log is read, never written. A
    /// source that has erased people (one sealed already, since) keeps them erased: their fields are
    /// copied under their erased subjects, whose marks are copied.
    public static func migrateEncryptingPersonalData(
        source: String, destination: String, options: LedgerOptions = .init()
    ) throws(LedgerError) -> MigrationReport {
        let old = try Ledger(path: source, options: options)
        defer { old.close() }
        let check = try old.verify()
        if let bad = check.firstBadPosition {
            throw LedgerError(
                .corrupted, "the source does not verify at position \(bad): \(check.reason ?? "")")
        }
        let new = try Ledger(path: destination, options: options)
        defer { new.close() }
        guard try new.head().position == 0 else {
            throw LedgerError(.invalidInput, "the destination already holds events; migrate into a new folder")
        }
        let oldDbs = old.dbs
        let newDbs = new.dbs
        let oldKeys = SubjectKeyring.reading(old.store, dbs: oldDbs)
        let replayed = ReplayedState()
        var copied: UInt64 = 0
        do {
            // Erasures carry over: the marks of the source's erased subjects first (positions stay), so
            // that an erased field is copied as erased under its subject, never sealed anew.
            try new.store.writeSync { txn in
                try old.store.read { source in
                    try source.scan(oldDbs.subjects, prefix: SubjectRecords.keys) { key, value in
                        if case .erased? = SubjectEntry(Array(value)) {
                            try txn.put(newDbs.subjects, Array(key), Array(value))
                        }
                        return true
                    }
                }
            }
            var position: UInt64 = 1
            while true {
                let events = try old.store.read { txn in try txn.events(from: position, limit: 4096) }
                if events.isEmpty { break }
                var decoded: [(RecordedEvent, DomainEvent)] = []
                for event in events {
                    let domain: DomainEvent
                    do {
                        domain = try DomainEvent.decode(
                            typeName: event.type, schemaVersion: Int(event.schemaVersion), payload: event.payload,
                            opener: oldKeys)
                    } catch {
                        throw LedgerError(.corrupted, "event \(event.position) does not decode: \(error)")
                    }
                    decoded.append((event, domain))
                }
                let batch = decoded
                try new.store.writeSync { txn in
                    try txn.withUnsafeAccess { access in
                        let keys = SubjectKeyring(access: access, dbs: newDbs)
                        keys.documentOfAccount = { replayed.state.account($0)?.idNumber }
                        for (event, domain) in batch {
                            keys.position = event.position
                            let payload = domain.unsealedPayload ?? domain.payload(sealer: keys)
                            if let fault = keys.fault { throw LedgerError(.storage, fault) }
                            let record = NewEvent(
                                type: event.type, schemaVersion: UInt16(domain.schemaVersion), payload: payload,
                                time: event.time, commandId: event.commandId, actor: event.actor,
                                causationId: event.causationId, correlationId: event.correlationId)
                            let landed = try txn.append([record], to: event.stream)
                            guard landed.last == event.position else {
                                throw LedgerError(
                                    .storage, "event \(event.position) landed at \(landed.last ?? 0) in the copy")
                            }
                            Workflow.evolve(domain, inMemory: &replayed.state)
                        }
                        try keys.finish()
                    }
                }
                copied += UInt64(events.count)
                position = (events.last?.position ?? position) + 1
            }
            // Everything else the engine keeps, byte for byte; then the read models from the new log.
            try new.store.writeSync { txn in
                try old.store.read { source in
                    for db in [
                        (oldDbs.credentials, newDbs.credentials), (oldDbs.attachments, newDbs.attachments),
                        (oldDbs.outbox, newDbs.outbox),
                    ] {
                        try source.scan(db.0) { key, value in
                            try txn.put(db.1, Array(key), Array(value))
                            return true
                        }
                    }
                    if let sequence = try source.get(oldDbs.ledger, LedgerMetaKey.outboxSequence) {
                        try txn.put(newDbs.ledger, LedgerMetaKey.outboxSequence, sequence)
                    }
                    try source.forEachCommandRecord { id, result in
                        try txn.recordCommand(id, result: result)
                        return true
                    }
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
        _ = try new.rebuildModels()
        let sourceHead = try old.head()
        let newHead = try new.head()
        let mapping =
            "positions 1…\(sourceHead.position) of \(PasswordHasher.hex(sourceHead.digest)) → "
            + "1…\(newHead.position) of \(PasswordHasher.hex(newHead.digest))"
        do {
            try new.store.writeSync { txn in try txn.put(newDbs.ledger, Ledger.migratedFromKey, Array(mapping.utf8)) }
        } catch {
            throw Self.ledgerError(error)
        }
        return MigrationReport(events: copied, sourceHead: sourceHead, newHead: newHead, mapping: mapping)
    }
}

/// The workflow state a migration builds as it copies (to resolve an account's document number when a
/// profile is sealed); used from the copying thread only.
private final class ReplayedState: @unchecked Sendable {
    var state = WorkflowState()
}
