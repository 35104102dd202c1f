internal import EventLog
internal import GrantWorkflow

/// The workflow's state, read from and written to the `models` and `credentials` databases of an
/// open transaction: the live path of every command (decide reads it, evolve writes it, in the same
/// transaction as the events).
///
/// Reads decode the stored entity each time (a B-tree lookup and a binary decode, a few
/// microseconds); writes go straight through, so a later read in the same transaction sees them.
/// The protocol's methods cannot throw: a storage failure or an undecodable record is remembered in
/// ``fault`` and the engine refuses to commit the command.
struct ModelStore: WorkflowStateWriter {
    let access: TransactionAccess
    let dbs: LedgerDatabases
    let faults: FaultBox

    init(access: TransactionAccess, dbs: LedgerDatabases) {
        self.access = access
        self.dbs = dbs
        self.faults = FaultBox()
    }

    /// The first storage failure met, if any.
    var fault: String? { faults.message }

    // MARK: Low-level

    private func load<T: BinaryCodable>(_ key: [UInt8], in db: Database? = nil, as type: T.Type = T.self) -> T? {
        do {
            return try access.withValue(db ?? dbs.models, key) { bytes -> T? in
                guard let bytes else { return nil }
                return try T(binaryEncoded: Array(bytes))
            }
        } catch {
            faults.record("reading \(String(decoding: key, as: UTF8.self)): \(error)")
            return nil
        }
    }

    private func bytes(_ key: [UInt8]) -> [UInt8]? {
        do {
            return try access.get(dbs.models, key)
        } catch {
            faults.record("reading: \(error)")
            return nil
        }
    }

    private func contains(_ key: [UInt8]) -> Bool {
        do {
            return try access.withValue(dbs.models, key) { $0 != nil }
        } catch {
            faults.record("reading: \(error)")
            return false
        }
    }

    private func store(_ key: [UInt8], _ value: [UInt8], in db: Database? = nil) {
        do {
            try access.put(db ?? dbs.models, key, value)
        } catch {
            faults.record("writing: \(error)")
        }
    }

    private func remove(_ key: [UInt8], in db: Database? = nil) {
        do {
            try access.delete(db ?? dbs.models, key)
        } catch {
            faults.record("deleting: \(error)")
        }
    }

    /// The last key component of every record under `prefix` (ids held by an index).
    func lastComponents(prefix: [UInt8]) -> [String] {
        var result: [String] = []
        do {
            try access.scan(dbs.models, prefix: prefix) { key, _ in
                result.append(ModelKey.lastComponent(key))
                return true
            }
        } catch {
            faults.record("scanning: \(error)")
        }
        return result
    }

    /// Stores `value` under `key`, or removes the record when it is nil (``ModelOverlay``'s flush of
    /// the id, marker and list records it holds under their ``ModelKey`` keys).
    func setRecord(_ key: [UInt8], _ value: [UInt8]?) {
        if let value { store(key, value) } else { remove(key) }
    }

    private func setMarker(_ key: [UInt8], _ present: Bool) {
        if present { store(key, []) } else { remove(key) }
    }

    private func setString(_ key: [UInt8], _ value: String?) {
        if let value { store(key, Array(value.utf8)) } else { remove(key) }
    }

    private func string(_ key: [UInt8]) -> String? {
        do {
            return try access.withValue(dbs.models, key) { bytes in
                bytes.map { String(decoding: $0, as: UTF8.self) }
            }
        } catch {
            faults.record("reading: \(error)")
            return nil
        }
    }

    private func appendToList(_ key: [UInt8], _ id: String) {
        var list: [String] = load(key) ?? []
        guard !list.contains(id) else { return }
        list.append(id)
        store(key, list.binaryEncoded)
    }

    // MARK: WorkflowStateReader

    func account(_ id: String) -> Account? { load(ModelKey.make(.account, id)) }

    func accountId(role: Role, username: String) -> String? {
        guard let name = ModelRecords.usernameComponent(role, username, hasher: dbs.hasher) else { return nil }
        return string(ModelKey.make(.username, role.rawValue, name))
    }

