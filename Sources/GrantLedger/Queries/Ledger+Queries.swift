internal import EventLog
public import GrantWorkflow

/// Filters of `query projects`.
public struct ProjectFilter: Sendable, Hashable {
    /// Only projects led by this leader account (by ID number, R-PRJ-2).
    public var leader: String?
    /// Only projects of this unit.
    public var unit: String?
    /// Only projects of units of this province.
    public var province: String?
    /// Only projects with this status.
    public var status: ProjectStatus?
    /// Only overdue projects (R-PRJ-3).
    public var overdueOnly: Bool

    /// A filter; every criterion optional.
    public init(
        leader: String? = nil, unit: String? = nil, province: String? = nil, status: ProjectStatus? = nil,
        overdueOnly: Bool = false
    ) {
        self.leader = leader
        self.unit = unit
        self.province = province
        self.status = status
        self.overdueOnly = overdueOnly
    }
}

/// Filters of `query changes`.
public struct ChangeFilter: Sendable, Hashable {
    /// Only requests of this project.
    public var project: String?
    /// Only requests with this status.
    public var status: ItemStatus?
    /// Only requests of this kind.
    public var kind: ChangeKind?

    /// A filter; every criterion optional.
    public init(project: String? = nil, status: ItemStatus? = nil, kind: ChangeKind? = nil) {
        self.project = project
        self.status = status
        self.kind = kind
    }
}

extension Ledger {
    // MARK: Reading

