extension Workflow {
    /// Applies one event to a state held behind the writer protocol (the engine's LMDB projections).
    ///
    /// Deterministic and total: an event that refers to something missing changes nothing rather
    /// than crashing. Maintains every index the reader offers.
    public static func evolve(_ event: DomainEvent, into state: inout some WorkflowStateWriter) {
        switch event {
        case .adminAccountCreated(let e):
            state.putAccount(
                Account(
                    id: e.accountId, role: e.role, username: e.username, name: e.name, unitId: e.unitId,
                    provinceId: e.provinceId, registration: .approved, createdAt: e.at))
            state.setAccountId(role: e.role, username: e.username, accountId: e.accountId)
            switch e.role {
            case .nationalOffice: state.addAdminAccount(.national, accountId: e.accountId)
            case .provincialOffice: state.addAdminAccount(.province(e.provinceId ?? ""), accountId: e.accountId)
            case .unitAdmin: state.addAdminAccount(.unit(e.unitId ?? ""), accountId: e.accountId)
            case .leader, .expert: break
            }
        case .accountRegistered(let e):
            state.putAccount(
                Account(
                    id: e.accountId, role: e.role, username: e.username, name: e.name, email: e.email,
                    idType: e.idType, idNumber: e.idNumber, unitId: e.unitId, registration: .pending, createdAt: e.at))
            state.setAccountId(role: e.role, username: e.username, accountId: e.accountId)
            state.setPersonalAccount(
                role: e.role, idNumber: IdentityNumber.normalized(e.idNumber), accountId: e.accountId, present: true)
        case .registrationResubmitted(let e):
            guard var account = state.account(e.accountId) else { return }
            if account.username != e.username {
                state.setAccountId(role: account.role, username: account.username, accountId: nil)
                state.setAccountId(role: account.role, username: e.username, accountId: account.id)
            }
            if let old = account.normalizedIdNumber, old != IdentityNumber.normalized(e.idNumber) {
                state.setPersonalAccount(role: account.role, idNumber: old, accountId: account.id, present: false)
                state.setPersonalAccount(
                    role: account.role, idNumber: IdentityNumber.normalized(e.idNumber), accountId: account.id,
                    present: true)
            }
            account.username = e.username
            account.email = e.email
            account.name = e.name
            account.idType = e.idType
            account.idNumber = e.idNumber
            account.unitId = e.unitId
            account.registration = .pending
            account.rejectionReason = nil
            state.putAccount(account)
        case .registrationReviewed(let e):
            guard var account = state.account(e.accountId) else { return }
            account.registration = e.decision == .approve ? .approved : .rejected
            account.rejectionReason = e.decision == .reject ? e.reason : nil
            state.putAccount(account)
        case .accountEnabledSet(let e):
            guard var account = state.account(e.accountId) else { return }
            account.enabled = e.enabled
            state.putAccount(account)
        case .profileCompleted(let e):
            guard var account = state.account(e.accountId) else { return }
            account.profile = e.profile
            state.putAccount(account)
        case .passwordChanged:
            break
        case .provinceCreated(let e):
            state.putProvince(Province(id: e.provinceId, name: e.name))
        case .unitCreated(let e):
            state.putUnit(Unit(id: e.unitId, name: e.name, provinceId: e.provinceId))
        case .projectRegistered(let e):
            state.putProject(e.project)
            state.setActiveProject(e.project.projectNo, active: e.project.status == .active)
        default:
            evolveProject(event, into: &state)
        }
    }

    /// Applies one event to an in-memory ``WorkflowState``: the same as ``evolve(_:into:)``, compiled
    /// for that one type inside this module, so that replays from other modules (rebuilds, states as
    /// of a moment) run the specialised code rather than the generic one.
    public static func evolve(_ event: DomainEvent, inMemory state: inout WorkflowState) {
        evolve(event, into: &state)
    }

    /// Applies one event to a value state.
    public static func evolve(_ state: WorkflowState, _ event: DomainEvent) -> WorkflowState {
        var next = state
        evolve(event, into: &next)
        return next
    }