    func personalAccountIds(role: Role, idNumber: String) -> [String] {
        guard let number = ModelRecords.idNumberComponent(idNumber, hasher: dbs.hasher) else { return [] }
        return lastComponents(prefix: ModelKey.prefix(.personById, role.rawValue, number))
    }

    func adminAccountIds(_ scope: AdminScope) -> [String] {
        lastComponents(prefix: ModelKey.prefix(.adminScope, ModelKey.scopeComponent(scope)))
    }

    func province(_ id: String) -> Province? { load(ModelKey.make(.province, id)) }

    func unit(_ id: String) -> Unit? { load(ModelKey.make(.unit, id)) }

    func project(_ projectNo: String) -> Project? { load(ModelKey.make(.project, projectNo)) }

    func forEachActiveProject(_ body: (Project) -> Void) {
        for projectNo in lastComponents(prefix: ModelKey.prefix(.activeProject)) {
            if let project = project(projectNo) { body(project) }
        }
    }

    func changeRequest(_ id: String) -> ChangeRequest? { load(ModelKey.make(.change, id)) }

    func openChangeRequestId(projectNo: String, kind: ChangeKind) -> String? {
        string(ModelKey.make(.openChange, projectNo, kind.rawValue))
    }

    func changeRequestIds(ofProject projectNo: String) -> [String] {
        load(ModelKey.make(.changesOfProject, projectNo)) ?? []
    }

    func closeout(_ id: String) -> Closeout? { load(ModelKey.make(.closeout, id)) }

    func openCloseoutId(projectNo: String) -> String? { string(ModelKey.make(.openCloseout, projectNo)) }

    func closeoutIds(ofProject projectNo: String) -> [String] {
        load(ModelKey.make(.closeoutsOfProject, projectNo)) ?? []
    }

    func budgetAdjustment(_ id: String) -> BudgetAdjustment? { load(ModelKey.make(.adjustment, id)) }

    func openBudgetAdjustmentId(projectNo: String) -> String? { string(ModelKey.make(.openAdjustment, projectNo)) }

    func budgetAdjustmentIds(ofProject projectNo: String) -> [String] {
        load(ModelKey.make(.adjustmentsOfProject, projectNo)) ?? []
    }

    func closeoutId(certificateNo: String) -> String? { string(ModelKey.make(.certificate, certificateNo)) }

    func credential(_ accountId: String) -> Credential? {
        load(ModelKey.make(.credential, accountId), in: dbs.credentials)
    }

    func resetToken(digest: String) -> ResetTokenRecord? {
        load(ModelKey.make(.resetToken, digest), in: dbs.credentials)
    }

    func passwordResetState(_ accountId: String) -> PasswordResetState? {
        load(ModelKey.make(.passwordReset, accountId), in: dbs.credentials)
    }

    // MARK: WorkflowStateWriter

