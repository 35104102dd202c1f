internal import Dispatch
internal import Foundation
internal import GrantLedger
internal import GrantWorkflow
internal import Synchronization

/// The relational read tables, written from the workflow state the sink keeps in memory.
///
/// Per batch, every entity an event of the batch touched (by its stream: `project-NO` holds the project
/// and its change requests, closeouts and budget adjustments; `account-…`, `unit-…`, `province-…`) is
/// deleted and written anew from ``WorkflowState``, the same state ``Workflow/evolve(_:inMemory:)`` gives
/// the engine's own read models, so the tables equal them after every batch.
struct DirtyEntities {
    var projects: Set<String> = []
    var accounts: Set<String> = []
    var units: Set<String> = []
    var provinces: Set<String> = []

    /// Every entity of these tables, as dirty (a batch from position 0 writes them all).
    init<P, A, U, V>(
        every projects: [String: P], _ accounts: [String: A], _ units: [String: U], _ provinces: [String: V]
    ) {
        self.projects = Set(projects.keys)
        self.accounts = Set(accounts.keys)
        self.units = Set(units.keys)
        self.provinces = Set(provinces.keys)
    }

    init() {}

    var isEmpty: Bool { projects.isEmpty && accounts.isEmpty && units.isEmpty && provinces.isEmpty }

    /// Marks the entity of a stream.
    mutating func mark(stream: String) {
        if let id = Self.id(stream, "project-") {
            projects.insert(id)
        } else if let id = Self.id(stream, "account-") {
            accounts.insert(id)
        } else if let id = Self.id(stream, "unit-") {
            units.insert(id)
        } else if let id = Self.id(stream, "province-") {
            provinces.insert(id)
        }
    }

    private static func id(_ stream: String, _ prefix: String) -> String? {
        stream.hasPrefix(prefix) ? String(stream.dropFirst(prefix.count)) : nil
    }
}

/// What the read tables are rendered from: the sink's in-memory ``WorkflowState``, or the store's own
/// read models at one snapshot (``ReadModelSnapshot``, an initial sync).
protocol ReadTableSource: Sendable {
    func province(_ id: String) -> Province?
    func unit(_ id: String) -> GrantWorkflow.Unit?
    func account(_ id: String) -> Account?
    func project(_ projectNo: String) -> Project?
    func changeRequestIds(ofProject projectNo: String) -> [String]
    func changeRequest(_ id: String) -> ChangeRequest?
    func closeoutIds(ofProject projectNo: String) -> [String]
    func closeout(_ id: String) -> Closeout?
    func budgetAdjustmentIds(ofProject projectNo: String) -> [String]
    func budgetAdjustment(_ id: String) -> BudgetAdjustment?
}

extension WorkflowState: ReadTableSource {}

extension ReadModelSnapshot: ReadTableSource {
    func province(_ id: String) -> Province? { provinces[id] }
    func unit(_ id: String) -> GrantWorkflow.Unit? { units[id] }
    func account(_ id: String) -> Account? { accounts[id] }
    func project(_ projectNo: String) -> Project? { projects[projectNo] }
    func changeRequest(_ id: String) -> ChangeRequest? { changeRequests[id] }
    func closeout(_ id: String) -> Closeout? { closeouts[id] }
    func budgetAdjustment(_ id: String) -> BudgetAdjustment? { budgetAdjustments[id] }

    /// Every entity of the snapshot, as dirty: an initial sync's first batch writes them all.
    var allEntities: DirtyEntities {
        DirtyEntities(every: projects, accounts, units, provinces)
    }
}

/// One table's part of a batch: which keys to delete, and the rows to copy in.
struct TableRows {
    let table: String
    let columns: [String]
    let keyColumn: String
    var keys: [String] = []
    var rows = CopyRows()
}

enum ReadTables {
    /// Item kinds in `decisions` and `filings`.
    enum ItemKind: String {
        case change, closeout, adjustment
    }

