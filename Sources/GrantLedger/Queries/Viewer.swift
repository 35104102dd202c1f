internal import GrantWorkflow

/// Who is asking: the operator (everything, as the CLI shows without `--as`) or one account, who
/// sees exactly what its role and scope allow.
public enum Viewer: Sendable, Hashable {
    /// The operator of the store: everything, ID numbers in full.
    case everything
    /// An account: a leader its own projects (never their appraisers), a unit admin its unit, a
    /// provincial office its province, the national office everything, an expert what it appraises.
    case account(String)
}

/// A viewer resolved against the directory (accounts, units): the rules of who sees what (R-ACC-11).
///
/// Only approved, enabled accounts see anything. A viewer never learns whether something outside its
/// view exists: ``hidden(_:)`` answers an unknown id and an out-of-scope one alike.
struct Visibility {
    /// The viewing account; nil for the operator.
    let account: Account?
    let directory: any WorkflowStateReader

    init(_ viewer: Viewer, directory: any WorkflowStateReader) throws(LedgerError) {
        self.directory = directory
        switch viewer {
        case .everything:
            account = nil
        case .account(let id):
            // An unknown, pending, rejected or disabled viewer sees nothing, and cannot tell which it is.
            guard let account = directory.account(id), account.isActive else {
                throw LedgerError(.forbidden, rule: "R-ACC-11", "account \(id) may not see anything")
            }
            self.account = account
        }
    }

    var isOperator: Bool { account == nil }

    /// The province of a unit, from the directory.
    func provinceId(ofUnit unitId: String) -> String? { directory.unit(unitId)?.provinceId }

    /// Whether the viewer administers `unitId`: operator, national office, the unit's provincial
    /// office or the unit's admin.
    func administers(unitId: String) -> Bool {
        guard let account else { return true }
        return account.administers(unitId: unitId, in: directory)
    }

    /// Whether the viewer leads `project` (R-PRJ-2 rev. 2: same ID type and number).
    func leads(_ project: Project) -> Bool { account?.leads(project) ?? false }

    /// Whether the viewer may see `project`, its history and its items: admins in scope and its
    /// leader. Never an expert (R-ACC-11): experts read only the appraisal material of what they
    /// appraise.
    func sees(_ project: Project) -> Bool {
        guard let account else { return true }
        return account.sees(project, in: directory)
    }

    /// As ``sees(_:)-(Project)``, from a project's summary read in place.
    func sees(_ project: ProjectSummary.View) -> Bool {
        guard let account else { return true }
        return administers(unitId: project.unitIdText) || account.leads(project)
    }

    /// The answer for something the viewer may not see, or that does not exist: for an account the
    /// same `forbidden` either way (R-ACC-11); `notFound` for the operator and the national office,
    /// who see everything, so that only an unknown id can bring them here (as the commands answer).
    func hidden(_ what: String) -> LedgerError {
        guard isOperator || account?.role == .nationalOffice else { return Self.forbidden(what) }
        // "the inbox of X is outside …", but "no inbox of X".
        return LedgerError(.notFound, "no " + (what.hasPrefix("the ") ? String(what.dropFirst(4)) : what))
    }

    /// Whether reviewer names and the project's own records show in full: admins in scope and the leader.
    func seesFullIdNumbers(of project: Project) -> Bool { sees(project) }

    /// Whether one person's ID number shows in full (R-ACC-8): to admins in scope of the project's
    /// unit, and to that person; masked (first 4 and last 4 characters) to everyone else.
    func seesFullIdNumber(_ idNumber: String, unitId: String) -> Bool {
        if administers(unitId: unitId) { return true }
        guard let own = account?.normalizedIdNumber else { return false }
        return IdentityNumber.normalized(idNumber) == own
    }

    /// Whether the viewer may know who appraised (blind appraisal, R-CLO-5): offices and the operator only.
    func seesExperts(of project: Project) -> Bool {
        guard let account else { return true }
        switch account.role {
        case .nationalOffice: return true
        case .provincialOffice: return administers(unitId: project.unitId)
        case .unitAdmin, .leader, .expert: return false
        }
    }

    /// Whether the viewer may see an account: its own, or an admin's in scope.
    func sees(_ other: Account) -> Bool {
        guard let account else { return true }
        return account.sees(other, in: directory)
    }

    /// Whether `account` is the admin of the unit a pending `changeUnit` request awaits (R-CHG-6, rev. 2).
    static func isReceivingAdmin(_ account: Account, of request: ChangeRequest) -> Bool {
        guard account.role == .unitAdmin, request.awaiting == .receivingUnit,
            case .changeUnit(let newUnitId) = request.details
        else { return false }
        return account.unitId == newUnitId
    }

    /// Whether the viewer may read a change request beyond its project's view: the leader account that
    /// drafted it keeps it after a change of leader (R-CHG-10, rev. 2), and the receiving unit of a
    /// change of unit reads the request it agrees to (R-CHG-6, rev. 2).
    func seesAsParty(_ request: ChangeRequest) -> Bool {
        account?.isParty(to: request, in: directory) ?? false
    }

    /// The forbidden error of a query outside the view.
    static func forbidden(_ what: String) -> LedgerError {
        LedgerError(.forbidden, rule: "R-ACC-11", "\(what) is outside this account's view")
    }
}
