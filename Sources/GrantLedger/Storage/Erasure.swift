internal import EventLog
internal import GrantWorkflow

/// Carries out a `SubjectErased` event inside its command's transaction (R-LOG-6): destroys the
/// subjects' keys, drops the keyed-hash lookups that found them and the full fingerprints of the
/// commands that held their fields, and rewrites every read-model record that held their fields.
///
/// The rewrite replays the streams that hold the subjects' fields (the occurrences recorded when
/// they were sealed, and the person's account streams) twice in memory: once with the keys, once
/// without. Every record the two replays disagree on is a record the person's data shaped; it is
/// written as the keyless replay has it, and the index keys only the first replay had (a username,
/// an ID number, a leader's number) are deleted. A full rebuild decodes the same events without the
/// keys, so the live models stay equal to a rebuild (R-LOG-5), at the cost of replaying only the
/// person's own streams.
enum Erasure {
    static func run(
        _ erased: SubjectErased, at position: UInt64, txn: borrowing WriteTransaction, access: TransactionAccess,
        dbs: LedgerDatabases, keys: SubjectKeyring
    ) throws {
        let subjects = erased.subjects.compactMap(PersonalData.subjectId(hex:))
        guard subjects.count == erased.subjects.count else {
            throw LedgerError(.storage, "a SubjectErased event names a malformed subject id")
        }
        let directory = SubjectDirectory(access: access, dbs: dbs)
        var positions = Set<UInt64>()
        for subject in subjects { positions.formUnion(try directory.occurrences(of: subject)) }
        var streams = Set(erased.accounts.map(StreamID.account))
        var commandIds = Set<String>()
        for occurrence in positions {
            _ = try txn.withRecord(at: occurrence) { view in
                streams.insert(view.stream)
                if let id = view.commandId { commandIds.insert(id) }
            }
        }
        // The full fingerprint of a command that held the person's fields is a fast hash of a command
        // whose other fields are public: it goes, and a retry is told apart by the rest (R-LOG-3, R-LOG-6).
        for id in commandIds {
            if let stored = try txn.commandResult(id), let scrubbed = CommandOutcome.withoutFullFingerprint(stored) {
                try txn.recordCommand(id, result: scrubbed)
            }
        }
        var events: [(position: UInt64, type: String, schemaVersion: Int, payload: [UInt8])] = []
        for stream in streams {
            try txn.scanStream(stream) { view in
                events.append((view.position, view.type, Int(view.schemaVersion), Array(view.payload)))
                return true
            }
        }
        events.sort { $0.position < $1.position }

        let before = try replay(events, keys: keys)
        for subject in subjects {
            let entry = try access.get(dbs.subjects, SubjectRecords.key(subject)).flatMap(SubjectEntry.init)
            if case .live(_, let lookup)? = entry,
                try access.get(dbs.subjects, SubjectRecords.lookup(lookup)) == subject
            {
                _ = try access.delete(dbs.subjects, SubjectRecords.lookup(lookup))
            }
            try access.put(dbs.subjects, SubjectRecords.key(subject), SubjectEntry.erased(position).bytes)
        }
        keys.forget(subjects)
        let after = try replay(events, keys: keys)

        let old = ModelRecords.records(of: before, hasher: dbs.hasher)
        let new = ModelRecords.records(of: after, hasher: dbs.hasher)
        var newValues: [[UInt8]: [UInt8]] = [:]
        for record in new { newValues[record.key] = record.value }
        var oldValues: [[UInt8]: [UInt8]] = [:]
        for record in old {
            oldValues[record.key] = record.value
            if newValues[record.key] == nil { _ = try access.delete(dbs.models, record.key) }
        }
        for record in new where oldValues[record.key] != record.value {
            try access.put(dbs.models, record.key, record.value)
        }
    }

    private static func replay(
        _ events: [(position: UInt64, type: String, schemaVersion: Int, payload: [UInt8])], keys: SubjectKeyring
    ) throws -> WorkflowState {
        var state = WorkflowState()
        for event in events {
            do {
                let domain = try DomainEvent.decode(
                    typeName: event.type, schemaVersion: event.schemaVersion, payload: event.payload, opener: keys)
                Workflow.evolve(domain, inMemory: &state)
            } catch {
                throw LedgerError(.corrupted, "event \(event.position) (\(event.type)) does not decode: \(error)")
            }
        }
        return state
    }
}