    /// Applies events in order to a value state.
    public static func replay(_ events: [DomainEvent], from state: WorkflowState = WorkflowState()) -> WorkflowState {
        var next = state
        for event in events { evolve(event, into: &next) }
        return next
    }

    static func updateProject(
        _ projectNo: String, in state: inout some WorkflowStateWriter, _ body: (inout Project) -> Void
    ) {
        guard var project = state.project(projectNo) else { return }
        body(&project)
        state.putProject(project)
    }

    static func recordChange(
        _ requestId: String, _ change: FieldChange, in state: inout some WorkflowStateWriter
    ) {
        guard var request = state.changeRequest(requestId) else { return }
        request.changes.append(change)
        state.putChangeRequest(request)
    }

    static func evolveProject(_ event: DomainEvent, into state: inout some WorkflowStateWriter) {
        switch event {
        case .leaderIdNumberSet(let e):
            updateProject(e.projectNo, in: &state) {
                $0.leader.idType = e.idType
                $0.leader.idNumber = e.idNumber
            }
        case .projectEndDateExtended(let e):
            updateProject(e.projectNo, in: &state) {
                $0.plannedEndDate = e.to
                $0.extensionCount &+= 1
            }
            recordChange(
                e.requestId, FieldChange(field: "plannedEndDate", before: "\(e.from)", after: "\(e.to)"), in: &state)
        case .projectLeaderChanged(let e):
            updateProject(e.projectNo, in: &state) { $0.leader = e.to }
            recordChange(
                e.requestId,
                FieldChange(
                    field: "leader", before: "\(e.from.name) \(IdentityNumber.masked(e.from.idNumber))",
                    after: "\(e.to.name) \(IdentityNumber.masked(e.to.idNumber))"), in: &state)
        case .projectUnitChanged(let e):
            updateProject(e.projectNo, in: &state) { $0.unitId = e.to }
            recordChange(e.requestId, FieldChange(field: "unitId", before: e.from, after: e.to), in: &state)
        case .projectTitleChanged(let e):
            updateProject(e.projectNo, in: &state) { $0.title = e.to }
            recordChange(e.requestId, FieldChange(field: "title", before: e.from, after: e.to), in: &state)
        case .projectDeliverableFormChanged(let e):
            updateProject(e.projectNo, in: &state) { $0.deliverableForm = e.to }
            recordChange(
                e.requestId, FieldChange(field: "deliverableForm", before: e.from.rawValue, after: e.to.rawValue),
                in: &state)
        case .projectMembersChanged(let e):
            var before = ""
            var after = ""
            updateProject(e.projectNo, in: &state) { project in
                before = project.members.map(\.name).joined(separator: "、")
                let removed = Set(e.removed.map(IdentityNumber.normalized))
                project.members.removeAll { removed.contains(IdentityNumber.normalized($0.idNumber)) }
                project.members.append(contentsOf: e.added)
                after = project.members.map(\.name).joined(separator: "、")
            }
            recordChange(e.requestId, FieldChange(field: "members", before: before, after: after), in: &state)
        case .projectContentAdjusted(let e):
            updateProject(e.projectNo, in: &state) { $0.contentAdjustments.append(e.adjustment) }
            recordChange(
                e.adjustment.requestId,
                FieldChange(field: "content", before: e.adjustment.original, after: e.adjustment.adjusted), in: &state)
        case .projectTerminated(let e), .projectWithdrawn(let e):
            let status: ProjectStatus
            if case .projectTerminated = event { status = .terminated } else { status = .withdrawn }
            updateProject(e.projectNo, in: &state) { $0.status = status }
            state.setActiveProject(e.projectNo, active: false)
            recordChange(
                e.requestId, FieldChange(field: "status", before: "active", after: status.rawValue), in: &state)
        case .projectCompleted(let e):
            updateProject(e.projectNo, in: &state) {
                $0.status = .completed
                $0.grade = e.grade
                $0.certificateNo = e.certificateNo
                $0.closeoutUnderReview = false
            }
            state.setActiveProject(e.projectNo, active: false)
        case .projectBudgetAdjusted(let e):
            updateProject(e.projectNo, in: &state) { $0.budget = e.to }
        case .deadlineReminderSent(let e):
            updateProject(e.projectNo, in: &state) {
                $0.lastReminder = DeadlineReminder(plannedEndDate: e.plannedEndDate, daysBefore: e.daysBefore)
            }
        case .projectListedOverdue(let e):
            updateProject(e.projectNo, in: &state) { $0.overdueListedFor = e.plannedEndDate }
        case .attachmentAdded(let e):
            switch e.owner {
            case .closeout(let id):
                guard var closeout = state.closeout(id) else { return }
                closeout.attachments.append(e.attachment)
                if e.attachment.purpose == .revisionNotes { closeout.revisionNotesRequired = false }
                state.putCloseout(closeout)
            case .changeRequest(let id):
                guard var request = state.changeRequest(id) else { return }
                request.attachments.append(e.attachment)
                state.putChangeRequest(request)
            case .budgetAdjustment(let id):
                guard var adjustment = state.budgetAdjustment(id) else { return }
                adjustment.attachments.append(e.attachment)
                state.putBudgetAdjustment(adjustment)
            }
        default:
            evolveChangeRequest(event, into: &state)
        }
    }