    /// Deletions and rows for the entities marked dirty, from `state`.
    /// The projects' rows are built on up to `lanes` threads (by default one per core).
    static func rows(
        for dirty: DirtyEntities, in state: some ReadTableSource,
        lanes maximumLanes: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> [TableRows] {
        var provinces = TableRows(table: "provinces", columns: ["province_id", "name"], keyColumn: "province_id")
        for id in dirty.provinces.sorted() {
            provinces.keys.append(id)
            guard let province = state.province(id) else { continue }
            provinces.rows.text(province.id)
            provinces.rows.text(province.name)
            provinces.rows.endRow()
        }
        var units = TableRows(table: "units", columns: ["unit_id", "name", "province_id"], keyColumn: "unit_id")
        for id in dirty.units.sorted() {
            units.keys.append(id)
            guard let unit = state.unit(id) else { continue }
            units.rows.text(unit.id)
            units.rows.text(unit.name)
            units.rows.text(unit.provinceId)
            units.rows.endRow()
        }
        var accounts = TableRows(
            table: "accounts",
            columns: [
                "account_id", "role", "username", "name", "email", "id_type", "id_number", "unit_id", "province_id",
                "registration", "enabled", "rejection_reason", "created_at", "profile",
            ], keyColumn: "account_id")
        for id in dirty.accounts.sorted() {
            accounts.keys.append(id)
            guard let account = state.account(id) else { continue }
            accountRow(account, into: &accounts.rows)
        }
        var tables = [provinces, units, accounts]
        // Projects are independent of one another: their rows are built in chunks on every core.
        let projects = dirty.projects.sorted()
        let lanes = max(1, min(maximumLanes, projects.count / 64))
        let size = (projects.count + lanes - 1) / lanes
        let parts = Mutex<[[TableRows]?]>(Array(repeating: nil, count: lanes))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let slice = Array(projects[min(lane * size, projects.count)..<min((lane + 1) * size, projects.count)])
            let part = projectTables(slice, in: state)
            parts.withLock { $0[lane] = part }
        }
        var merged: [TableRows] = []
        for part in parts.withLock({ $0 }) {
            guard let part else { continue }
            if merged.isEmpty {
                merged = part
                continue
            }
            for index in merged.indices {
                merged[index].keys.append(contentsOf: part[index].keys)
                merged[index].rows.append(part[index].rows)
            }
        }
        tables.append(contentsOf: merged)
        return tables
    }

    private static func accountRow(_ account: Account, into rows: inout CopyRows) {
        rows.text(account.id)
        rows.text(account.role.rawValue)
        rows.text(account.username)
        rows.text(account.name)
        rows.text(account.email)
        rows.text(account.idType?.rawValue)
        rows.text(account.idNumber)
        rows.text(account.unitId)
        rows.text(account.provinceId)
        rows.text(account.registration.rawValue)
        rows.bool(account.enabled)
        rows.text(account.rejectionReason)
        rows.timestamp(account.createdAt)
        rows.jsonOptional(encoding: account.profile)
        rows.endRow()
    }

