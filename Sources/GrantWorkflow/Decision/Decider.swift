/// Runs the rules of one command against read-only state, collecting the decision.
///
/// The rules live with their aggregates (`Accounts/AccountRules.swift`,
/// `ChangeRequests/ChangeRequestRules.swift` …) as extensions of this type.
struct Decider<State: WorkflowStateReader> {
    let state: State
    let context: DecisionContext
    let actorId: String?
    /// What an accepted command produces.
    var decision = Decision()
    /// What a rejected command still changes (failed logins only, see `docs/decisions.md`).
    var rejectionCredentialChanges: [CredentialChange] = []

    init(state: State, context: DecisionContext, actorId: String?) {
        self.state = state
        self.context = context
        self.actorId = actorId
    }

    var time: Timestamp { context.time }
    var today: CalendarDate { context.time.chinaDate }
    var policy: WorkflowPolicy { context.policy }

    mutating func run(_ command: Command) throws(WorkflowError) {
        switch command {
        case .bootstrap(let accountId, let username, let password, let name):
            try bootstrap(accountId: accountId, username: username, password: password, name: name)
        case .createProvince(let provinceId, let name):
            try createProvince(provinceId: provinceId, name: name)
        case .createUnit(let unitId, let name, let provinceId):
            try createUnit(unitId: unitId, name: name, provinceId: provinceId)
        case .createAdminAccount(let input):
            try createAdminAccount(input)
        case .setAccountEnabled(let accountId, let enabled):
            try setAccountEnabled(accountId: accountId, enabled: enabled)
        case .registerProject(let input):
            try registerProject(input)
        case .setLeaderIdNumber(let projectNo, let idType, let idNumber):
            try setLeaderIdNumber(projectNo: projectNo, idType: idType, idNumber: idNumber)
        case .registerAccount(let input):
            try registerAccount(input)
        case .resubmitRegistration(let input):
            try resubmitRegistration(input)
        case .reviewRegistration(let accountId, let decision, let reason):
            try reviewRegistration(accountId: accountId, decision: decision, reason: reason)
        case .login(let role, let username, _):
            try login(role: role, username: username)
        case .requestPasswordReset(let role, let username):
            try requestPasswordReset(role: role, username: username)
        case .resetPassword(let token, let newPassword):
            try resetPassword(token: token, newPassword: newPassword)
        case .completeProfile(let profile):
            try completeProfile(profile)
        case .draftChangeRequest(let requestId, let projectNo, let details, let reason):
            try draftChangeRequest(requestId: requestId, projectNo: projectNo, details: details, reason: reason)
        case .editChangeRequest(let requestId, let details, let reason):
            try editChangeRequest(requestId: requestId, details: details, reason: reason)
        case .submitChangeRequest(let requestId):
            try submitChangeRequest(requestId: requestId)
        case .recallChangeRequest(let requestId):
            try recallChangeRequest(requestId: requestId)
        case .cancelChangeRequest(let requestId):
            try cancelChangeRequest(requestId: requestId)
        case .reviewChangeRequest(let requestId, let decision, let opinion):
            try reviewChangeRequest(requestId: requestId, decision: decision, opinion: opinion)
        case .openCloseout(let closeoutId, let projectNo):
            try openCloseout(closeoutId: closeoutId, projectNo: projectNo)
        case .saveCloseoutSection(let closeoutId, let data):
            try saveCloseoutSection(closeoutId: closeoutId, data: data)
        case .attachFile(let input):
            try attachFile(input)
        case .submitCloseout(let closeoutId):
            try submitCloseout(closeoutId: closeoutId)
        case .recallCloseout(let closeoutId):
            try recallCloseout(closeoutId: closeoutId)
        case .reviewCloseout(let closeoutId, let decision, let opinion):
            try reviewCloseout(closeoutId: closeoutId, decision: decision, opinion: opinion)
        case .assignAppraisalExperts(let closeoutId, let experts):
            try assignAppraisalExperts(closeoutId: closeoutId, experts: experts)
        case .submitAppraisal(let closeoutId, let grade, let comments):
            try submitAppraisal(closeoutId: closeoutId, grade: grade, comments: comments)
        case .concludeCloseout(let closeoutId, let outcome, let grade, let reason, let certificateNo):
            try concludeCloseout(
                closeoutId: closeoutId, outcome: outcome, grade: grade, reason: reason, certificateNo: certificateNo)
        case .draftBudgetAdjustment(let input):
            try draftBudgetAdjustment(input)
        case .editBudgetAdjustment(let input):
            try editBudgetAdjustment(input)
        case .submitBudgetAdjustment(let adjustmentId):
            try submitBudgetAdjustment(adjustmentId: adjustmentId)
        case .recallBudgetAdjustment(let adjustmentId):
            try recallBudgetAdjustment(adjustmentId: adjustmentId)
        case .cancelBudgetAdjustment(let adjustmentId):
            try cancelBudgetAdjustment(adjustmentId: adjustmentId)
        case .reviewBudgetAdjustment(let adjustmentId, let decision, let opinion):
            try reviewBudgetAdjustment(adjustmentId: adjustmentId, decision: decision, opinion: opinion)
        case .runDeadlineSweep:
            try runDeadlineSweep()
        case .endProject(let projectNo, let outcome, let reason):
            try endProject(projectNo: projectNo, outcome: outcome, reason: reason)
        case .eraseSubject(let target, let reason):
            try eraseSubject(target, reason: reason)
        }
    }

