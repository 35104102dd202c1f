internal import EventLog
public import GrantWorkflow

extension Ledger {
    /// `query inbox ACCOUNT`: what waits for the account, oldest first: registrations and items to
    /// review at its level and scope, experts to assign, closeouts to conclude, filing records (备案)
    /// for offices, appraisals for an expert, and returned or deferred items for a leader.
    ///
    /// Each entry is `{kind, id, projectNo, since, action}`; `kind` is `registration`, `change`,
    /// `closeout`, `adjustment`, `appraisal` or `filing`. `projectNo` is null for a registration and
    /// for an expert's appraisal (the appraisal is blind, R-CLO-5).
    public func inbox(_ accountId: String, as viewer: Viewer) throws(LedgerError) -> JSONValue {
        try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            guard let account = models.account(accountId), visibility.sees(account) else {
                throw visibility.hidden("the inbox of \(accountId)")
            }
            let owner = try Visibility(.account(accountId), directory: models)
            // Someone reading another account's inbox (an admin in scope) sees only the entries for
            // items it may see itself (R-ACC-11); an appraisal only if it may know the experts (R-CLO-5).
            let isOwnerOrOperator = visibility.isOperator || visibility.account?.id == accountId
            func shows(_ projectNo: String) -> Bool {
                isOwnerOrOperator || models.projectSummaryView(projectNo).map(visibility.sees) == true
            }
            var entries: [(since: Timestamp, value: JSONValue)] = []
            func add(
                _ kind: String, _ id: String, _ projectNo: String?, _ since: Timestamp, _ action: String, if shown: Bool
            ) {
                guard shown else { return }
                entries.append(
                    (
                        since,
                        .object([
                            ("kind", .string(kind)), ("id", .string(id)), ("projectNo", .optional(projectNo)),
                            ("since", .string(since.description)), ("action", .string(action)),
                        ])
                    ))
            }
            let level = account.role.reviewLevel
            func awaitsMe(_ awaiting: Awaiting?, projectNo: String) -> Bool {
                guard let level, awaiting?.level == level, let project = models.project(projectNo) else { return false }
                return owner.administers(unitId: project.unitId)
            }
            switch account.role {
            case .unitAdmin:
                for id in models.pendingRegistrationIds(unitId: account.unitId ?? "") {
                    if let registrant = models.account(id) {
                        add(
                            "registration", id, nil, registrant.createdAt, "review",
                            if: isOwnerOrOperator || visibility.sees(registrant))
                    }
                }
            default: break
            }
            if level != nil {
                for id in models.awaitingIds(.change) {
                    guard let request = models.changeRequest(id),
                        awaitsMe(request.awaiting, projectNo: request.projectNo)
                            || Visibility.isReceivingAdmin(account, of: request)
                    else { continue }
                    add(
                        "change", id, request.projectNo, Self.since(request.submittedAt, request.decisions), "review",
                        if: shows(request.projectNo) || visibility.seesAsParty(request))
                }
                for id in models.awaitingIds(.adjustment) {
                    guard let adjustment = models.budgetAdjustment(id),
                        awaitsMe(adjustment.awaiting, projectNo: adjustment.projectNo)
                    else { continue }
                    add(
                        "adjustment", id, adjustment.projectNo,
                        Self.since(adjustment.submittedAt, adjustment.decisions), "review",
                        if: shows(adjustment.projectNo))
                }
                for id in models.awaitingIds(.closeout) {
                    guard let closeout = models.closeout(id), let project = models.project(closeout.projectNo) else {
                        continue
                    }
                    let since = Self.since(closeout.submittedAt, closeout.decisions)
                    if awaitsMe(closeout.awaiting, projectNo: closeout.projectNo) {
                        add(
                            "closeout", id, closeout.projectNo, since, level == .national ? "conclude" : "review",
                            if: shows(closeout.projectNo))
                    } else if closeout.awaiting == .appraisal, closeout.experts.isEmpty,
                        Self.organiser(of: project) == level, owner.administers(unitId: project.unitId)
                    {
                        add("closeout", id, closeout.projectNo, since, "assignExperts", if: shows(closeout.projectNo))
                    }
                }
            }
            if level == .province || level == .national {
                for id in models.filingIds(.change) {
                    guard let request = models.changeRequest(id), let project = models.project(request.projectNo),
                        owner.administers(unitId: project.unitId)
                    else { continue }
                    add(
                        "filing", id, request.projectNo, request.effectiveAt ?? request.createdAt, "file",
                        if: shows(request.projectNo))
                }
                for id in models.filingIds(.adjustment) {
                    guard let adjustment = models.budgetAdjustment(id),
                        let project = models.project(adjustment.projectNo),
                        owner.administers(unitId: project.unitId)
                    else { continue }
                    add(
                        "filing", id, adjustment.projectNo, adjustment.effectiveAt ?? adjustment.createdAt, "file",
                        if: shows(adjustment.projectNo))
                }
            }
            if account.role == .expert {
                for id in models.awaitingIds(.closeout) {
                    guard let closeout = models.closeout(id), closeout.awaiting == .appraisal,
                        closeout.experts.contains(account.id),
                        !closeout.appraisals.contains(where: { $0.expertId == account.id })
                    else { continue }
                    // Blind both ways (R-CLO-5): a project number is published beside its leader's name.
                    add(
                        "appraisal", id, nil, Self.since(closeout.submittedAt, closeout.decisions), "appraise",
                        if: isOwnerOrOperator
                            || models.project(closeout.projectNo).map(visibility.seesExperts(of:)) == true)
                }
            }
            if account.role == .leader, let own = account.normalizedIdNumber {
                models.forEachProject { project in
                    guard IdentityNumber.normalized(project.leader.idNumber) == own else { return }
                    for request in models.changeRequests(ofProject: project.projectNo) where request.status == .returned
                    {
                        add(
                            "change", request.id, project.projectNo, Self.since(request.submittedAt, request.decisions),
                            "revise", if: shows(project.projectNo))
                    }
                    for closeout in models.closeouts(ofProject: project.projectNo)
                    where closeout.status == .returned || closeout.status == .deferred {
                        add(
                            "closeout", closeout.id, project.projectNo,
                            Self.since(closeout.submittedAt, closeout.decisions), "revise", if: shows(project.projectNo)
                        )
                    }
                    for adjustment in models.budgetAdjustments(ofProject: project.projectNo)
                    where adjustment.status == .returned {
                        add(
                            "adjustment", adjustment.id, project.projectNo,
                            Self.since(adjustment.submittedAt, adjustment.decisions), "revise",
                            if: shows(project.projectNo))
                    }
                }
            }
            entries.sort { $0.since < $1.since }
            return .array(entries.map(\.value))
        }
    }

    /// When an item reached its current state: its last decision or submission.
    static func since(_ submittedAt: Timestamp?, _ decisions: [ReviewRecord]) -> Timestamp {
        let times = [submittedAt].compactMap { $0 } + decisions.map(\.at)
        return times.max() ?? Timestamp(epochMilliseconds: 0)
    }

    /// The appraisal organiser's level (R-CLO-5): national for major and key projects, else province.
    static func organiser(of project: Project) -> ReviewLevel {
        project.category == .major || project.category == .key ? .national : .province
    }
}