    mutating func putAccount(_ account: Account) {
        let key = ModelKey.make(.account, account.id)
        let old: Account? = load(key)
        store(key, account.binaryEncoded)
        updateDerived(ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: account))
    }

    mutating func setAccountId(role: Role, username: String, accountId: String?) {
        guard let name = ModelRecords.usernameComponent(role, username, hasher: dbs.hasher) else { return }
        setString(ModelKey.make(.username, role.rawValue, name), accountId)
    }

    mutating func setPersonalAccount(role: Role, idNumber: String, accountId: String, present: Bool) {
        guard let number = ModelRecords.idNumberComponent(idNumber, hasher: dbs.hasher) else { return }
        setMarker(ModelKey.make(.personById, role.rawValue, number, accountId), present)
    }

    mutating func addAdminAccount(_ scope: AdminScope, accountId: String) {
        setMarker(ModelKey.make(.adminScope, ModelKey.scopeComponent(scope), accountId), true)
    }

    mutating func putProvince(_ province: Province) {
        store(ModelKey.make(.province, province.id), province.binaryEncoded)
    }

    mutating func putUnit(_ unit: Unit) {
        store(ModelKey.make(.unit, unit.id), unit.binaryEncoded)
    }

    mutating func putProject(_ project: Project) {
        let key = ModelKey.make(.project, project.projectNo)
        let old: Project? = load(key)
        store(key, project.binaryEncoded)
        let derived = ModelRecords.derivedKeys(of: old, project, hasher: dbs.hasher)
        updateDerived(derived.old, derived.new)
        count(old: ModelCounters.counters(of: old), new: ModelCounters.counters(of: project))
        if let old, old.unitId != project.unitId {
            // The project's items count for its unit: they move with it.
            let items =
                changeRequests(ofProject: project.projectNo).map {
                    (
                        ModelCounters.counters(of: $0, unit: old.unitId),
                        ModelCounters.counters(of: $0, unit: project.unitId)
                    )
                }
                + closeouts(ofProject: project.projectNo).map {
                    (
                        ModelCounters.counters(of: $0, unit: old.unitId),
                        ModelCounters.counters(of: $0, unit: project.unitId)
                    )
                }
                + budgetAdjustments(ofProject: project.projectNo).map {
                    (
                        ModelCounters.counters(of: $0, unit: old.unitId),
                        ModelCounters.counters(of: $0, unit: project.unitId)
                    )
                }
            for (before, after) in items { count(old: before, new: after) }
        }
    }

    /// Applies the counter changes of an entity that went from `old` to `new` (``ModelCounters``).
    private mutating func count(old: [ModelCounters.Counter], new: [ModelCounters.Counter]) {
        for (counter, delta) in ModelCounters.deltas(old: old, new: new) {
            let key = ModelCounters.key(counter)
            let current = Int(bytes(key).flatMap(BigEndian.value) ?? 0)
            let next = current + delta
            if next > 0 { store(key, BigEndian.bytes(UInt64(next))) } else { remove(key) }
        }
    }

    /// The current unit of a project, for its items' counters.
    private func unitOfProject(_ projectNo: String) -> String { project(projectNo)?.unitId ?? "" }

    mutating func setActiveProject(_ projectNo: String, active: Bool) {
        setMarker(ModelKey.make(.activeProject, projectNo), active)
    }

    mutating func putChangeRequest(_ request: ChangeRequest) {
        let key = ModelKey.make(.change, request.id)
        let old: ChangeRequest? = load(key)
        store(key, request.binaryEncoded)
        updateDerived(ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: request))
        let unit = unitOfProject(request.projectNo)
        count(old: ModelCounters.counters(of: old, unit: unit), new: ModelCounters.counters(of: request, unit: unit))
    }

    mutating func setOpenChangeRequestId(projectNo: String, kind: ChangeKind, requestId: String?) {
        setString(ModelKey.make(.openChange, projectNo, kind.rawValue), requestId)
    }

    mutating func addChangeRequestId(projectNo: String, requestId: String) {
        appendToList(ModelKey.make(.changesOfProject, projectNo), requestId)
    }

    mutating func putCloseout(_ closeout: Closeout) {
        let key = ModelKey.make(.closeout, closeout.id)
        let old: Closeout? = load(key)
        store(key, closeout.binaryEncoded)
        updateDerived(ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: closeout))
        let unit = unitOfProject(closeout.projectNo)
        count(old: ModelCounters.counters(of: old, unit: unit), new: ModelCounters.counters(of: closeout, unit: unit))
    }

    mutating func setOpenCloseoutId(projectNo: String, closeoutId: String?) {
        setString(ModelKey.make(.openCloseout, projectNo), closeoutId)
    }

    mutating func addCloseoutId(projectNo: String, closeoutId: String) {
        appendToList(ModelKey.make(.closeoutsOfProject, projectNo), closeoutId)
    }

    mutating func putBudgetAdjustment(_ adjustment: BudgetAdjustment) {
        let key = ModelKey.make(.adjustment, adjustment.id)
        let old: BudgetAdjustment? = load(key)
        store(key, adjustment.binaryEncoded)
        updateDerived(ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: adjustment))
        let unit = unitOfProject(adjustment.projectNo)
        count(
            old: ModelCounters.counters(of: old, unit: unit), new: ModelCounters.counters(of: adjustment, unit: unit))
    }

    mutating func setOpenBudgetAdjustmentId(projectNo: String, adjustmentId: String?) {
        setString(ModelKey.make(.openAdjustment, projectNo), adjustmentId)
    }

    mutating func addBudgetAdjustmentId(projectNo: String, adjustmentId: String) {
        appendToList(ModelKey.make(.adjustmentsOfProject, projectNo), adjustmentId)
    }

    mutating func setCertificate(_ certificateNo: String, closeoutId: String) {
        setString(ModelKey.make(.certificate, certificateNo), closeoutId)
    }

    mutating func putCredential(_ credential: Credential) {
        store(ModelKey.make(.credential, credential.accountId), credential.binaryEncoded, in: dbs.credentials)
    }

    mutating func putResetToken(_ token: ResetTokenRecord) {
        store(ModelKey.make(.resetToken, token.digest), token.binaryEncoded, in: dbs.credentials)
    }

    mutating func putPasswordResetState(_ resetState: PasswordResetState) {
        store(
            ModelKey.make(.passwordReset, resetState.accountId), resetState.binaryEncoded, in: dbs.credentials)
    }

    private func updateDerived(_ old: [[UInt8]], _ new: [[UInt8]]) {
        for key in old where !new.contains(where: { ModelKey.same($0, key) }) { remove(key) }
        for key in new where !old.contains(where: { ModelKey.same($0, key) }) { store(key, []) }
    }
}

