internal import EventLog
internal import GrantWorkflow

/// Keeping the read models in step with the log: catching up inside a command's transaction,
/// rebuilding from scratch, and comparing a rebuild with the live models (R-LOG-5).
enum ModelMaintenance {
    /// The position the read models reflect.
    static func checkpoint(_ access: TransactionAccess, dbs: LedgerDatabases) throws -> UInt64 {
        try access.get(dbs.ledger, LedgerMetaKey.checkpoint).flatMap(BigEndian.value) ?? 0
    }

    /// Applies, inside a write transaction, the events the read models have not seen yet (appended by
    /// a plain event-log writer, say). A no-op in the normal case: one lookup.
    static func catchUp(_ txn: borrowing WriteTransaction, dbs: LedgerDatabases) throws {
        let head = txn.head.position
        try txn.withUnsafeAccess { access in
            let checkpoint = try checkpoint(access, dbs: dbs)
            guard checkpoint < head else { return }
            var state = ModelStore(access: access, dbs: dbs)
            let keys = SubjectKeyring(access: access, dbs: dbs)
            try txn.scan(from: checkpoint + 1) { view in
                Workflow.evolve(try decode(view, keys: keys), into: &state)
                return true
            }
            try CommandRunner.checkFault(state)
            try access.put(dbs.ledger, LedgerMetaKey.checkpoint, BigEndian.bytes(head))
        }
    }

    /// Decodes the domain event of a stored record, opening its personal fields with `keys` (erased
    /// subjects' fields read as erased; a missing key of a live subject is `corrupted`, R-LOG-6).
    static func decode(_ view: borrowing EventRecordView, keys: SubjectKeyring) throws -> DomainEvent {
        do {
            return try DomainEvent.decode(
                typeName: view.type, schemaVersion: Int(view.schemaVersion), payload: Array(view.payload),
                opener: keys)
        } catch {
            throw LedgerError(.corrupted, "event \(view.position) (\(view.type)) does not decode: \(error)")
        }
    }

    /// The workflow state of the whole log, replayed in memory, with the number of events read.
    static func replayAll(
        _ scan: (_ body: (borrowing EventRecordView) throws -> Bool) throws -> Void, keys: SubjectKeyring,
        progress: ((UInt64) -> Void)? = nil
    ) throws -> (state: WorkflowState, count: UInt64) {
        var state = WorkflowState()
        var count: UInt64 = 0
        try scan { view in
            Workflow.evolve(try decode(view, keys: keys), inMemory: &state)
            count += 1
            if count & 0x3FFF == 0 { progress?(count) }
            return true
        }
        progress?(count)
        return (state, count)
    }

    /// Drops the read models and writes them anew from the whole log, in one write transaction.
    static func rebuild(
        _ txn: borrowing WriteTransaction, dbs: LedgerDatabases, progress: ((UInt64) -> Void)? = nil
    ) throws -> RebuildReport {
        let head = txn.head.position
        let keys = txn.withUnsafeAccess { access in SubjectKeyring(access: access, dbs: dbs) }
        let (state, count) = try replayAll({ body in try txn.scan(from: 1, body) }, keys: keys, progress: progress)
        let records = ModelRecords.records(of: state, hasher: dbs.hasher)
        try txn.dropAll(dbs.models)
        try txn.withUnsafeAccess { access in
            for record in records { try access.put(dbs.models, record.key, record.value) }
            try access.put(dbs.ledger, LedgerMetaKey.checkpoint, BigEndian.bytes(head))
            try access.put(dbs.ledger, LedgerMetaKey.modelFormat, BigEndian.bytes(Ledger.modelFormat))
        }
        return RebuildReport(events: count, records: records.count, headPosition: head, differences: [])
    }

    /// Replays the log in memory and compares the result with the live read models, without writing.
    static func check(
        _ txn: borrowing ReadTransaction, dbs: LedgerDatabases, progress: ((UInt64) -> Void)? = nil,
        limit: Int = 100
    ) throws -> RebuildReport {
        let head = try txn.head.position
        let keys = txn.withUnsafeAccess { access in SubjectKeyring(access: access, dbs: dbs) }
        let (state, count) = try replayAll({ body in try txn.scan(from: 1, body) }, keys: keys, progress: progress)
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
                    try ModelMaintenance.catchUp(txn, dbs: dbs)
                    try txn.withUnsafeAccess { access in
                        try access.put(dbs.ledger, LedgerMetaKey.modelFormat, BigEndian.bytes(Self.modelFormat))
                    }
                }
            } else {
                _ = try store.writeSync { txn in try ModelMaintenance.rebuild(txn, dbs: dbs) }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Drops every read model and rebuilds it from the log (`replay rebuild`), in one transaction.
    public func rebuildModels(progress: (@Sendable (UInt64) -> Void)? = nil) throws(LedgerError) -> RebuildReport {
        let dbs = dbs
        do {
            return try store.writeSync { txn in try ModelMaintenance.rebuild(txn, dbs: dbs, progress: progress) }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Replays the log in memory and compares with the live read models (`replay rebuild --check`).
    public func checkModels(progress: ((UInt64) -> Void)? = nil) throws(LedgerError) -> RebuildReport {
        let dbs = dbs
        do {
            return try store.read { txn in try ModelMaintenance.check(txn, dbs: dbs, progress: progress) }
        } catch {
            throw Self.ledgerError(error)
        }
    }
}