    private static func projectTables(
        _ projectNumbers: [String], in state: some ReadTableSource
    ) -> [TableRows] {
        var projects = TableRows(
            table: "projects",
            columns: [
                "project_no", "title", "category", "discipline", "unit_id", "province_id", "leader_name",
                "leader_id_type", "leader_id_number", "approved_on", "planned_end_date", "deliverable_form", "status",
                "extension_count", "closeout_under_review", "overdue_listed_for", "grade", "certificate_no",
                "budget_direct", "budget_indirect", "budget_total", "budget", "content_adjustments",
            ], keyColumn: "project_no")
        var members = TableRows(
            table: "project_members",
            columns: ["project_no", "ordinal", "name", "id_type", "id_number", "unit", "title", "role"],
            keyColumn: "project_no")
        var requests = TableRows(
            table: "change_requests",
            columns: [
                "request_id", "project_no", "kind", "status", "awaiting", "reason", "created_by", "created_at",
                "submitted_at", "first_submitted_at", "effective_at", "filed", "closed_reason", "details", "changes",
            ], keyColumn: "project_no")
        var decisions = TableRows(
            table: "decisions",
            columns: [
                "item_kind", "item_id", "ordinal", "project_no", "level", "decision", "opinion", "decided_by",
                "decided_at",
            ], keyColumn: "project_no")
        var closeouts = TableRows(
            table: "closeouts",
            columns: [
                "closeout_id", "project_no", "status", "awaiting", "grade", "certificate_no", "grade_override_reason",
                "revision_notes_required", "created_by", "created_at", "submitted_at", "closed_reason", "experts",
                "appraisals", "sections",
            ], keyColumn: "project_no")
        var adjustments = TableRows(
            table: "budget_adjustments",
            columns: [
                "adjustment_id", "project_no", "status", "awaiting", "reason", "needs_national", "new_total",
                "created_by", "created_at", "submitted_at", "effective_at", "filed", "closed_reason", "proposed",
            ], keyColumn: "project_no")
        var filings = TableRows(
            table: "filings", columns: ["item_kind", "item_id", "project_no", "filed_at"], keyColumn: "project_no")

        func decisionRows(_ kind: ItemKind, _ id: String, _ projectNo: String, _ records: [ReviewRecord]) {
            for (ordinal, record) in records.enumerated() {
                decisions.rows.text(kind.rawValue)
                decisions.rows.text(id)
                decisions.rows.int(ordinal + 1)
                decisions.rows.text(projectNo)
                decisions.rows.text(record.level.rawValue)
                decisions.rows.text(record.decision.rawValue)
                decisions.rows.text(record.opinion)
                decisions.rows.text(record.by)
                decisions.rows.timestamp(record.at)
                decisions.rows.endRow()
            }
        }
        func filingRow(_ kind: ItemKind, _ id: String, _ projectNo: String, _ at: Timestamp?) {
            filings.rows.text(kind.rawValue)
            filings.rows.text(id)
            filings.rows.text(projectNo)
            filings.rows.timestamp(at)
            filings.rows.endRow()
        }

        for projectNo in projectNumbers {
            projects.keys.append(projectNo)
            members.keys.append(projectNo)
            requests.keys.append(projectNo)
            decisions.keys.append(projectNo)
            closeouts.keys.append(projectNo)
            adjustments.keys.append(projectNo)
            filings.keys.append(projectNo)
            guard let project = state.project(projectNo) else { continue }
            projects.rows.text(project.projectNo)
            projects.rows.text(project.title)
            projects.rows.text(project.category.rawValue)
            projects.rows.text(project.discipline)
            projects.rows.text(project.unitId)
            projects.rows.text(state.unit(project.unitId)?.provinceId)
            projects.rows.text(project.leader.name)
            projects.rows.text(project.leader.idType.rawValue)
            projects.rows.text(project.leader.idNumber)
            projects.rows.date(project.approvedOn)
            projects.rows.date(project.plannedEndDate)
            projects.rows.text(project.deliverableForm.rawValue)
            projects.rows.text(project.status.rawValue)
            projects.rows.int(project.extensionCount)
            projects.rows.bool(project.closeoutUnderReview)
            projects.rows.date(project.overdueListedFor)
            projects.rows.text(project.grade?.rawValue)
            projects.rows.text(project.certificateNo)
            projects.rows.int(project.budget.directTotal)
            projects.rows.int(project.budget.indirect)
            projects.rows.int(project.budget.total)
            projects.rows.json(encoding: project.budget)
            projects.rows.json(encoding: project.contentAdjustments)
            projects.rows.endRow()
            for (ordinal, member) in project.members.enumerated() {
                members.rows.text(projectNo)
                members.rows.int(ordinal + 1)
                members.rows.text(member.name)
                members.rows.text(member.idType.rawValue)
                members.rows.text(member.idNumber)
                members.rows.text(member.unit)
                members.rows.text(member.title)
                members.rows.text(member.role)
                members.rows.endRow()
            }
            for id in state.changeRequestIds(ofProject: projectNo) {
                guard let request = state.changeRequest(id) else { continue }
                requests.rows.text(request.id)
                requests.rows.text(request.projectNo)
                requests.rows.text(request.kind.rawValue)
                requests.rows.text(request.status.rawValue)
                requests.rows.text(request.awaiting?.rawValue)
                requests.rows.text(request.reason)
                requests.rows.text(request.createdBy)
                requests.rows.timestamp(request.createdAt)
                requests.rows.timestamp(request.submittedAt)
                requests.rows.timestamp(request.firstSubmittedAt)
                requests.rows.timestamp(request.effectiveAt)
                requests.rows.bool(request.filed)
                requests.rows.text(request.closedReason)
                requests.rows.json(encoding: request.details)
                requests.rows.json(
                    encoding: request.changes.map {
                        FieldChange(
                            field: $0.field, before: PersonalData.redactingErased($0.before),
                            after: PersonalData.redactingErased($0.after))
                    })
                requests.rows.endRow()
                decisionRows(.change, request.id, projectNo, request.decisions)
                if request.filed { filingRow(.change, request.id, projectNo, request.effectiveAt) }
            }
            for id in state.closeoutIds(ofProject: projectNo) {
                guard let closeout = state.closeout(id) else { continue }
                closeouts.rows.text(closeout.id)
                closeouts.rows.text(closeout.projectNo)
                closeouts.rows.text(closeout.status.rawValue)
                closeouts.rows.text(closeout.awaiting?.rawValue)
                closeouts.rows.text(closeout.grade?.rawValue)
                closeouts.rows.text(closeout.certificateNo)
                closeouts.rows.text(closeout.gradeOverrideReason)
                closeouts.rows.bool(closeout.revisionNotesRequired)
                closeouts.rows.text(closeout.createdBy)
                closeouts.rows.timestamp(closeout.createdAt)
                closeouts.rows.timestamp(closeout.submittedAt)
                closeouts.rows.text(closeout.closedReason)
                closeouts.rows.json(encoding: closeout.experts)
                closeouts.rows.json(encoding: closeout.appraisals)
                closeouts.rows.json(encoding: CloseoutSectionsRow(closeout))
                closeouts.rows.endRow()
                decisionRows(.closeout, closeout.id, projectNo, closeout.decisions)
            }
            for id in state.budgetAdjustmentIds(ofProject: projectNo) {
                guard let adjustment = state.budgetAdjustment(id) else { continue }
                adjustments.rows.text(adjustment.id)
                adjustments.rows.text(adjustment.projectNo)
                adjustments.rows.text(adjustment.status.rawValue)
                adjustments.rows.text(adjustment.awaiting?.rawValue)
                adjustments.rows.text(adjustment.reason)
                adjustments.rows.bool(adjustment.needsNational)
                adjustments.rows.int(adjustment.newTotal)
                adjustments.rows.text(adjustment.createdBy)
                adjustments.rows.timestamp(adjustment.createdAt)
                adjustments.rows.timestamp(adjustment.submittedAt)
                adjustments.rows.timestamp(adjustment.effectiveAt)
                adjustments.rows.bool(adjustment.filed)
                adjustments.rows.text(adjustment.closedReason)
                adjustments.rows.json(encoding: adjustment.proposed)
                adjustments.rows.endRow()
                decisionRows(.adjustment, adjustment.id, projectNo, adjustment.decisions)
                if adjustment.filed { filingRow(.adjustment, adjustment.id, projectNo, adjustment.effectiveAt) }
            }
        }
        return [projects, members, requests, decisions, closeouts, adjustments, filings]
    }
}

/// The sections of a closeout's application (结项申请), as one `jsonb` value.
private struct CloseoutSectionsRow: Encodable {
    let basicInfo: CloseoutBasicInfo?
    let members: [CloseoutMember]?
    let interimOutputs: [InterimOutput]?
    let finalAccounts: FinalAccounts?
    let avoidedExperts: [AvoidedExpert]?

    init(_ closeout: Closeout) {
        basicInfo = closeout.basicInfo
        members = closeout.members
        interimOutputs = closeout.interimOutputs
        finalAccounts = closeout.finalAccounts
        avoidedExperts = closeout.avoidedExperts
    }
}