    // MARK: the actor

    /// The acting account, checked: exists, enabled (R-ACC-9), approved (R-ACC-4), profile complete (R-ACC-5).
    func actor(allowIncompleteProfile: Bool = false) throws(WorkflowError) -> Account {
        guard let actorId else { throw WorkflowError.invalidInput("actor", "is required") }
        guard let account = state.account(actorId) else {
            throw WorkflowError.forbidden("unknown actor \(actorId)", rule: "R-ACC-4")
        }
        guard account.enabled else {
            throw WorkflowError(.accountDisabled, rule: "R-ACC-9", "账号已停用 (account disabled)")
        }
        guard account.registration == .approved else {
            throw WorkflowError(.accountNotApproved, rule: "R-ACC-4", "账号尚未审核通过 (account not approved)")
        }
        if !allowIncompleteProfile, !account.profileComplete {
            throw WorkflowError(.profileIncomplete, rule: "R-ACC-5", "请先完善个人信息 (complete your profile first)")
        }
        return account
    }

    /// The actor, who must hold one of `roles`.
    func actor(_ roles: Role..., rule: String? = nil) throws(WorkflowError) -> Account {
        let account = try actor()
        guard roles.contains(account.role) else {
            throw WorkflowError.forbidden("a \(account.role.rawValue) may not do this", rule: rule)
        }
        return account
    }

    // MARK: scope

    /// Whether an admin's scope covers the unit: national everything, a province its units, a unit admin its unit.
    func covers(_ admin: Account, unitId: String) -> Bool { admin.administers(unitId: unitId, in: state) }

    /// Whether the account is the project's leader (R-PRJ-2 rev. 2: approved, enabled, same ID type and number).
    func isLeader(_ account: Account, of project: Project) -> Bool { account.leads(project) }

    /// Refuses an actor who is not a leader. Checked before any item is looked up, so that a refusal
    /// by role says nothing about the item (R-ACC-11).
    func requireLeaderRole(_ account: Account, rule: String) throws(WorkflowError) {
        guard account.role == .leader else {
            throw WorkflowError.forbidden(
                "only the project's leader may do this", rule: account.role == .expert ? "R-ACC-1" : rule)
        }
    }

    /// The answer for an item the actor may not see, and for an id that names nothing (R-ACC-11): one
    /// `forbidden`, citing the command's `rule`, with the same message either way. The national office
    /// sees everything, so it alone is told `notFound` (an unknown id is all it can meet here).
    func unseen(_ what: String, _ id: String, field: String, rule: String, by account: Account) -> WorkflowError {
        guard account.role != .nationalOffice else { return .notFound(what, id, field: field) }
        return WorkflowError(.forbidden, rule: rule, field: field, "no \(what) \(id) within your scope")
    }

