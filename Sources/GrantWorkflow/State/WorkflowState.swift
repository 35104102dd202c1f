/// An in-memory ``WorkflowStateWriter``: dictionaries, for tests, property tests and fast replays.
public struct WorkflowState: WorkflowStateWriter, Sendable, Equatable {
    /// Accounts by id.
    public var accounts: [String: Account] = [:]
    /// Account ids by role and username.
    public var accountIdsByUsername: [Role: [String: String]] = [:]
    /// Leader and expert account ids by role and normalised ID number.
    public var personalAccountIdsByIdNumber: [Role: [String: [String]]] = [:]
    /// Admin account ids by scope.
    public var adminAccountIdsByScope: [AdminScope: [String]] = [:]
    /// Provinces by id.
    public var provinces: [String: Province] = [:]
    /// Units by id.
    public var units: [String: Unit] = [:]
    /// Projects by number.
    public var projects: [String: Project] = [:]
    /// Numbers of the active projects.
    public var activeProjects: Set<String> = []
    /// Change requests by id.
    public var changeRequests: [String: ChangeRequest] = [:]
    /// Open change request ids by project and kind.
    public var openChangeRequestIds: [String: [ChangeKind: String]] = [:]
    /// Change request ids by project.
    public var changeRequestIdsByProject: [String: [String]] = [:]
    /// Closeouts by id.
    public var closeouts: [String: Closeout] = [:]
    /// Open closeout ids by project.
    public var openCloseoutIds: [String: String] = [:]
    /// Closeout ids by project.
    public var closeoutIdsByProject: [String: [String]] = [:]
    /// Budget adjustments by id.
    public var budgetAdjustments: [String: BudgetAdjustment] = [:]
    /// Open budget adjustment ids by project.
    public var openBudgetAdjustmentIds: [String: String] = [:]
    /// Budget adjustment ids by project.
    public var budgetAdjustmentIdsByProject: [String: [String]] = [:]
    /// Closeout ids by certificate number.
    public var certificates: [String: String] = [:]
    /// Credentials by account id.
    public var credentials: [String: Credential] = [:]
    /// Reset tokens by digest.
    public var resetTokens: [String: ResetTokenRecord] = [:]
    /// Password-reset bookkeeping by account id (R-ACC-7).
    public var passwordResets: [String: PasswordResetState] = [:]

    /// An empty state (a new store).
    public init() {}

    /// Looks up an account.
    public func account(_ id: String) -> Account? { accounts[id] }
    /// Looks up an account id by role and username.
    public func accountId(role: Role, username: String) -> String? { accountIdsByUsername[role]?[username] }
    /// Looks up leader or expert account ids by ID number.
    public func personalAccountIds(role: Role, idNumber: String) -> [String] {
        personalAccountIdsByIdNumber[role]?[idNumber] ?? []
    }
    /// Looks up admin account ids of a scope.
    public func adminAccountIds(_ scope: AdminScope) -> [String] { adminAccountIdsByScope[scope] ?? [] }
    /// Looks up a province.
    public func province(_ id: String) -> Province? { provinces[id] }
    /// Looks up a unit.
    public func unit(_ id: String) -> Unit? { units[id] }
    /// Looks up a project.
    public func project(_ projectNo: String) -> Project? { projects[projectNo] }
    /// Numbers of the projects whose leader holds this ID (a scan: the in-memory state has no index).
    public func projectNumbers(ledBy idType: IdType, idNumber: String) -> [String] {
        let number = IdentityNumber.normalized(idNumber)
        return projects.values.filter {
            $0.leader.idType == idType && IdentityNumber.normalized($0.leader.idNumber) == number
        }.map(\.projectNo).sorted()
    }
    /// Visits the active projects in project-number order.
    public func forEachActiveProject(_ body: (Project) -> Void) {
        for projectNo in activeProjects.sorted() {
            if let project = projects[projectNo] { body(project) }
        }
    }
    /// Always ``SubjectStatus/unknown``: subject keys live in the engine's store, not in this state.
    public func subjectStatus(_ target: SubjectTarget) -> SubjectStatus { .unknown }
    /// Looks up a change request.
    public func changeRequest(_ id: String) -> ChangeRequest? { changeRequests[id] }
    /// Looks up the open request of a kind.
    public func openChangeRequestId(projectNo: String, kind: ChangeKind) -> String? {
        openChangeRequestIds[projectNo]?[kind]
    }
    /// Lists a project's change request ids.
    public func changeRequestIds(ofProject projectNo: String) -> [String] { changeRequestIdsByProject[projectNo] ?? [] }
    /// Looks up a closeout.
    public func closeout(_ id: String) -> Closeout? { closeouts[id] }
    /// Looks up a project's open closeout id.
    public func openCloseoutId(projectNo: String) -> String? { openCloseoutIds[projectNo] }
    /// Lists a project's closeout ids.
    public func closeoutIds(ofProject projectNo: String) -> [String] { closeoutIdsByProject[projectNo] ?? [] }
    /// Looks up a budget adjustment.
    public func budgetAdjustment(_ id: String) -> BudgetAdjustment? { budgetAdjustments[id] }
    /// Looks up a project's open adjustment id.
    public func openBudgetAdjustmentId(projectNo: String) -> String? { openBudgetAdjustmentIds[projectNo] }
    /// Lists a project's adjustment ids.
    public func budgetAdjustmentIds(ofProject projectNo: String) -> [String] {
        budgetAdjustmentIdsByProject[projectNo] ?? []
    }
    /// Looks up a certificate number.
    public func closeoutId(certificateNo: String) -> String? { certificates[certificateNo] }
    /// Looks up a credential.
    public func credential(_ accountId: String) -> Credential? { credentials[accountId] }
    /// Looks up a reset token.
    public func resetToken(digest: String) -> ResetTokenRecord? { resetTokens[digest] }
    /// Looks up the password-reset bookkeeping of an account.
    public func passwordResetState(_ accountId: String) -> PasswordResetState? { passwordResets[accountId] }

