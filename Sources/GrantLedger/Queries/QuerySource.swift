internal import EventLog
internal import GrantWorkflow

/// What list queries need beyond the workflow's keyed lookups: visiting every entity of a kind and
/// the engine's indexes. Implemented over LMDB (``ModelStore``) and over an in-memory
/// ``WorkflowState`` (queries `--as-of` an earlier position).
protocol QuerySource: WorkflowStateReader {
    func forEachAccount(_ body: (Account) -> Void)
    func forEachUnit(_ body: (Unit) -> Void)
    func forEachProvince(_ body: (Province) -> Void)
    func forEachProject(_ body: (Project) -> Void)
    func forEachChangeRequest(_ body: (ChangeRequest) -> Void)
    func forEachCloseout(_ body: (Closeout) -> Void)
    func forEachBudgetAdjustment(_ body: (BudgetAdjustment) -> Void)
    /// Ids of the items of a kind awaiting a reviewer, appraisal or conclusion.
    func awaitingIds(_ kind: ModelRecords.ItemKind) -> [String]
    /// Ids of the items of a kind with a filing record (备案).
    func filingIds(_ kind: ModelRecords.ItemKind) -> [String]
    /// Ids of the personal accounts of a unit whose registration waits for review.
    func pendingRegistrationIds(unitId: String?) -> [String]
}

extension ModelStore: QuerySource {
    private func forEachValue<T: BinaryCodable>(_ table: ModelKey.Table, _ body: (T) -> Void) {
        do {
            try access.scan(dbs.models, prefix: ModelKey.prefix(table)) { _, value in
                body(try T(binaryEncoded: Array(value)))
                return true
            }
        } catch {
            faults.record("scanning \(table): \(error)")
        }
    }

    func forEachAccount(_ body: (Account) -> Void) { forEachValue(.account, body) }
    func forEachUnit(_ body: (Unit) -> Void) { forEachValue(.unit, body) }
    func forEachProvince(_ body: (Province) -> Void) { forEachValue(.province, body) }
    func forEachProject(_ body: (Project) -> Void) { forEachValue(.project, body) }
    func forEachChangeRequest(_ body: (ChangeRequest) -> Void) { forEachValue(.change, body) }
    func forEachCloseout(_ body: (Closeout) -> Void) { forEachValue(.closeout, body) }
    func forEachBudgetAdjustment(_ body: (BudgetAdjustment) -> Void) { forEachValue(.adjustment, body) }

    func awaitingIds(_ kind: ModelRecords.ItemKind) -> [String] {
        lastComponents(prefix: ModelKey.prefix(.awaiting, kind.rawValue))
    }

    func filingIds(_ kind: ModelRecords.ItemKind) -> [String] {
        lastComponents(prefix: ModelKey.prefix(.filing, kind.rawValue))
    }

    func pendingRegistrationIds(unitId: String?) -> [String] {
        if let unitId { return lastComponents(prefix: ModelKey.prefix(.pendingRegistration, unitId)) }
        return lastComponents(prefix: ModelKey.prefix(.pendingRegistration))
    }
}

extension WorkflowState: QuerySource {
    func forEachAccount(_ body: (Account) -> Void) { accounts.keys.sorted().forEach { body(accounts[$0]!) } }
    func forEachUnit(_ body: (Unit) -> Void) { units.keys.sorted().forEach { body(units[$0]!) } }
    func forEachProvince(_ body: (Province) -> Void) { provinces.keys.sorted().forEach { body(provinces[$0]!) } }
    func forEachProject(_ body: (Project) -> Void) { projects.keys.sorted().forEach { body(projects[$0]!) } }
    func forEachChangeRequest(_ body: (ChangeRequest) -> Void) {
        changeRequests.keys.sorted().forEach { body(changeRequests[$0]!) }
    }
    func forEachCloseout(_ body: (Closeout) -> Void) { closeouts.keys.sorted().forEach { body(closeouts[$0]!) } }
    func forEachBudgetAdjustment(_ body: (BudgetAdjustment) -> Void) {
        budgetAdjustments.keys.sorted().forEach { body(budgetAdjustments[$0]!) }
    }

    func awaitingIds(_ kind: ModelRecords.ItemKind) -> [String] {
        switch kind {
        case .change:
            return changeRequests.values.filter { ModelRecords.isAwaiting($0.status, $0.awaiting) }.map(\.id).sorted()
        case .closeout:
            return closeouts.values.filter { $0.awaiting != nil }.map(\.id).sorted()
        case .adjustment:
            return budgetAdjustments.values.filter { ModelRecords.isAwaiting($0.status, $0.awaiting) }.map(\.id)
                .sorted()
        }
    }

    func filingIds(_ kind: ModelRecords.ItemKind) -> [String] {
        switch kind {
        case .change: return changeRequests.values.filter(\.filed).map(\.id).sorted()
        case .closeout: return []
        case .adjustment: return budgetAdjustments.values.filter(\.filed).map(\.id).sorted()
        }
    }

    func pendingRegistrationIds(unitId: String?) -> [String] {
        accounts.values.filter { account in
            ModelRecords.isPendingRegistration(account) && (unitId == nil || account.unitId == unitId)
        }.map(\.id).sorted()
    }
}
