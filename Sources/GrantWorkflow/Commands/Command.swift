/// A decoded command of docs/cli.md: one case per `type`, with exactly its fields.
///
/// Client-choosable ids (`accountId`, `requestId`, `closeoutId`, `adjustmentId`) are optional here;
/// when absent, `decide` takes the id the engine generated (``PreparedSecrets/generatedId``).
public enum Command: Sendable, Hashable {
    /// The first command of an empty store: creates the national office account.
    case bootstrap(accountId: String?, username: String, password: String, name: String)
    /// Creates a province (nationalOffice).
    case createProvince(provinceId: String, name: String)
    /// Creates a unit (nationalOffice, or the provincialOffice of its province).
    case createUnit(unitId: String, name: String, provinceId: String)
    /// Creates a provincial office or unit admin account.
    case createAdminAccount(CreateAdminAccount)
    /// Disables or re-enables an account (admin in scope, R-ACC-9).
    case setAccountEnabled(accountId: String, enabled: Bool)
    /// Registers an approved project (nationalOffice).
    case registerProject(RegisterProject)
    /// Sets a project's leader ID number (unitAdmin of the project's unit, R-PRJ-2).
    case setLeaderIdNumber(projectNo: String, idType: IdType, idNumber: String)
    /// Self-registration of a leader or expert (R-ACC-2).
    case registerAccount(RegisterAccount)
    /// A rejected account corrects and resubmits its registration (R-ACC-3).
    case resubmitRegistration(ResubmitRegistration)
    /// Approves or rejects a registration (unitAdmin of the account's unit, R-ACC-3).
    case reviewRegistration(accountId: String, decision: RegistrationDecision, reason: String?)
    /// Logs in (R-ACC-6, R-ACC-10); result `accountId`.
    case login(role: Role, username: String, password: String)
    /// Asks for a reset token by username (R-ACC-7); the answer never reveals whether it exists.
    case requestPasswordReset(role: Role, username: String)
    /// Sets a new password with a reset token (R-ACC-7).
    case resetPassword(token: String, newPassword: String)
    /// Completes (or updates) the actor's profile (R-ACC-5).
    case completeProfile(Profile)
    /// Drafts a change request; the details carry the kind (R-CHG-1).
    case draftChangeRequest(requestId: String?, projectNo: String, details: ChangeDetails, reason: String)
    /// Edits a draft or returned change request.
    case editChangeRequest(requestId: String, details: ChangeDetails, reason: String)
    /// Submits a change request to the unit.
    case submitChangeRequest(requestId: String)
    /// Recalls a pending change request before its first reviewer acted.
    case recallChangeRequest(requestId: String)
    /// Cancels a draft or returned change request.
    case cancelChangeRequest(requestId: String)
    /// A reviewer's decision on a change request (R-CHG-5).
    case reviewChangeRequest(requestId: String, decision: ReviewDecision, opinion: String)
    /// Opens a closeout (R-CLO-1).
    case openCloseout(closeoutId: String?, projectNo: String)
    /// Saves one closeout section.
    case saveCloseoutSection(closeoutId: String, data: CloseoutSectionData)
    /// Attaches a file to a closeout, change request or budget adjustment (R-ATT-1, R-ATT-2).
    case attachFile(AttachFile)
    /// Submits a closeout (R-CLO-2).
    case submitCloseout(closeoutId: String)
    /// Recalls a pending closeout before the unit acted (R-CLO-4).
    case recallCloseout(closeoutId: String)
    /// The unit's or province's decision on a closeout.
    case reviewCloseout(closeoutId: String, decision: ReviewDecision, opinion: String)
    /// The organiser assigns appraisal experts (R-CLO-5).
    case assignAppraisalExperts(closeoutId: String, experts: [String])
    /// An assigned expert's appraisal (R-CLO-6).
    case submitAppraisal(closeoutId: String, grade: Grade, comments: String)
    /// The national office concludes a closeout (R-CLO-7).
    case concludeCloseout(
        closeoutId: String, outcome: CloseoutOutcome, grade: Grade?, reason: String?, certificateNo: String?)
    /// Drafts a budget adjustment (R-BUD-4).
    case draftBudgetAdjustment(BudgetAdjustmentInput)
    /// Edits a draft or returned budget adjustment.
    case editBudgetAdjustment(BudgetAdjustmentInput)
    /// Submits a budget adjustment (R-BUD-2).
    case submitBudgetAdjustment(adjustmentId: String)
    /// Recalls a pending budget adjustment before the unit acted.
    case recallBudgetAdjustment(adjustmentId: String)
    /// Cancels a draft or returned budget adjustment.
    case cancelBudgetAdjustment(adjustmentId: String)
    /// A reviewer's decision on a budget adjustment (R-BUD-3).
    case reviewBudgetAdjustment(adjustmentId: String, decision: ReviewDecision, opinion: String)
    /// The deadline sweep (R-NTF-2).
    case runDeadlineSweep
    /// The national office ends a project itself (R-PRJ-5, rev. 2).
    case endProject(projectNo: String, outcome: ProjectEndOutcome, reason: String)
    /// The national office erases a person's personal data (R-LOG-6, rev. 2).
    case eraseSubject(target: SubjectTarget, reason: String)

