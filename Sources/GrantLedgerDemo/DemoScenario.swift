public import GrantWorkflow

/// What one project of the demo goes through during the year: a workflow and its outcome.
///
/// ``coverage`` lists every scenario once; a plan gives each of them a project of its own before it
/// draws the rest at random with ``weight`` (docs/demo.md).
public enum DemoScenario: Sendable, Hashable {
    /// A change request of the kind approved at every level it needs, and effective (R-CHG-5…7). A
    /// self-termination closes an adjustment draft, a withdrawal a draft request and a draft closeout
    /// (R-CHG-8).
    case changeApproved(ChangeKind)
    /// A change request given this decision (not approve) at this level; the leader then edits and
    /// resubmits (return), cancels (reject) or leaves it returned (notAccept).
    case changeDecided(ReviewLevel, ReviewDecision)
    /// Submitted, recalled before the unit acted, edited, resubmitted and approved.
    case changeRecalled
    /// Drafted, then cancelled.
    case changeCancelled
    /// A second open extension refused (`duplicatePendingChange`, R-CHG-3), the first approved.
    case changeDuplicate
    /// Two effective extensions, and a third refused (`extensionLimitReached`, R-CHG-9).
    case extensionTwice
    /// Submitted late in the year, still awaiting this level on 31 December.
    case changeAwaiting(ReviewLevel)
    /// A draft not yet submitted on 31 December.
    case changeDraft
    /// A closeout appraised and completed with this grade (R-CLO-5…7).
    case closeoutCompleted(Grade)
    /// Completed with a grade above the experts' median, with a written reason (R-CLO-7).
    case closeoutGradeOverridden
    /// Deferred on a failing appraisal, revised with revision notes, appraised again and completed.
    case closeoutDeferredThenCompleted
    /// Deferred on a failing appraisal and not yet resubmitted.
    case closeoutDeferred
    /// Exempt from appraisal (免于鉴定) with a proof, concluded by the national office.
    case closeoutExempt
    /// Given this decision (not approve) by the unit or province, revised, resubmitted and completed.
    case closeoutDecided(ReviewLevel, ReviewDecision)
    /// Recalled before the unit acted (撤回修改), resubmitted and completed.
    case closeoutRecalled
    /// Submitted before the ledger was attached (`ledgerAttachmentRequired`), then completed.
    case closeoutWithoutLedger
    /// Submitted late in the year, still at this stage on 31 December.
    case closeoutAwaiting(Awaiting)
    /// A reallocation between direct categories, effective on unit approval with a filing (R-BUD-3).
    case adjustmentUnitRoute
    /// A new external partner, approved by unit, province and national office (R-BUD-3).
    case adjustmentNationalRoute
    /// Given this decision (not approve) at this level.
    case adjustmentDecided(ReviewLevel, ReviewDecision)
    /// Recalled before the unit acted, resubmitted and approved.
    case adjustmentRecalled
    /// Drafted, then cancelled.
    case adjustmentCancelled
    /// A new external partner submitted late in the year, still awaiting the national office on 31 December.
    case adjustmentAwaiting
    /// Five failed logins lock the account; the right password while locked is refused; later it logs in.
    case lockout
    /// A password reset by token, a login with the new password, and a reset asked for an unknown phone.
    case passwordReset
    /// A registration rejected by the unit admin, corrected, resubmitted and approved (R-ACC-3).
    case registrationResubmitted
    /// A project registered with a mistyped leader ID number, set right by the unit admin (R-PRJ-2).
    case leaderIdNumberFixed
    /// A leader account disabled by its unit admin and enabled again (R-ACC-9).
    case accountDisabled

    /// Every scenario, each once.
    public static let coverage: [DemoScenario] = {
        var all: [DemoScenario] = ChangeKind.allCases.map { .changeApproved($0) }
        let refusals: [ReviewDecision] = [.return, .reject, .notAccept]
        for level in ReviewLevel.allCases {
            for decision in refusals { all.append(.changeDecided(level, decision)) }
        }
        all += [.changeRecalled, .changeCancelled, .changeDuplicate, .extensionTwice, .changeDraft]
        all += ReviewLevel.allCases.map { .changeAwaiting($0) }
        all += [.excellent, .good, .pass].map { .closeoutCompleted($0) }
        all += [.closeoutGradeOverridden, .closeoutDeferredThenCompleted, .closeoutDeferred, .closeoutExempt]
        for level in [ReviewLevel.unit, .province] {
            for decision in refusals { all.append(.closeoutDecided(level, decision)) }
        }
        all += [.closeoutRecalled, .closeoutWithoutLedger]
        all += Awaiting.allCases.map { .closeoutAwaiting($0) }
        all += [
            .adjustmentUnitRoute, .adjustmentNationalRoute, .adjustmentDecided(.unit, .return),
            .adjustmentDecided(.province, .reject), .adjustmentDecided(.national, .notAccept), .adjustmentRecalled,
            .adjustmentCancelled, .adjustmentAwaiting,
        ]
        all += [.lockout, .passwordReset, .registrationResubmitted, .leaderIdNumberFixed, .accountDisabled]
        return all
    }()