    static func evolveChangeRequest(_ event: DomainEvent, into state: inout some WorkflowStateWriter) {
        switch event {
        case .changeRequestDrafted(let e):
            let request = ChangeRequest(
                id: e.requestId, projectNo: e.projectNo, details: e.details, reason: e.reason, createdBy: e.by,
                createdAt: e.at)
            state.putChangeRequest(request)
            state.setOpenChangeRequestId(projectNo: e.projectNo, kind: request.kind, requestId: e.requestId)
            state.addChangeRequestId(projectNo: e.projectNo, requestId: e.requestId)
        case .changeRequestEdited(let e):
            guard var request = state.changeRequest(e.requestId) else { return }
            request.details = e.details
            request.reason = e.reason
            state.putChangeRequest(request)
        case .changeRequestSubmitted(let e):
            guard var request = state.changeRequest(e.itemId) else { return }
            request.status = .pending
            request.awaiting = .unit
            request.submittedAt = e.at
            state.putChangeRequest(request)
        case .changeRequestRecalled(let e):
            guard var request = state.changeRequest(e.itemId) else { return }
            request.status = .draft
            request.awaiting = nil
            state.putChangeRequest(request)
        case .changeRequestCancelled(let e):
            guard var request = state.changeRequest(e.itemId) else { return }
            request.status = .cancelled
            request.awaiting = nil
            state.putChangeRequest(request)
            clearOpen(request, in: &state)
        case .changeRequestReviewed(let e):
            guard var request = state.changeRequest(e.itemId) else { return }
            request.decisions.append(e.record)
            if e.record.decision == .approve {
                request.awaiting = e.next
            } else {
                request.status = .returned
                request.awaiting = nil
            }
            state.putChangeRequest(request)
        case .changeRequestTookEffect(let e):
            guard var request = state.changeRequest(e.itemId) else { return }
            request.status = .effective
            request.awaiting = nil
            request.effectiveAt = e.at
            request.filed = e.filed
            state.putChangeRequest(request)
            clearOpen(request, in: &state)
            updateProject(e.projectNo, in: &state) { $0.effectiveChangeRequests.append(e.itemId) }
        case .changeRequestClosed(let e):
            guard var request = state.changeRequest(e.itemId) else { return }
            request.status = .closed
            request.awaiting = nil
            request.closedReason = e.reason
            state.putChangeRequest(request)
            clearOpen(request, in: &state)
        default:
            evolveCloseout(event, into: &state)
        }
    }

    static func clearOpen(_ request: ChangeRequest, in state: inout some WorkflowStateWriter) {
        if state.openChangeRequestId(projectNo: request.projectNo, kind: request.kind) == request.id {
            state.setOpenChangeRequestId(projectNo: request.projectNo, kind: request.kind, requestId: nil)
        }
    }

    static func setUnderReview(_ projectNo: String, _ flag: Bool, in state: inout some WorkflowStateWriter) {
        updateProject(projectNo, in: &state) { $0.closeoutUnderReview = flag }
    }