    /// Runs `body` against the live read models in one read transaction.
    func withModels<R>(_ body: (ModelStore, borrowing ReadTransaction) throws -> R) throws(LedgerError) -> R {
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access in
                    let models = ModelStore(access: access, dbs: dbs)
                    let result = try body(models, txn)
                    if let fault = models.fault { throw LedgerError(.corrupted, fault) }
                    return result
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// The workflow state of one project's stream replayed up to `asOf` (R-PRJ-4), and the time of
    /// the last event included.
    func projectState(_ projectNo: String, asOf: AsOf, txn: borrowing ReadTransaction) throws -> (WorkflowState, Int64?)
    {
        try Self.replay(asOf, keys: keys(txn)) { body in try txn.scanStream(StreamID.project(projectNo), body) }
    }

    /// The whole log replayed in memory up to `asOf`.
    func stateAsOf(_ asOf: AsOf, txn: borrowing ReadTransaction) throws -> (WorkflowState, Int64?) {
        try Self.replay(asOf, keys: keys(txn)) { body in try txn.scan(from: 1, body) }
    }

    /// The subject keys of a read transaction, to open personal fields (R-LOG-6).
    func keys(_ txn: borrowing ReadTransaction) -> SubjectKeyring {
        let dbs = dbs
        return txn.withUnsafeAccess { access in SubjectKeyring(access: access, dbs: dbs) }
    }

    /// Replays what `scan` visits, up to `asOf` (times only grow along the log: R-LOG-4).
    private static func replay(
        _ asOf: AsOf, keys: SubjectKeyring,
        _ scan: (_ body: (borrowing EventRecordView) throws -> Bool) throws -> Void
    ) throws -> (WorkflowState, Int64?) {
        var state = WorkflowState()
        var lastTime: Int64?
        try scan { view in
            guard asOf.includes(position: view.position, time: view.time) else { return false }
            Workflow.evolve(try ModelMaintenance.decode(view, keys: keys), inMemory: &state)
            lastTime = view.time
            return true
        }
        return (state, lastTime)
    }

    /// "Today" for overdue checks: the as-of moment, or the clock.
    func today(asOf: AsOf?, lastEventTime: Int64?) -> CalendarDate {
        switch asOf {
        case .time(let time): return time.chinaDate
        case .position:
            return Timestamp(epochMilliseconds: lastEventTime ?? options.clock().epochMilliseconds).chinaDate
        case nil: return options.clock().chinaDate
        }
    }

    // MARK: Project queries

    /// `query project NO` (and `replay state NO --as-of`): the project as `viewer` may see it, now or
    /// as of an earlier moment (replaying only that project's stream).
    public func project(
        _ projectNo: String, as viewer: Viewer, asOf: AsOf? = nil
    ) throws(LedgerError)
        -> JSONValue
    {
        try withModels { models, txn in
            let visibility = try Visibility(viewer, directory: models)
            // Who sees is decided by the project as it is now (its current leader and unit, R-CHG-7),
            // whatever moment is shown: a former leader or unit does not read its past.
            var project = models.project(projectNo)
            guard let current = project, visibility.sees(current) else {
                throw visibility.hidden("project \(projectNo)")
            }
            var lastTime: Int64?
            if let asOf {
                let (state, time) = try projectState(projectNo, asOf: asOf, txn: txn)
                project = state.project(projectNo)
                lastTime = time
            }
            guard let project else { throw visibility.hidden("project \(projectNo)") }
            var ended: ProjectEndedByOffice?
            if project.status == .terminated || project.status == .withdrawn {
                let keys = keys(txn)
                try txn.scanStream(StreamID.project(projectNo)) { view in
                    guard view.type == EventType.projectEndedByOffice.typeName else { return true }
                    if case .projectEndedByOffice(let payload) = try ModelMaintenance.decode(view, keys: keys) {
                        ended = payload
                    }
                    return false
                }
            }
            return Views.project(
                project, visibility: visibility, today: today(asOf: asOf, lastEventTime: lastTime), ended: ended)
        }
    }

    /// `query projects`: the projects `viewer` may see that match `filter`, in project-number order.
    public func projects(
        _ filter: ProjectFilter = ProjectFilter(), as viewer: Viewer, asOf: AsOf? = nil
    ) throws(LedgerError) -> JSONValue {
        try projectList(filter, as: viewer, asOf: asOf).json
    }

    /// `query projects` as a ``ProjectList``, whose JSON is written straight to bytes. Live, it reads
    /// the projects' summary records (`ProjectSummary`), never the whole projects; `--as-of` replays and
    /// takes the summaries of the replayed projects.
    public func projectList(
        _ filter: ProjectFilter = ProjectFilter(), as viewer: Viewer, asOf: AsOf? = nil
    ) throws(LedgerError) -> ProjectList {
        try withModels { models, txn in
            var selection = try ProjectSelection(filter, viewer: viewer, models: models)
            if let asOf {
                let (state, time) = try stateAsOf(asOf, txn: txn)
                selection.today = today(asOf: asOf, lastEventTime: time)
                var rows: [ProjectSummary] = []
                for project in state.projects.keys.sorted().compactMap({ state.projects[$0] }) {
                    let summary = ProjectSummary(project)
                    // The filters apply to the project then; who sees it, to the project now (R-CHG-7).
                    // (From the current summary, read in place: no project is decoded for it.)
                    let seen =
                        selection.visibility.isOperator
                        || models.projectSummaryView(project.projectNo).map(selection.visibility.sees) == true
                    let admitted = try summary.binaryEncoded.withUnsafeBytes { bytes throws in
                        selection.admits(try ProjectSummary.View(bytes), seen: seen)
                    }
                    if admitted { rows.append(summary) }
                }
                return ProjectList(rows: rows, today: selection.today)
            }
            selection.today = today(asOf: nil, lastEventTime: nil)
            let views = selection.views(in: models)
            return ProjectList(rows: views.map(\.summary), today: selection.today)
        }
    }

    /// `query projects --format json`: the text of ``Ledger/projectList(_:as:asOf:)``'s `writeJSON`, written
    /// from the summaries in place, inside the read transaction, in pieces handed to `write`.
    /// Nothing is written when the query fails.
    public func writeProjectsJSON(
        _ filter: ProjectFilter = ProjectFilter(), as viewer: Viewer, asOf: AsOf? = nil, pretty: Bool,
        _ write: ([UInt8]) -> Void
    ) throws(LedgerError) {
        if asOf != nil {
            try projectList(filter, as: viewer, asOf: asOf).writeJSON(pretty: pretty, write)
            return
        }
        try withModels { models, _ in
            var selection = try ProjectSelection(filter, viewer: viewer, models: models)
            selection.today = today(asOf: nil, lastEventTime: nil)
            let views = selection.views(in: models)
            if let fault = models.fault { throw LedgerError(.corrupted, fault) }
            ProjectList.writeJSON(views, today: selection.today, pretty: pretty, write)
        }
    }

    /// The projects a live `query projects` has to look at, from one index that the filter or the
    /// viewer's scope allows (a leader's, a unit's, a province's units', a status), in key order; nil
    /// when only a scan of every project will do. Every filter still applies to each candidate, so
    /// the index only narrows the work: the cost follows the rows an index holds, not the store.
    static func candidateProjects(
        _ filter: ProjectFilter, leader: Account?, visibility: Visibility, in models: ModelStore
    ) -> [String]? {
        func led(by account: Account) -> [String] {
            guard let idType = account.idType, let number = account.idNumber else { return [] }
            return models.projectNumbers(ledBy: idType, idNumber: number)
        }
        func ofProvince(_ provinceId: String) -> [String] {
            var units: [String] = []
            models.forEachUnit { unit in if unit.provinceId == provinceId { units.append(unit.id) } }
            return units.flatMap { models.projectNumbers(ofUnit: $0) }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        if let leader { return led(by: leader) }
        if let account = visibility.account {
            switch account.role {
            case .leader: return led(by: account)
            case .expert: return []
            case .unitAdmin: return models.projectNumbers(ofUnit: account.unitId ?? "")
            case .provincialOffice where filter.unit == nil: return ofProvince(account.provinceId ?? "")
            case .provincialOffice, .nationalOffice: break
            }
        }
        if let unit = filter.unit { return models.projectNumbers(ofUnit: unit) }
        if let province = filter.province { return ofProvince(province) }
        if let status = filter.status { return models.projectNumbers(status: status) }
        return nil
    }

    // MARK: Items

    /// `query change ID`.
    public func change(
        _ requestId: String, as viewer: Viewer, asOf: AsOf? = nil
    ) throws(LedgerError)
        -> JSONValue
    {
        try item(
            requestId, what: "change request", viewer: viewer, asOf: asOf,
            find: { $0.changeRequest(requestId).map { ($0.projectNo, $0) } },
            render: { request, project, visibility in Views.change(request, project: project, visibility: visibility) },
            party: { request, visibility in visibility.seesAsParty(request) })
    }

    /// `query closeout ID`: never the experts' identities for a leader (R-CLO-5).
    public func closeout(
        _ closeoutId: String, as viewer: Viewer, asOf: AsOf? = nil
    ) throws(LedgerError)
        -> JSONValue
    {
        try item(
            closeoutId, what: "closeout", viewer: viewer, asOf: asOf,
            find: { $0.closeout(closeoutId).map { ($0.projectNo, $0) } },
            render: { closeout, project, visibility in
                Views.closeout(closeout, project: project, visibility: visibility)
            })
    }

    /// `query adjustment ID`.
    public func adjustment(
        _ adjustmentId: String, as viewer: Viewer, asOf: AsOf? = nil
    )
        throws(LedgerError) -> JSONValue
    {
        try item(
            adjustmentId, what: "budget adjustment", viewer: viewer, asOf: asOf,
            find: { $0.budgetAdjustment(adjustmentId).map { ($0.projectNo, $0) } },
            render: { adjustment, project, visibility in
                Views.adjustment(adjustment, project: project, visibility: visibility)
            })
    }

    private func item<Item>(
        _ id: String, what: String, viewer: Viewer, asOf: AsOf?,
        find: (any WorkflowStateReader) -> (String, Item)?,
        render: (Item, Project?, Visibility) -> JSONValue,
        party: (Item, Visibility) -> Bool = { _, _ in false }
    ) throws(LedgerError) -> JSONValue {
        try withModels { models, txn in
            let visibility = try Visibility(viewer, directory: models)
            guard var (projectNo, item) = find(models) else { throw visibility.hidden("\(what) \(id)") }
            var project = models.project(projectNo)
            // Who sees is decided by the item and its project as they are now (R-CHG-7), whatever
            // moment is shown.
            if let project {
                guard visibility.sees(project) || party(item, visibility) else {
                    throw visibility.hidden("\(what) \(id)")
                }
            } else if !visibility.isOperator {
                throw visibility.hidden("\(what) \(id)")
            }
            if let asOf {
                let (state, _) = try projectState(projectNo, asOf: asOf, txn: txn)
                guard let found = find(state) else {
                    // The same answer as an unknown id, to all but the operator (R-ACC-11).
                    throw visibility.hidden(visibility.isOperator ? "\(what) \(id) at that moment" : "\(what) \(id)")
                }
                // A viewer who sees the item only as a party to it (not its project) reads it at the
                // moments it was one: the receiving unit never reads the leader's draft (R-CHG-6).
                if let current = project, !visibility.sees(current), !party(found.1, visibility) {
                    throw visibility.hidden("\(what) \(id)")
                }
                (projectNo, item) = found
                project = state.project(projectNo) ?? project
            }
            return render(item, project, visibility)
        }
    }

    /// `query changes`: the change requests `viewer` may see that match `filter`.
    public func changes(
        _ filter: ChangeFilter = ChangeFilter(), as viewer: Viewer, asOf: AsOf? = nil
    )
        throws(LedgerError) -> JSONValue
    {
        try withModels { models, txn in
            let visibility = try Visibility(viewer, directory: models)
            func run(_ source: some QuerySource) -> JSONValue {
                var rows: [JSONValue] = []
                var seen: [String: Bool] = [:]
                func visit(_ request: ChangeRequest) {
                    if let status = filter.status, request.status != status { return }
                    if let kind = filter.kind, request.kind != kind { return }
                    let visible =
                        seen[request.projectNo]
                        ?? {
                            // Who sees is decided by the project now, also for `--as-of` (R-CHG-7).
                            let allowed =
                                models.projectSummaryView(request.projectNo).map { visibility.sees($0) }
                                ?? visibility.isOperator
                            seen[request.projectNo] = allowed
                            return allowed
                        }()
                    // A party to the request (its applicant after a change of leader, the receiving unit)
                    // lists it too, as it reads it by id; decided on the request as it is now.
                    // (With `--as-of`, a party also at that moment: never the receiving unit's view of a draft.)
                    if visible
                        || (visibility.seesAsParty(request)
                            && (asOf == nil || models.changeRequest(request.id).map(visibility.seesAsParty) == true))
                    {
                        rows.append(Views.changeSummary(request))
                    }
                }
                if let project = filter.project {
                    source.changeRequests(ofProject: project).forEach(visit)
                } else {
                    source.forEachChangeRequest(visit)
                }
                return .array(rows)
            }
            if let asOf { return run(try stateAsOf(asOf, txn: txn).0) }
            return run(models)
        }
    }

    // MARK: Accounts

    /// `query account ID`.
    public func account(_ accountId: String, as viewer: Viewer) throws(LedgerError) -> JSONValue {
        let now = options.clock()
        return try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            guard let account = models.account(accountId), visibility.sees(account) else {
                throw visibility.hidden("account \(accountId)")
            }
            return Views.account(account, credential: models.credential(accountId), now: now)
        }
    }

    // MARK: History

    /// `query history NO`: every event touching the project, oldest first. A leader's view hides who
    /// appraised (R-CLO-5).
    public func history(_ projectNo: String, as viewer: Viewer) throws(LedgerError) -> JSONValue {
        try withModels { models, txn in
            let visibility = try Visibility(viewer, directory: models)
            guard let project = models.project(projectNo), visibility.sees(project) else {
                throw visibility.hidden("project \(projectNo)")
            }
            let showExperts = visibility.seesExperts(of: project)
            var rows: [JSONValue] = []
            let keys = keys(txn)
            try txn.scanStream(StreamID.project(projectNo)) { view in
                let event = try ModelMaintenance.decode(view, keys: keys)
                let hidesActor = !showExperts && EventSummary.isAppraisal(event)
                rows.append(
                    .object([
                        ("position", .int(view.position)),
                        ("at", .string(Timestamp(epochMilliseconds: view.time).description)),
                        ("type", .string(view.type)),
                        ("actor", hidesActor ? .null : .optional(view.actor)),
                        ("summary", .string(EventSummary.describe(event, showExperts: showExperts))),
                    ]))
                return true
            }
            return .array(rows)
        }
    }
}

/// The filters and the viewer's scope of `query projects`, tested on summaries read in place.
struct ProjectSelection {
    let filter: ProjectFilter
    let visibility: Visibility
    let leaderAccount: Account?
    /// The day `overdue` is computed for.
    var today = CalendarDate(daysSinceEpoch: 0)
    /// Units' provinces looked up so far.
    private var provinces: [String: String?] = [:]

