internal import EventLog
public import GrantWorkflow

/// Every entity of the read models, and the log's head they reflect, read from one snapshot of the
/// store: what a replica's initial sync renders its read tables from (GrantLedgerPostgres), so that
/// they can be copied before the events rather than after.
///
/// The models are the engine's own (R-LOG-5: equal to a replay of the log through the head). They hold
/// personal fields in plain, as `query` shows them, and an erased subject's as erased (R-LOG-6): treat
/// a snapshot as the personal data it is.
public struct ReadModelSnapshot: Sendable {
    /// The position of the newest event the models reflect: the log's head at the snapshot.
    public let position: UInt64
    /// The digest of the event at ``position``.
    public let digest: [UInt8]
    /// The provinces, by id.
    public internal(set) var provinces: [String: Province] = [:]
    /// The units, by id.
    public internal(set) var units: [String: GrantWorkflow.Unit] = [:]
    /// The accounts, by id.
    public internal(set) var accounts: [String: Account] = [:]
    /// The projects, by number.
    public internal(set) var projects: [String: Project] = [:]
    /// The change requests, by id.
    public internal(set) var changeRequests: [String: ChangeRequest] = [:]
    /// The closeouts, by id.
    public internal(set) var closeouts: [String: Closeout] = [:]
    /// The budget adjustments, by id.
    public internal(set) var budgetAdjustments: [String: BudgetAdjustment] = [:]
    /// The ids of each project's change requests, closeouts and budget adjustments, oldest first.
    var changeRequestIds: [String: [String]] = [:]
    var closeoutIds: [String: [String]] = [:]
    var budgetAdjustmentIds: [String: [String]] = [:]

    init(position: UInt64, digest: [UInt8]) {
        self.position = position
        self.digest = digest
    }

    /// The ids of the project's change requests, oldest first.
    public func changeRequestIds(ofProject projectNo: String) -> [String] { changeRequestIds[projectNo] ?? [] }
    /// The ids of the project's closeouts, oldest first.
    public func closeoutIds(ofProject projectNo: String) -> [String] { closeoutIds[projectNo] ?? [] }
    /// The ids of the project's budget adjustments, oldest first.
    public func budgetAdjustmentIds(ofProject projectNo: String) -> [String] { budgetAdjustmentIds[projectNo] ?? [] }
}

extension Ledger {
    /// The read models' entities and the head they reflect, from one snapshot; nil when the models
    /// lag the log there (events appended by a plain event-log writer, applied by the next command).
    ///
    /// Every entity is decoded and held in memory: about what a rebuild holds, so meant for stores of
    /// moderate size (the sink takes one only when the whole log fits in its first batch).
    public func readModelSnapshot() throws(LedgerError) -> ReadModelSnapshot? {
        let dbs = dbs
        do {
            return try store.read { txn -> ReadModelSnapshot? in
                let head = try txn.head
                return try txn.withUnsafeAccess { access -> ReadModelSnapshot? in
                    guard try ModelMaintenance.checkpoint(access, dbs: dbs) == head.position else { return nil }
                    var snapshot = ReadModelSnapshot(position: head.position, digest: head.digest)
                    func each<T: BinaryCodable>(_ table: ModelKey.Table, as type: T.Type, _ body: (T) -> Void) throws {
                        try access.scan(dbs.models, prefix: ModelKey.prefix(table)) { _, value in
                            body(try T(binaryEncoded: Array(value)))
                            return true
                        }
                    }
                    // A project's list of ids, keyed by the project number its items hold (a key component
                    // may be stored hashed).
                    func lists(_ table: ModelKey.Table, project: (String) -> String?) throws -> [String: [String]] {
                        var lists: [String: [String]] = [:]
                        try access.scan(dbs.models, prefix: ModelKey.prefix(table)) { _, value in
                            let ids = try [String](binaryEncoded: Array(value))
                            if let projectNo = ids.lazy.compactMap(project).first { lists[projectNo] = ids }
                            return true
                        }
                        return lists
                    }
                    try each(.province, as: Province.self) { snapshot.provinces[$0.id] = $0 }
                    try each(.unit, as: GrantWorkflow.Unit.self) { snapshot.units[$0.id] = $0 }
                    try each(.account, as: Account.self) { snapshot.accounts[$0.id] = $0 }
                    try each(.project, as: Project.self) { snapshot.projects[$0.projectNo] = $0 }
                    try each(.change, as: ChangeRequest.self) { snapshot.changeRequests[$0.id] = $0 }
                    try each(.closeout, as: Closeout.self) { snapshot.closeouts[$0.id] = $0 }
                    try each(.adjustment, as: BudgetAdjustment.self) { snapshot.budgetAdjustments[$0.id] = $0 }
                    snapshot.changeRequestIds = try lists(.changesOfProject) { snapshot.changeRequests[$0]?.projectNo }
                    snapshot.closeoutIds = try lists(.closeoutsOfProject) { snapshot.closeouts[$0]?.projectNo }
                    snapshot.budgetAdjustmentIds = try lists(.adjustmentsOfProject) {
                        snapshot.budgetAdjustments[$0]?.projectNo
                    }
                    return snapshot
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }
}
