internal import GrantWorkflow

/// The read models as key-value records: the engine's own indexes derived from an entity, and the
/// whole `models` database as it should be for an in-memory ``WorkflowState`` (a rebuild).
///
/// The live path (``ModelStore``) and the rebuild both go through these functions and the entities'
/// binary encoding, so a rebuild equals the live models byte for byte (R-LOG-5).
enum ModelRecords {
    /// Item kinds in the awaiting and filing indexes.
    enum ItemKind: String, CaseIterable {
        case change
        case closeout
        case adjustment
    }

    /// A personal account whose registration waits for its unit's admins.
    static func isPendingRegistration(_ account: Account) -> Bool {
        account.registration == .pending && account.role.isPersonal
    }

    /// A change request or budget adjustment waiting for a reviewer.
    static func isAwaiting(_ status: ItemStatus, _ awaiting: Awaiting?) -> Bool {
        status == .pending && awaiting != nil
    }

    /// Engine index keys of an account: a pending registration waits for its unit's admins.
    static func derivedKeys(of account: Account?) -> [[UInt8]] {
        guard let account, isPendingRegistration(account) else { return [] }
        return [ModelKey.make(.pendingRegistration, account.unitId ?? "", account.id)]
    }

    /// Engine index keys of a project, for `query projects` by unit, status and leader (the leader's
    /// ID type and the keyed hash of the normalised number, R-PRJ-2, R-LOG-6; none once erased).
    static func derivedKeys(of project: Project?, hasher: LookupHasher) -> [[UInt8]] {
        derivedKeys(of: project, leader: project.flatMap { leaderComponent($0.leader.idNumber, hasher: hasher) })
    }

    /// The index keys of a project's stored and new versions; the leader's keyed hash is computed
    /// once when the leader's number did not change (the usual case).
    static func derivedKeys(of old: Project?, _ new: Project?, hasher: LookupHasher) -> (old: [[UInt8]], new: [[UInt8]])
    {
        let newLeader = new.flatMap { leaderComponent($0.leader.idNumber, hasher: hasher) }
        let oldLeader =
            old.map { $0.leader.idNumber } == new.map({ $0.leader.idNumber })
            ? newLeader : old.flatMap { leaderComponent($0.leader.idNumber, hasher: hasher) }
        return (derivedKeys(of: old, leader: oldLeader), derivedKeys(of: new, leader: newLeader))
    }

    /// The index keys of a project whose leader component is `leader`.
    private static func derivedKeys(of project: Project?, leader: String?) -> [[UInt8]] {
        guard let project else { return [] }
        var keys = [
            ModelKey.make(.projectsOfUnit, project.unitId, project.projectNo),
            ModelKey.make(.projectsByStatus, project.status.rawValue, project.projectNo),
        ]
        if let leader {
            keys.append(ModelKey.make(.projectsByLeader, project.leader.idType.rawValue, leader, project.projectNo))
        }
        // Overdue once the day passes its end date (R-PRJ-3): counted by date without a scan.
        if project.status == .active && !project.closeoutUnderReview {
            keys.append(
                ModelKey.make(.projectsDue, project.unitId, project.plannedEndDate.description, project.projectNo))
        }
        return keys
    }

    /// A project's summary record (``ProjectSummary``): key and value.
    static func summaryRecord(of project: Project) -> (key: [UInt8], value: [UInt8]) {
        (ModelKey.make(.projectSummary, project.projectNo), ProjectSummary(project).binaryEncoded)
    }

    /// Engine index keys of a change request: awaiting a reviewer; filed (备案).
    static func derivedKeys(of request: ChangeRequest?) -> [[UInt8]] {
        guard let request else { return [] }
        var keys: [[UInt8]] = []
        if isAwaiting(request.status, request.awaiting) {
            keys.append(ModelKey.make(.awaiting, ItemKind.change.rawValue, request.id))
        }
        if request.filed { keys.append(ModelKey.make(.filing, ItemKind.change.rawValue, request.id)) }
        return keys
    }

    /// Engine index keys of a closeout: awaiting a reviewer, the appraisal or the conclusion.
    static func derivedKeys(of closeout: Closeout?) -> [[UInt8]] {
        guard let closeout, closeout.awaiting != nil else { return [] }
        return [ModelKey.make(.awaiting, ItemKind.closeout.rawValue, closeout.id)]
    }

    /// Engine index keys of a budget adjustment: awaiting a reviewer; filed (备案).
    static func derivedKeys(of adjustment: BudgetAdjustment?) -> [[UInt8]] {
        guard let adjustment else { return [] }
        var keys: [[UInt8]] = []
        if isAwaiting(adjustment.status, adjustment.awaiting) {
            keys.append(ModelKey.make(.awaiting, ItemKind.adjustment.rawValue, adjustment.id))
        }
        if adjustment.filed { keys.append(ModelKey.make(.filing, ItemKind.adjustment.rawValue, adjustment.id)) }
        return keys
    }