    /// Stores an account.
    public mutating func putAccount(_ account: Account) { accounts[account.id] = account }
    /// Sets the username index.
    public mutating func setAccountId(role: Role, username: String, accountId: String?) {
        accountIdsByUsername[role, default: [:]][username] = accountId
    }
    /// Sets the ID number index.
    public mutating func setPersonalAccount(role: Role, idNumber: String, accountId: String, present: Bool) {
        var ids = personalAccountIdsByIdNumber[role]?[idNumber] ?? []
        ids.removeAll { $0 == accountId }
        if present { ids.append(accountId) }
        personalAccountIdsByIdNumber[role, default: [:]][idNumber] = ids.isEmpty ? nil : ids
    }
    /// Adds an admin to a scope.
    public mutating func addAdminAccount(_ scope: AdminScope, accountId: String) {
        if !(adminAccountIdsByScope[scope] ?? []).contains(accountId) {
            adminAccountIdsByScope[scope, default: []].append(accountId)
        }
    }
    /// Stores a province.
    public mutating func putProvince(_ province: Province) { provinces[province.id] = province }
    /// Stores a unit.
    public mutating func putUnit(_ unit: Unit) { units[unit.id] = unit }
    /// Stores a project.
    public mutating func putProject(_ project: Project) { projects[project.projectNo] = project }
    /// Sets the active-project index.
    public mutating func setActiveProject(_ projectNo: String, active: Bool) {
        if active { activeProjects.insert(projectNo) } else { activeProjects.remove(projectNo) }
    }
    /// Stores a change request.
    public mutating func putChangeRequest(_ request: ChangeRequest) { changeRequests[request.id] = request }
    /// Sets the open-request index.
    public mutating func setOpenChangeRequestId(projectNo: String, kind: ChangeKind, requestId: String?) {
        openChangeRequestIds[projectNo, default: [:]][kind] = requestId
        if openChangeRequestIds[projectNo]?.isEmpty == true { openChangeRequestIds[projectNo] = nil }
    }
    /// Appends to a project's request list.
    public mutating func addChangeRequestId(projectNo: String, requestId: String) {
        changeRequestIdsByProject[projectNo, default: []].append(requestId)
    }
    /// Stores a closeout.
    public mutating func putCloseout(_ closeout: Closeout) { closeouts[closeout.id] = closeout }
    /// Sets the open-closeout index.
    public mutating func setOpenCloseoutId(projectNo: String, closeoutId: String?) {
        openCloseoutIds[projectNo] = closeoutId
    }
    /// Appends to a project's closeout list.
    public mutating func addCloseoutId(projectNo: String, closeoutId: String) {
        closeoutIdsByProject[projectNo, default: []].append(closeoutId)
    }
    /// Stores a budget adjustment.
    public mutating func putBudgetAdjustment(_ adjustment: BudgetAdjustment) {
        budgetAdjustments[adjustment.id] = adjustment
    }
    /// Sets the open-adjustment index.
    public mutating func setOpenBudgetAdjustmentId(projectNo: String, adjustmentId: String?) {
        openBudgetAdjustmentIds[projectNo] = adjustmentId
    }
    /// Appends to a project's adjustment list.
    public mutating func addBudgetAdjustmentId(projectNo: String, adjustmentId: String) {
        budgetAdjustmentIdsByProject[projectNo, default: []].append(adjustmentId)
    }
    /// Sets the certificate index.
    public mutating func setCertificate(_ certificateNo: String, closeoutId: String) {
        certificates[certificateNo] = closeoutId
    }
    /// Stores a credential.
    public mutating func putCredential(_ credential: Credential) { credentials[credential.accountId] = credential }
    /// Stores a reset token.
    public mutating func putResetToken(_ token: ResetTokenRecord) { resetTokens[token.digest] = token }
    /// Stores the password-reset bookkeeping of an account.
    public mutating func putPasswordResetState(_ resetState: PasswordResetState) {
        passwordResets[resetState.accountId] = resetState
    }
}