    static func evolveCloseout(_ event: DomainEvent, into state: inout some WorkflowStateWriter) {
        switch event {
        case .closeoutOpened(let e):
            state.putCloseout(Closeout(id: e.closeoutId, projectNo: e.projectNo, createdBy: e.by, createdAt: e.at))
            state.setOpenCloseoutId(projectNo: e.projectNo, closeoutId: e.closeoutId)
            state.addCloseoutId(projectNo: e.projectNo, closeoutId: e.closeoutId)
        case .closeoutSectionSaved(let e):
            guard var closeout = state.closeout(e.closeoutId) else { return }
            closeout.save(e.data)
            state.putCloseout(closeout)
        case .closeoutSubmitted(let e):
            guard var closeout = state.closeout(e.itemId) else { return }
            closeout.status = .pending
            closeout.awaiting = .unit
            closeout.submittedAt = e.at
            closeout.experts = []
            closeout.appraisals = []
            closeout.revisionNotesRequired = false
            state.putCloseout(closeout)
            setUnderReview(e.projectNo, true, in: &state)
        case .closeoutRecalled(let e):
            guard var closeout = state.closeout(e.itemId) else { return }
            closeout.status = .draft
            closeout.awaiting = nil
            state.putCloseout(closeout)
            setUnderReview(e.projectNo, false, in: &state)
        case .closeoutReviewed(let e):
            guard var closeout = state.closeout(e.itemId) else { return }
            closeout.decisions.append(e.record)
            if e.record.decision == .approve {
                closeout.awaiting = e.next
                closeout.status = e.next == .appraisal ? .appraisal : .pending
            } else {
                closeout.status = .returned
                closeout.awaiting = nil
                setUnderReview(e.projectNo, false, in: &state)
            }
            state.putCloseout(closeout)
        case .appraisalExpertsAssigned(let e):
            guard var closeout = state.closeout(e.closeoutId) else { return }
            closeout.experts = e.experts
            closeout.appraisals = []
            state.putCloseout(closeout)
        case .appraisalSubmitted(let e):
            guard var closeout = state.closeout(e.closeoutId) else { return }
            closeout.appraisals.append(e.appraisal)
            if closeout.appraisals.count >= closeout.experts.count {
                closeout.status = .pending
                closeout.awaiting = .national
            }
            state.putCloseout(closeout)
        case .closeoutConcluded(let e):
            guard var closeout = state.closeout(e.closeoutId) else { return }
            closeout.decisions.append(
                ReviewRecord(
                    level: .national, decision: e.outcome == .completed ? .approve : .return, opinion: e.opinion,
                    by: e.by, at: e.at))
            closeout.awaiting = nil
            closeout.approvedChangeRequests = e.approvedChangeRequests
            switch e.outcome {
            case .completed:
                closeout.status = .completed
                closeout.grade = e.grade
                closeout.certificateNo = e.certificateNo
                closeout.gradeOverrideReason = e.overrideReason
                state.setOpenCloseoutId(projectNo: e.projectNo, closeoutId: nil)
                if let certificateNo = e.certificateNo { state.setCertificate(certificateNo, closeoutId: e.closeoutId) }
            case .deferred:
                closeout.status = .deferred
                closeout.revisionNotesRequired = true
                setUnderReview(e.projectNo, false, in: &state)
            }
            state.putCloseout(closeout)
        case .closeoutClosed(let e):
            guard var closeout = state.closeout(e.itemId) else { return }
            closeout.status = .closed
            closeout.awaiting = nil
            closeout.closedReason = e.reason
            state.putCloseout(closeout)
            if state.openCloseoutId(projectNo: e.projectNo) == e.itemId {
                state.setOpenCloseoutId(projectNo: e.projectNo, closeoutId: nil)
            }
            setUnderReview(e.projectNo, false, in: &state)
        default:
            evolveBudgetAdjustment(event, into: &state)
        }
    }