    /// The leader index's component for an ID number: the keyed hash of the normalised number.
    static func leaderComponent(_ idNumber: String, hasher: LookupHasher) -> String? {
        hasher.leader(idNumber)
    }

    /// The username index's component: the keyed hash of the username within the role.
    static func usernameComponent(_ role: Role, _ username: String, hasher: LookupHasher) -> String? {
        hasher.component("username:" + role.rawValue, username)
    }

    /// The personal-account index's component: the keyed hash of the (normalised) ID number.
    static func idNumberComponent(_ idNumber: String, hasher: LookupHasher) -> String? {
        hasher.component("idNumber", idNumber)
    }

    /// Every record of the `models` database for `state`, sorted by key.
    static func records(of state: WorkflowState, hasher: LookupHasher) -> [(key: [UInt8], value: [UInt8])] {
        var records: [(key: [UInt8], value: [UInt8])] = []
        func add(_ key: [UInt8], _ value: [UInt8]) { records.append((key, value)) }
        for account in state.accounts.values {
            add(ModelKey.make(.account, account.id), account.binaryEncoded)
            for key in derivedKeys(of: account) { add(key, []) }
        }
        for (role, byName) in state.accountIdsByUsername {
            for (username, id) in byName {
                guard let name = usernameComponent(role, username, hasher: hasher) else { continue }
                add(ModelKey.make(.username, role.rawValue, name), Array(id.utf8))
            }
        }
        for (role, byNumber) in state.personalAccountIdsByIdNumber {
            for (idNumber, ids) in byNumber {
                guard let number = idNumberComponent(idNumber, hasher: hasher) else { continue }
                for id in Set(ids) { add(ModelKey.make(.personById, role.rawValue, number, id), []) }
            }
        }
        for (scope, ids) in state.adminAccountIdsByScope {
            for id in Set(ids) { add(ModelKey.make(.adminScope, ModelKey.scopeComponent(scope), id), []) }
        }
        for province in state.provinces.values {
            add(ModelKey.make(.province, province.id), province.binaryEncoded)
        }
        for unit in state.units.values { add(ModelKey.make(.unit, unit.id), unit.binaryEncoded) }
        for project in state.projects.values {
            add(ModelKey.make(.project, project.projectNo), project.binaryEncoded)
            let summary = summaryRecord(of: project)
            add(summary.key, summary.value)
            for key in derivedKeys(of: project, hasher: hasher) { add(key, []) }
        }
        for projectNo in state.activeProjects { add(ModelKey.make(.activeProject, projectNo), []) }
        for request in state.changeRequests.values {
            add(ModelKey.make(.change, request.id), request.binaryEncoded)
            for key in derivedKeys(of: request) { add(key, []) }
        }
        for (projectNo, byKind) in state.openChangeRequestIds {
            for (kind, id) in byKind { add(ModelKey.make(.openChange, projectNo, kind.rawValue), Array(id.utf8)) }
        }
        for (projectNo, ids) in state.changeRequestIdsByProject {
            add(ModelKey.make(.changesOfProject, projectNo), ids.binaryEncoded)
        }
        for closeout in state.closeouts.values {
            add(ModelKey.make(.closeout, closeout.id), closeout.binaryEncoded)
            for key in derivedKeys(of: closeout) { add(key, []) }
        }
        for (projectNo, id) in state.openCloseoutIds { add(ModelKey.make(.openCloseout, projectNo), Array(id.utf8)) }
        for (projectNo, ids) in state.closeoutIdsByProject {
            add(ModelKey.make(.closeoutsOfProject, projectNo), ids.binaryEncoded)
        }
        for (certificateNo, id) in state.certificates {
            add(ModelKey.make(.certificate, certificateNo), Array(id.utf8))
        }
        for adjustment in state.budgetAdjustments.values {
            add(ModelKey.make(.adjustment, adjustment.id), adjustment.binaryEncoded)
            for key in derivedKeys(of: adjustment) { add(key, []) }
        }
        for (projectNo, id) in state.openBudgetAdjustmentIds {
            add(ModelKey.make(.openAdjustment, projectNo), Array(id.utf8))
        }
        for (projectNo, ids) in state.budgetAdjustmentIdsByProject {
            add(ModelKey.make(.adjustmentsOfProject, projectNo), ids.binaryEncoded)
        }
        for (counter, count) in ModelCounters.all(of: state) where count > 0 {
            add(ModelCounters.key(counter), BigEndian.bytes(UInt64(count)))
        }
        records.sort { ModelKey.precedes($0.key, $1.key) }
        return records
    }
}
