/// Where an admin account acts: the whole country, one province or one unit.
public enum AdminScope: Sendable, Hashable, Codable {
    /// The national office.
    case national
    /// A provincial office of this province.
    case province(String)
    /// A unit admin of this unit.
    case unit(String)
}

/// Read access to the state a decision needs: keyed lookups and bounded scans only, so an engine
/// can implement it over LMDB with secondary indexes inside its write transaction.
///
/// Lists "of a project" are bounded by what one project accumulates (a few dozen items).
public protocol WorkflowStateReader {
    /// The account with this id.
    func account(_ id: String) -> Account?
    /// The account id holding `username` within `role` (R-ACC-1).
    func accountId(role: Role, username: String) -> String?
    /// Ids of the leader or expert accounts (`role`) whose normalised ID number is `idNumber`, in any
    /// registration state (R-ACC-1, R-PRJ-2).
    func personalAccountIds(role: Role, idNumber: String) -> [String]
    /// Ids of the admin accounts of a scope (for notifications to reviewers).
    func adminAccountIds(_ scope: AdminScope) -> [String]
    /// The province with this id.
    func province(_ id: String) -> Province?
    /// The unit with this id.
    func unit(_ id: String) -> Unit?
    /// The project with this number.
    func project(_ projectNo: String) -> Project?
    /// Calls `body` for each active project (the deadline sweep, R-NTF-2).
    func forEachActiveProject(_ body: (Project) -> Void)
    /// Numbers of the projects, in any status, whose leader holds this ID type and number
    /// (normalised): R-CHG-11's one active project per leader, without visiting every project.
    func projectNumbers(ledBy idType: IdType, idNumber: String) -> [String]
    /// What the store's keys know of a person (R-LOG-6). The engine answers from its keys database;
    /// an in-memory state holds no keys and answers ``SubjectStatus/unknown``.
    func subjectStatus(_ target: SubjectTarget) -> SubjectStatus
    /// The change request with this id.
    func changeRequest(_ id: String) -> ChangeRequest?
    /// The id of the open (draft, pending, returned) request of `kind` for the project (R-CHG-3).
    func openChangeRequestId(projectNo: String, kind: ChangeKind) -> String?
    /// Ids of every change request of the project, oldest first.
    func changeRequestIds(ofProject projectNo: String) -> [String]
    /// The closeout with this id.
    func closeout(_ id: String) -> Closeout?
    /// The id of the project's open closeout (R-CLO-1).
    func openCloseoutId(projectNo: String) -> String?
    /// Ids of every closeout of the project, oldest first.
    func closeoutIds(ofProject projectNo: String) -> [String]
    /// The budget adjustment with this id.
    func budgetAdjustment(_ id: String) -> BudgetAdjustment?
    /// The id of the project's open budget adjustment (R-BUD-4).
    func openBudgetAdjustmentId(projectNo: String) -> String?
    /// Ids of every budget adjustment of the project, oldest first.
    func budgetAdjustmentIds(ofProject projectNo: String) -> [String]
    /// The closeout holding this certificate number, if any (R-CLO-7: certificate numbers are unique).
    func closeoutId(certificateNo: String) -> String?
    /// The credential of an account (outside the event log).
    func credential(_ accountId: String) -> Credential?
    /// The reset token with this digest (outside the event log).
    func resetToken(digest: String) -> ResetTokenRecord?
    /// The password-reset bookkeeping of an account: current token, recent requests (R-ACC-7).
    func passwordResetState(_ accountId: String) -> PasswordResetState?
}

extension WorkflowStateReader {
    /// The account holding `username` within `role`.
    public func account(role: Role, username: String) -> Account? {
        accountId(role: role, username: username).flatMap { account($0) }
    }

    /// Whether a store is bootstrapped: a national office account exists.
    public var isBootstrapped: Bool { !adminAccountIds(.national).isEmpty }

    /// The open change request of `kind` for the project.
    public func openChangeRequest(projectNo: String, kind: ChangeKind) -> ChangeRequest? {
        openChangeRequestId(projectNo: projectNo, kind: kind).flatMap { changeRequest($0) }
    }