    static func evolveBudgetAdjustment(_ event: DomainEvent, into state: inout some WorkflowStateWriter) {
        switch event {
        case .budgetAdjustmentDrafted(let e):
            state.putBudgetAdjustment(
                BudgetAdjustment(
                    id: e.adjustmentId, projectNo: e.projectNo, proposed: e.proposed, newTotal: e.newTotal,
                    reason: e.reason, createdBy: e.by, createdAt: e.at))
            state.setOpenBudgetAdjustmentId(projectNo: e.projectNo, adjustmentId: e.adjustmentId)
            state.addBudgetAdjustmentId(projectNo: e.projectNo, adjustmentId: e.adjustmentId)
        case .budgetAdjustmentEdited(let e):
            guard var adjustment = state.budgetAdjustment(e.adjustmentId) else { return }
            adjustment.proposed = e.proposed
            adjustment.newTotal = e.newTotal
            adjustment.reason = e.reason
            state.putBudgetAdjustment(adjustment)
        case .budgetAdjustmentSubmitted(let e):
            guard var adjustment = state.budgetAdjustment(e.adjustmentId) else { return }
            adjustment.status = .pending
            adjustment.awaiting = .unit
            adjustment.needsNational = e.needsNational
            adjustment.submittedAt = e.at
            state.putBudgetAdjustment(adjustment)
        case .budgetAdjustmentRecalled(let e):
            guard var adjustment = state.budgetAdjustment(e.itemId) else { return }
            adjustment.status = .draft
            adjustment.awaiting = nil
            state.putBudgetAdjustment(adjustment)
        case .budgetAdjustmentCancelled(let e):
            guard var adjustment = state.budgetAdjustment(e.itemId) else { return }
            adjustment.status = .cancelled
            adjustment.awaiting = nil
            state.putBudgetAdjustment(adjustment)
            clearOpenAdjustment(adjustment, in: &state)
        case .budgetAdjustmentReviewed(let e):
            guard var adjustment = state.budgetAdjustment(e.itemId) else { return }
            adjustment.decisions.append(e.record)
            if e.record.decision == .approve {
                adjustment.awaiting = e.next
            } else {
                adjustment.status = .returned
                adjustment.awaiting = nil
            }
            state.putBudgetAdjustment(adjustment)
        case .budgetAdjustmentTookEffect(let e):
            guard var adjustment = state.budgetAdjustment(e.itemId) else { return }
            adjustment.status = .effective
            adjustment.awaiting = nil
            adjustment.effectiveAt = e.at
            adjustment.filed = e.filed
            state.putBudgetAdjustment(adjustment)
            clearOpenAdjustment(adjustment, in: &state)
        case .budgetAdjustmentClosed(let e):
            guard var adjustment = state.budgetAdjustment(e.itemId) else { return }
            adjustment.status = .closed
            adjustment.awaiting = nil
            adjustment.closedReason = e.reason
            state.putBudgetAdjustment(adjustment)
            clearOpenAdjustment(adjustment, in: &state)
        default:
            break
        }
    }

    static func clearOpenAdjustment(_ adjustment: BudgetAdjustment, in state: inout some WorkflowStateWriter) {
        if state.openBudgetAdjustmentId(projectNo: adjustment.projectNo) == adjustment.id {
            state.setOpenBudgetAdjustmentId(projectNo: adjustment.projectNo, adjustmentId: nil)
        }
    }

    /// Applies a credential change to the credentials kept behind the writer protocol.
    public static func apply(_ change: CredentialChange, to state: inout some WorkflowStateWriter) {
        switch change {
        case .setPassword(let accountId, let hash):
            state.putCredential(Credential(accountId: accountId, passwordHash: hash))
        case .storeResetToken(let record):
            state.putResetToken(record)
        case .consumeResetToken(let digest):
            guard var record = state.resetToken(digest: digest) else { return }
            record.used = true
            state.putResetToken(record)
        case .recordFailedLogin(let accountId, let failedAttempts, let lockedUntil):
            guard var credential = state.credential(accountId) else { return }
            credential.failedAttempts = failedAttempts
            credential.lockedUntil = lockedUntil
            state.putCredential(credential)
        case .resetLoginAttempts(let accountId):
            guard var credential = state.credential(accountId) else { return }
            credential.failedAttempts = 0
            credential.lockedUntil = nil
            state.putCredential(credential)
        }
    }
}