    /// The scenarios drawn for the other projects with a workflow, and their relative weights. The
    /// ones that show a refusal on purpose (and the account episodes) run only in the coverage set,
    /// so that a plan's expected rejections do not grow with its size.
    static let weighted: [(DemoScenario, Int)] = {
        var table: [(DemoScenario, Int)] = [
            (.closeoutCompleted(.excellent), 5), (.closeoutCompleted(.good), 16), (.closeoutCompleted(.pass), 9),
            (.closeoutGradeOverridden, 1), (.closeoutDeferredThenCompleted, 2), (.closeoutDeferred, 1),
            (.closeoutExempt, 3), (.closeoutRecalled, 1),
            (.changeApproved(.extension), 14), (.changeApproved(.changeMembers), 8), (.changeApproved(.changeTitle), 3),
            (.changeApproved(.changeDeliverableForm), 3), (.changeApproved(.majorContentAdjustment), 2),
            (.changeApproved(.changeLeader), 2), (.changeApproved(.changeUnit), 1),
            (.changeApproved(.selfTermination), 1), (.changeApproved(.withdrawal), 1),
            (.changeRecalled, 1), (.changeCancelled, 2), (.changeDraft, 1),
            (.adjustmentUnitRoute, 6), (.adjustmentNationalRoute, 2), (.adjustmentRecalled, 1),
            (.adjustmentCancelled, 1),
            // The December backlog: items still waiting on 31 December.
            (.closeoutAwaiting(.unit), 3), (.closeoutAwaiting(.province), 2), (.closeoutAwaiting(.appraisal), 2),
            (.closeoutAwaiting(.national), 1), (.changeAwaiting(.unit), 2), (.changeAwaiting(.province), 1),
            (.changeAwaiting(.national), 1), (.adjustmentAwaiting, 1),
        ]
        let refusals: [ReviewDecision] = [.return, .reject, .notAccept]
        for level in ReviewLevel.allCases {
            for decision in refusals { table.append((.changeDecided(level, decision), 1)) }
        }
        for level in [ReviewLevel.unit, .province] {
            for decision in refusals { table.append((.closeoutDecided(level, decision), 1)) }
        }
        table += [
            (.adjustmentDecided(.unit, .return), 1), (.adjustmentDecided(.province, .reject), 1),
            (.adjustmentDecided(.national, .notAccept), 1),
        ]
        return table
    }()

    /// A stable name: `changeApproved.extension`, `closeoutDecided.province.reject` …
    public var name: String {
        switch self {
        case .changeApproved(let kind): return "changeApproved.\(kind.rawValue)"
        case .changeDecided(let level, let decision): return "changeDecided.\(level.rawValue).\(decision.rawValue)"
        case .changeRecalled: return "changeRecalled"
        case .changeCancelled: return "changeCancelled"
        case .changeDuplicate: return "changeDuplicate"
        case .extensionTwice: return "extensionTwice"
        case .changeAwaiting(let level): return "changeAwaiting.\(level.rawValue)"
        case .changeDraft: return "changeDraft"
        case .closeoutCompleted(let grade): return "closeoutCompleted.\(grade.rawValue)"
        case .closeoutGradeOverridden: return "closeoutGradeOverridden"
        case .closeoutDeferredThenCompleted: return "closeoutDeferredThenCompleted"
        case .closeoutDeferred: return "closeoutDeferred"
        case .closeoutExempt: return "closeoutExempt"
        case .closeoutDecided(let level, let decision): return "closeoutDecided.\(level.rawValue).\(decision.rawValue)"
        case .closeoutRecalled: return "closeoutRecalled"
        case .closeoutWithoutLedger: return "closeoutWithoutLedger"
        case .closeoutAwaiting(let stage): return "closeoutAwaiting.\(stage.rawValue)"
        case .adjustmentUnitRoute: return "adjustmentUnitRoute"
        case .adjustmentNationalRoute: return "adjustmentNationalRoute"
        case .adjustmentDecided(let level, let decision):
            return "adjustmentDecided.\(level.rawValue).\(decision.rawValue)"
        case .adjustmentRecalled: return "adjustmentRecalled"
        case .adjustmentCancelled: return "adjustmentCancelled"
        case .adjustmentAwaiting: return "adjustmentAwaiting"
        case .lockout: return "lockout"
        case .passwordReset: return "passwordReset"
        case .registrationResubmitted: return "registrationResubmitted"
        case .leaderIdNumberFixed: return "leaderIdNumberFixed"
        case .accountDisabled: return "accountDisabled"
        }
    }

    /// Whether the scenario ends the year in progress on purpose (it starts in December).
    var endsInProgress: Bool {
        switch self {
        case .changeAwaiting, .changeDraft, .closeoutAwaiting, .adjustmentAwaiting: return true
        default: return false
        }
    }

    /// Whether the scenario opens a closeout, so that the project's end date should be near.
    var isCloseout: Bool {
        switch self {
        case .closeoutCompleted, .closeoutGradeOverridden, .closeoutDeferredThenCompleted, .closeoutDeferred,
            .closeoutExempt, .closeoutDecided, .closeoutRecalled, .closeoutWithoutLedger, .closeoutAwaiting:
            return true
        default: return false
        }
    }

    /// The change kinds the scenario may draft (nil: it drafts none).
    var changeKinds: [ChangeKind]? {
        let national: [ChangeKind] = [
            .extension, .changeTitle, .changeDeliverableForm, .majorContentAdjustment, .changeLeader, .changeUnit,
        ]
        switch self {
        case .changeApproved(let kind): return [kind]
        case .changeDecided(.unit, _): return national + [.changeMembers]
        case .changeDecided: return national
        case .changeRecalled, .changeCancelled, .changeDraft: return national + [.changeMembers]
        case .changeAwaiting(.unit): return national + [.changeMembers]
        case .changeAwaiting: return national
        case .changeDuplicate, .extensionTwice: return [.extension]
        case .passwordReset: return [.changeMembers]
        case .registrationResubmitted: return [.changeDeliverableForm]
        case .leaderIdNumberFixed: return [.changeTitle]
        default: return nil
        }
    }
}