    /// The command's `type` name in docs/cli.md.
    public var typeName: String {
        switch self {
        case .bootstrap: return "bootstrap"
        case .createProvince: return "createProvince"
        case .createUnit: return "createUnit"
        case .createAdminAccount: return "createAdminAccount"
        case .setAccountEnabled: return "setAccountEnabled"
        case .registerProject: return "registerProject"
        case .setLeaderIdNumber: return "setLeaderIdNumber"
        case .registerAccount: return "registerAccount"
        case .resubmitRegistration: return "resubmitRegistration"
        case .reviewRegistration: return "reviewRegistration"
        case .login: return "login"
        case .requestPasswordReset: return "requestPasswordReset"
        case .resetPassword: return "resetPassword"
        case .completeProfile: return "completeProfile"
        case .draftChangeRequest: return "draftChangeRequest"
        case .editChangeRequest: return "editChangeRequest"
        case .submitChangeRequest: return "submitChangeRequest"
        case .recallChangeRequest: return "recallChangeRequest"
        case .cancelChangeRequest: return "cancelChangeRequest"
        case .reviewChangeRequest: return "reviewChangeRequest"
        case .openCloseout: return "openCloseout"
        case .saveCloseoutSection: return "saveCloseoutSection"
        case .attachFile: return "attachFile"
        case .submitCloseout: return "submitCloseout"
        case .recallCloseout: return "recallCloseout"
        case .reviewCloseout: return "reviewCloseout"
        case .assignAppraisalExperts: return "assignAppraisalExperts"
        case .submitAppraisal: return "submitAppraisal"
        case .concludeCloseout: return "concludeCloseout"
        case .draftBudgetAdjustment: return "draftBudgetAdjustment"
        case .editBudgetAdjustment: return "editBudgetAdjustment"
        case .submitBudgetAdjustment: return "submitBudgetAdjustment"
        case .recallBudgetAdjustment: return "recallBudgetAdjustment"
        case .cancelBudgetAdjustment: return "cancelBudgetAdjustment"
        case .reviewBudgetAdjustment: return "reviewBudgetAdjustment"
        case .runDeadlineSweep: return "runDeadlineSweep"
        case .endProject: return "endProject"
        case .eraseSubject: return "eraseSubject"
        }
    }

    /// Every command type name, in docs/cli.md order.
    public static let typeNames: [String] = [
        "bootstrap", "createProvince", "createUnit", "createAdminAccount", "setAccountEnabled", "registerProject",
        "setLeaderIdNumber", "registerAccount", "resubmitRegistration", "reviewRegistration", "login",
        "requestPasswordReset", "resetPassword", "completeProfile", "draftChangeRequest", "editChangeRequest",
        "submitChangeRequest", "recallChangeRequest", "cancelChangeRequest", "reviewChangeRequest", "openCloseout",
        "saveCloseoutSection", "attachFile", "submitCloseout", "recallCloseout", "reviewCloseout",
        "assignAppraisalExperts", "submitAppraisal", "concludeCloseout", "draftBudgetAdjustment",
        "editBudgetAdjustment", "submitBudgetAdjustment", "recallBudgetAdjustment", "cancelBudgetAdjustment",
        "reviewBudgetAdjustment", "runDeadlineSweep", "endProject", "eraseSubject",
    ]