    init(_ filter: ProjectFilter, viewer: Viewer, models: ModelStore) throws(LedgerError) {
        self.filter = filter
        visibility = try Visibility(viewer, directory: models)
        var leaderAccount: Account?
        if let leader = filter.leader {
            guard let account = models.account(leader), visibility.sees(account) else {
                throw visibility.hidden("account \(leader)")
            }
            leaderAccount = account
        }
        self.leaderAccount = leaderAccount
    }

    private mutating func province(ofUnit unitId: String) -> String? {
        if let known = provinces[unitId] { return known }
        let found = visibility.provinceId(ofUnit: unitId)
        provinces[unitId] = .some(found)
        return found
    }

    /// Whether the project is listed: every filter, then the viewer's scope.
    /// Whether the filters and the viewer's scope admit the project; `seen`, when given, is the
    /// viewer's scope decided elsewhere (on the current project, for `--as-of`).
    mutating func admits(_ project: ProjectSummary.View, seen: Bool? = nil) -> Bool {
        if let unit = filter.unit, !unit.utf8.elementsEqual(project.unitId) { return false }
        if let wanted = filter.province, province(ofUnit: project.unitIdText) != wanted { return false }
        if let status = filter.status, project.status != status { return false }
        if let leaderAccount, !leaderAccount.leads(project) { return false }
        if filter.overdueOnly && !project.isOverdue(on: today) { return false }
        return seen ?? visibility.sees(project)
    }

    /// The listed projects' summaries, in project-number order, from the one index the filter or
    /// the viewer's scope allows (``Ledger/candidateProjects(_:leader:visibility:in:)``) or a scan.
    mutating func views(in models: ModelStore) -> [ProjectSummary.View] {
        var views: [ProjectSummary.View] = []
        let candidates = Ledger.candidateProjects(filter, leader: leaderAccount, visibility: visibility, in: models)
        if let candidates {
            for projectNo in candidates {
                if let view = models.projectSummaryView(projectNo), admits(view) { views.append(view) }
            }
        } else {
            models.forEachProjectSummaryView { view in
                if admits(view) { views.append(view) }
            }
        }
        return views
    }
}