    /// Every change request of the project, oldest first.
    public func changeRequests(ofProject projectNo: String) -> [ChangeRequest] {
        changeRequestIds(ofProject: projectNo).compactMap { changeRequest($0) }
    }

    /// The project's open closeout.
    public func openCloseout(projectNo: String) -> Closeout? {
        openCloseoutId(projectNo: projectNo).flatMap { closeout($0) }
    }

    /// Every closeout of the project, oldest first.
    public func closeouts(ofProject projectNo: String) -> [Closeout] {
        closeoutIds(ofProject: projectNo).compactMap { closeout($0) }
    }

    /// The project's open budget adjustment.
    public func openBudgetAdjustment(projectNo: String) -> BudgetAdjustment? {
        openBudgetAdjustmentId(projectNo: projectNo).flatMap { budgetAdjustment($0) }
    }

    /// Every budget adjustment of the project, oldest first.
    public func budgetAdjustments(ofProject projectNo: String) -> [BudgetAdjustment] {
        budgetAdjustmentIds(ofProject: projectNo).compactMap { budgetAdjustment($0) }
    }

    /// Whether a certificate number is already used (R-CLO-7).
    public func certificateInUse(_ certificateNo: String) -> Bool { closeoutId(certificateNo: certificateNo) != nil }
}

/// Write access for `evolve` and for applying credential changes: a put for each entity and each index
/// the reader needs. `evolve` maintains the indexes itself, so an implementation stores what it is given.
public protocol WorkflowStateWriter: WorkflowStateReader {
    /// Stores an account.
    mutating func putAccount(_ account: Account)
    /// Points (`role`, `username`) at an account, or removes the entry when `accountId` is nil.
    mutating func setAccountId(role: Role, username: String, accountId: String?)
    /// Adds or removes a leader or expert account under a normalised ID number.
    mutating func setPersonalAccount(role: Role, idNumber: String, accountId: String, present: Bool)
    /// Adds an admin account to a scope.
    mutating func addAdminAccount(_ scope: AdminScope, accountId: String)
    /// Stores a province.
    mutating func putProvince(_ province: Province)
    /// Stores a unit.
    mutating func putUnit(_ unit: Unit)
    /// Stores a project.
    mutating func putProject(_ project: Project)
    /// Adds the project to, or removes it from, the set of active projects.
    mutating func setActiveProject(_ projectNo: String, active: Bool)
    /// Stores a change request.
    mutating func putChangeRequest(_ request: ChangeRequest)
    /// Sets or clears the open request of a kind for a project.
    mutating func setOpenChangeRequestId(projectNo: String, kind: ChangeKind, requestId: String?)
    /// Appends a request id to the project's list.
    mutating func addChangeRequestId(projectNo: String, requestId: String)
    /// Stores a closeout.
    mutating func putCloseout(_ closeout: Closeout)
    /// Sets or clears the project's open closeout.
    mutating func setOpenCloseoutId(projectNo: String, closeoutId: String?)
    /// Appends a closeout id to the project's list.
    mutating func addCloseoutId(projectNo: String, closeoutId: String)
    /// Stores a budget adjustment.
    mutating func putBudgetAdjustment(_ adjustment: BudgetAdjustment)
    /// Sets or clears the project's open budget adjustment.
    mutating func setOpenBudgetAdjustmentId(projectNo: String, adjustmentId: String?)
    /// Appends an adjustment id to the project's list.
    mutating func addBudgetAdjustmentId(projectNo: String, adjustmentId: String)
    /// Records that a certificate number belongs to a closeout.
    mutating func setCertificate(_ certificateNo: String, closeoutId: String)
    /// Stores a credential.
    mutating func putCredential(_ credential: Credential)
    /// Stores a reset token record.
    mutating func putResetToken(_ token: ResetTokenRecord)
    /// Stores the password-reset bookkeeping of an account.
    mutating func putPasswordResetState(_ resetState: PasswordResetState)
}