    /// Whether the command is issued without an actor (docs/cli.md: bootstrap, registration, login, resets).
    public var isAnonymous: Bool {
        switch self {
        case .bootstrap, .registerAccount, .resubmitRegistration, .login, .requestPasswordReset, .resetPassword:
            return true
        default:
            return false
        }
    }

    /// Whether the command carries a secret and is answered from the record: its fingerprint (which
    /// leaves secrets out since round 18) differs from the one builds before wrote
    /// (``CommandEnvelope/legacyFingerprint``).
    public var carriesSecret: Bool {
        switch self {
        case .bootstrap, .createAdminAccount, .registerAccount, .resubmitRegistration: return true
        default: return false
        }
    }

    /// Whether a repeat of the command id may be answered with the first result (R-LOG-3 rev. 2).
    /// `login`, `requestPasswordReset` and `resetPassword` check secrets: every attempt is checked and
    /// counted, so they are never answered from the record, and their ids are not recorded.
    public var isAnsweredFromRecord: Bool {
        switch self {
        case .login, .requestPasswordReset, .resetPassword: return false
        default: return true
        }
    }

    /// What the engine must prepare outside its write transaction before calling `decide`.
    public var preparation: Preparation {
        var needs = Preparation()
        switch self {
        case .bootstrap(let accountId, _, let password, _):
            needs.passwordToHash = password
            needs.generatedIdField = accountId == nil ? "accountId" : nil
        case .createAdminAccount(let command):
            needs.passwordToHash = command.password
            needs.generatedIdField = command.accountId == nil ? "accountId" : nil
        case .registerAccount(let command):
            needs.passwordToHash = command.password
            needs.generatedIdField = command.accountId == nil ? "accountId" : nil
        case .resubmitRegistration(let command):
            needs.passwordToVerify = PasswordCheck(target: .account(command.accountId), password: command.password)
        case .login(let role, let username, let password):
            needs.passwordToVerify = PasswordCheck(
                target: .username(role: role, username: username), password: password)
        case .requestPasswordReset:
            needs.resetToken = true
        case .resetPassword(_, let newPassword):
            needs.passwordToHash = newPassword
            needs.passwordField = "newPassword"
        case .draftChangeRequest(let requestId, _, _, _):
            needs.generatedIdField = requestId == nil ? "requestId" : nil
        case .openCloseout(let closeoutId, _):
            needs.generatedIdField = closeoutId == nil ? "closeoutId" : nil
        case .draftBudgetAdjustment(let input):
            needs.generatedIdField = input.adjustmentId == nil ? "adjustmentId" : nil
        default:
            break
        }
        return needs
    }
}

/// What the engine prepares, outside the write transaction, for one command (see ``DecisionContext``).
public struct Preparation: Sendable, Hashable {
    /// A password to hash with a fresh salt and the policy's iterations (→ ``PreparedSecrets/newPasswordHash``).
    public var passwordToHash: String?
    /// The field that holds ``passwordToHash``, for a `weakPassword` error.
    public var passwordField = "password"
    /// A password to verify against a stored credential (→ ``PreparedSecrets/passwordMatches``).
    public var passwordToVerify: PasswordCheck?
    /// Whether a fresh random reset token is needed (→ ``PreparedSecrets/resetToken``).
    public var resetToken: Bool = false
    /// The result field of the id to generate, when the client chose none (→ ``PreparedSecrets/generatedId``).
    public var generatedIdField: String?

    /// Nothing to prepare.
    public init() {}
}

/// A password the engine must check against a stored credential.
public struct PasswordCheck: Sendable, Hashable {
    /// Whose credential.
    public enum Target: Sendable, Hashable {
        /// The account found by role and username (login); no account means no match.
        case username(role: Role, username: String)
        /// The account with this id (resubmitRegistration).
        case account(String)
    }
    /// Whose credential.
    public var target: Target
    /// The plaintext to verify.
    public var password: String
}

/// A unit admin's decision on a registration (R-ACC-3).
public enum RegistrationDecision: String, Sendable, Codable, CaseIterable, BinaryCodable {
    /// Approve: the account may log in.
    case approve
    /// Reject: the owner may correct and resubmit.
    case reject
}