    /// The project, which the actor must lead (R-ACC-1, R-CHG-4). Another leader's project gets the
    /// unknown number's answer (R-ACC-11).
    func ledProject(_ projectNo: String, by account: Account, rule: String) throws(WorkflowError) -> Project {
        try requireLeaderRole(account, rule: rule)
        guard let project = state.project(projectNo), isLeader(account, of: project) else {
            throw unseen("project", projectNo, field: "projectNo", rule: rule, by: account)
        }
        return project
    }

    /// An item of a project the actor must lead, with that project: an unknown id, and an item of a
    /// project the actor does not lead, get the same answer, citing `rule` (R-ACC-11). `party` says whether the
    /// actor still sees the item without leading its project (the drafter of a change request after
    /// a change of leader, R-CHG-10); such an actor is told that only the leader may act.
    func ledItem<Item>(
        _ item: Item?, projectNo: (Item) -> String, what: String, id: String, field: String, by account: Account,
        rule: String, party: (Item) -> Bool = { _ in false }
    ) throws(WorkflowError) -> (Item, Project) {
        try requireLeaderRole(account, rule: rule)
        guard let item, let project = state.project(projectNo(item)), isLeader(account, of: project) else {
            if let item, party(item) {
                throw WorkflowError.forbidden("only the project's leader may do this", rule: rule)
            }
            throw unseen(what, id, field: field, rule: rule, by: account)
        }
        return (item, project)
    }

    /// An item under review with its project, for an admin who must see the project (or be a party to
    /// the item): an unknown id and an item outside the admin's scope get the same answer, citing
    /// `scopeRule` (R-ACC-11). The admin role is checked first (`rule`), before the item is looked up.
    func reviewedItem<Item>(
        _ item: Item?, projectNo: (Item) -> String, what: String, id: String, field: String, by admin: Account,
        roleRefusal: String, rule: String, scopeRule: String, party: (Item) -> Bool = { _ in false }
    ) throws(WorkflowError) -> (Item, Project) {
        guard admin.role.isAdmin else { throw WorkflowError.forbidden(roleRefusal, rule: rule) }
        guard let item, let project = state.project(projectNo(item)),
            covers(admin, unitId: project.unitId) || party(item)
        else { throw unseen(what, id, field: field, rule: scopeRule, by: admin) }
        return (item, project)
    }

    /// Refuses unless the project is active with no closeout under review (R-CHG-4).
    func requireAcceptsChanges(_ project: Project, rule: String) throws(WorkflowError) {
        guard project.status == .active else {
            throw WorkflowError(
                .projectNotActive, rule: rule, "项目不是在研状态 (project is \(project.status.rawValue))")
        }
        guard !project.closeoutUnderReview else {
            throw WorkflowError(.projectNotActive, rule: rule, "项目结项审核中 (a closeout is under review)")
        }
    }

    /// The level at which `admin` reviews the project, checked against what the item awaits (R-CHG-5).
    func reviewLevel(of admin: Account, project: Project, awaiting: Awaiting?) throws(WorkflowError) -> ReviewLevel {
        guard let level = admin.role.reviewLevel, covers(admin, unitId: project.unitId) else {
            throw WorkflowError.forbidden("not a reviewer of this project", rule: "R-CHG-5")
        }
        guard let awaiting, awaiting.level == level else {
            throw WorkflowError.invalidState(
                "it is not the \(level.rawValue) level's turn (awaiting \(awaiting?.rawValue ?? "nothing"))",
                rule: "R-CHG-5")
        }
        return level
    }

    // MARK: ids

    /// The client's id, or the engine's generated one.
    func newId(_ given: String?, field: String) throws(WorkflowError) -> String {
        if let given { return given }
        guard let generated = context.secrets.generatedId, !generated.isEmpty else {
            throw WorkflowError.invalidInput(field, "is required (no generated id was prepared)")
        }
        return generated
    }