/// Where a ``ModelStore`` remembers its first failure (the protocol's methods cannot throw).
final class FaultBox {
    private(set) var message: String?

    func record(_ text: String) {
        if message == nil { message = text }
    }
}

extension ModelStore {
    /// Project numbers of a unit, in key order (the `projectsOfUnit` index).
    func projectNumbers(ofUnit unitId: String) -> [String] {
        lastComponents(prefix: ModelKey.prefix(.projectsOfUnit, unitId))
    }

    /// Project numbers with a status, in key order.
    func projectNumbers(status: ProjectStatus) -> [String] {
        lastComponents(prefix: ModelKey.prefix(.projectsByStatus, status.rawValue))
    }

    /// Project numbers whose leader holds this ID type and number (normalised), in key order.
    func projectNumbers(ledBy leaderIdType: IdType, idNumber: String) -> [String] {
        guard let leader = ModelRecords.leaderComponent(idNumber, hasher: dbs.hasher) else { return [] }
        return lastComponents(prefix: ModelKey.prefix(.projectsByLeader, leaderIdType.rawValue, leader))
    }
}

extension ModelStore {
    /// One unit's counters (``ModelCounters``): (dimension, value, count).
    func counters(unit: String) -> [(String, String, Int)] {
        var result: [(String, String, Int)] = []
        let prefix = ModelKey.prefix(.counter, unit)
        do {
            try access.scan(dbs.models, prefix: prefix) { key, value in
                let rest = key[prefix.count...]
                if let separator = rest.firstIndex(of: 0), let count = BigEndian.value(value) {
                    let dimension = String(
                        decoding: UnsafeRawBufferPointer(rebasing: rest[..<separator]), as: UTF8.self)
                    let text = String(
                        decoding: UnsafeRawBufferPointer(rebasing: rest[(separator + 1)...]), as: UTF8.self)
                    result.append((dimension, text, Int(count)))
                }
                return true
            }
        } catch {
            faults.record("scanning counters: \(error)")
        }
        return result
    }

    /// How many of a unit's active projects, with no closeout under review, ended before the day
    /// `before` (its `YYYY-MM-DD` bytes): the overdue ones (R-PRJ-3). Reads only those.
    func projectsDue(unit: String, before: [UInt8]) -> Int {
        var count = 0
        let prefix = ModelKey.prefix(.projectsDue, unit)
        do {
            try access.scan(dbs.models, prefix: prefix) { key, _ in
                let date = key[prefix.count...].prefix(before.count)
                guard date.lexicographicallyPrecedes(before) else { return false }
                count += 1
                return true
            }
        } catch {
            faults.record("scanning due projects: \(error)")
        }
        return count
    }
}