    // MARK: notifications

    /// The approved, enabled leader accounts of a project (R-PRJ-2 rev. 2); one at most (R-ACC-1).
    func leaderAccountIds(of project: Project) -> [String] {
        state.personalAccountIds(role: .leader, idNumber: IdentityNumber.normalized(project.leader.idNumber)).filter {
            state.account($0)?.leads(project) ?? false
        }
    }

    /// R-ACC-1 rev. 2: one account per role and ID among accounts that are not rejected; `except` is the
    /// account being corrected.
    func requireUnusedIdNumber(
        role: Role, idType: IdType, idNumber: String, except: String? = nil
    ) throws(WorkflowError) {
        let holders = state.personalAccountIds(role: role, idNumber: IdentityNumber.normalized(idNumber))
        for id in holders where id != except {
            guard let holder = state.account(id), holder.registration != .rejected,
                holder.holds(idType: idType, idNumber: idNumber)
            else { continue }
            throw WorkflowError(
                .duplicateIdNumber, rule: "R-ACC-1", field: "idNumber",
                "该证件号码已注册\(role.label(.zh))账号 (an account of this role already holds this ID)")
        }
    }

    /// The admin scope reviewing the project at `level`; `receivingUnit` is the unit a `changeUnit` names.
    func scope(_ level: ReviewLevel, of project: Project, receivingUnit: String? = nil) -> AdminScope {
        switch level {
        case .unit: return .unit(project.unitId)
        case .receivingUnit: return .unit(receivingUnit ?? project.unitId)
        case .province: return .province(state.unit(project.unitId)?.provinceId ?? "")
        case .national: return .national
        }
    }

    mutating func notifyLeaders(
        _ project: Project, _ template: String, _ parameters: [String: String],
        channels: [NotificationChannel] = [.inbox, .sms]
    ) {
        for id in leaderAccountIds(of: project) {
            for channel in channels { decision.notify(id, channel, template, parameters) }
        }
    }

    mutating func notifyAdmins(
        _ scope: AdminScope, _ template: String, _ parameters: [String: String],
        channels: [NotificationChannel] = [.inbox]
    ) {
        for id in state.adminAccountIds(scope) {
            for channel in channels { decision.notify(id, channel, template, parameters) }
        }
    }

    /// Tells the reviewers at `awaiting` that an item waits for them (R-NTF-1).
    mutating func notifyReviewers(
        _ awaiting: Awaiting, project: Project, itemKind: String, itemId: String, receivingUnit: String? = nil
    ) {
        guard let level = awaiting.level else { return }
        notifyAdmins(
            scope(level, of: project, receivingUnit: receivingUnit), NotificationTemplate.reviewRequested,
            ["itemKind": itemKind, "itemId": itemId, "projectNo": project.projectNo, "level": level.rawValue])
    }

    /// Tells the leader that an item was decided (R-NTF-1).
    mutating func notifyDecided(
        project: Project, itemKind: String, itemId: String, decision reviewDecision: String, level: String,
        opinion: String
    ) {
        notifyLeaders(
            project, NotificationTemplate.itemDecided,
            [
                "itemKind": itemKind, "itemId": itemId, "projectNo": project.projectNo, "decision": reviewDecision,
                "level": level, "opinion": opinion,
            ])
    }

    // MARK: validation helpers

    func requireValidIdNumber(_ number: String, type: IdType, field: String) throws(WorkflowError) {
        if let problem = IdentityNumber.problem(number, type: type) {
            throw WorkflowError(.invalidIdNumber, rule: "R-ACC-2", field: field, problem)
        }
    }

    func requireStrongPassword(_ password: String, field: String) throws(WorkflowError) {
        try policy.requireStrongPassword(password, field: field)
    }

    func preparedHash(field: String) throws(WorkflowError) -> PasswordHash {
        guard let hash = context.secrets.newPasswordHash else {
            throw WorkflowError.invalidInput(field, "no password hash was prepared for this command", rule: "R-ACC-6")
        }
        return hash
    }
}
