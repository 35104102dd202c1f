/// The rules of change requests (docs/rules.md §3: R-CHG-1 … R-CHG-11).
extension Decider {
    /// The request, its project, and the actor, who must be the project's leader (R-CHG-4; `ownerRule`
    /// R-ATT-2 for attachments).
    func leaderRequest(
        _ requestId: String, ownerRule: String = "R-CHG-4"
    ) throws(WorkflowError) -> (ChangeRequest, Project, Account) {
        let account = try actor()
        let (request, project) = try ledItem(
            state.changeRequest(requestId), projectNo: \.projectNo, what: "change request", id: requestId,
            field: "requestId", by: account, rule: ownerRule, party: { account.isParty(to: $0, in: state) })
        try requireAcceptsChanges(project, rule: "R-CHG-4")
        return (request, project, account)
    }

    /// Content rules of the details; `submittedOn`, the day of the request's first submission, adds the
    /// timing rule of R-CHG-9 (rev. 2: a request returned and resubmitted keeps its first day).
    func validate(
        _ details: ChangeDetails, for project: Project, submittedOn: CalendarDate? = nil
    )
        throws(WorkflowError)
    {
        switch details {
        case .extension(let newEndDate, _, _):
            guard newEndDate > project.plannedEndDate else {
                throw WorkflowError(
                    .extensionNotLater, rule: "R-CHG-9", field: "details.newEndDate",
                    "延期后的日期须晚于当前计划完成日期 \(project.plannedEndDate) (must be after the current end date)")
            }
            guard project.extensionCount < policy.maximumExtensions else {
                throw WorkflowError(
                    .extensionLimitReached, rule: "R-CHG-9",
                    "项目已延期\(project.extensionCount)次，不能再延期 (at most \(policy.maximumExtensions) extensions)")
            }
            guard newEndDate <= project.plannedEndDate.adding(months: policy.maximumExtensionMonths) else {
                throw WorkflowError(
                    .exceedsMaximumPeriod, rule: "R-CHG-9", field: "details.newEndDate",
                    "每次延期不超过\(policy.maximumExtensionMonths)个月 (at most \(policy.maximumExtensionMonths) months)")
            }
            if policy.cappedCategories.contains(project.category) {
                let cap = project.approvedOn.adding(years: policy.maximumProjectYears)
                guard newEndDate <= cap else {
                    throw WorkflowError(
                        .exceedsMaximumPeriod, rule: "R-CHG-9", field: "details.newEndDate",
                        "研究期限自立项起不超过\(policy.maximumProjectYears)年 (never past \(cap))")
                }
            }
            if let submittedOn {
                let cutoff = project.plannedEndDate.adding(days: -policy.extensionNoticeDays)
                guard submittedOn <= cutoff else {
                    throw WorkflowError(
                        .extensionTooLate, rule: "R-CHG-9",
                        "延期申请须在计划完成日期前\(policy.extensionNoticeDays)天提交 (submit by \(cutoff))")
                }
            }
        case .changeLeader(let newLeader):
            guard !PersonalData.isErased(newLeader.idNumber) else {
                // The named person's data was erased while the request waited (R-LOG-6).
                throw WorkflowError.invalidState(
                    "the new leader's personal data was erased: this request cannot take effect; return or reject it",
                    rule: "R-CHG-7")
            }
            try requireValidIdNumber(newLeader.idNumber, type: newLeader.idType, field: "details.newLeader.idNumber")
            guard IdentityNumber.normalized(newLeader.idNumber) != IdentityNumber.normalized(project.leader.idNumber)
            else {
                throw WorkflowError.invalidInput(
                    "details.newLeader.idNumber", "is the current leader: the request would change nothing",
                    rule: "R-CHG-7")
            }
            if policy.oneActiveProjectPerLeader {
                // The leader index, not a visit of every active project (R-CHG-11).
                let leadsAnother = state.projectNumbers(ledBy: newLeader.idType, idNumber: newLeader.idNumber).contains
                {
                    $0 != project.projectNo && state.project($0)?.status == .active
                }
                if leadsAnother {
                    throw WorkflowError(
                        .leaderLimitExceeded, rule: "R-CHG-11", field: "details.newLeader.idNumber",
                        // Not which project: the leader asking may not see it (R-ACC-11).
                        "新负责人正在主持其他在研项目，不能再担任负责人 (the new leader already leads an active project)")
                }
            }
        case .changeUnit(let newUnitId):
            guard state.unit(newUnitId) != nil else {
                throw WorkflowError(.unknownUnit, field: "details.newUnitId", "unit \(newUnitId) does not exist")
            }
            guard newUnitId != project.unitId else {
                throw WorkflowError.invalidInput(
                    "details.newUnitId", "is the current unit: the request would change nothing", rule: "R-CHG-7")
            }
        case .changeDeliverableForm(let newForm):
            guard newForm != project.deliverableForm else {
                throw WorkflowError.invalidInput(
                    "details.newForm", "is the current form: the request would change nothing", rule: "R-CHG-7")
            }
        case .changeTitle(let newTitle):
            guard newTitle != project.title else {
                throw WorkflowError.invalidInput(
                    "details.newTitle", "is the current title: the request would change nothing", rule: "R-CHG-7")
            }
        case .changeMembers(let add, let remove):
            let current = Set(project.members.map { IdentityNumber.normalized($0.idNumber) })
            for (index, idNumber) in remove.enumerated() where !current.contains(IdentityNumber.normalized(idNumber)) {
                throw WorkflowError.invalidInput("details.remove[\(index)]", "is not a member of the project")
            }
            let removed = Set(remove.map(IdentityNumber.normalized))
            let leader = IdentityNumber.normalized(project.leader.idNumber)
            var added: Set<String> = []
            for (index, member) in add.enumerated() {
                let field = "details.add[\(index)].idNumber"
                try requireValidIdNumber(member.idNumber, type: member.idType, field: field)
                let number = IdentityNumber.normalized(member.idNumber)
                if current.contains(number) && !removed.contains(number) {
                    throw WorkflowError.invalidInput(field, "is already a member", rule: "R-CHG-11")
                }
                guard number != leader else {
                    throw WorkflowError.invalidInput(
                        field, "项目负责人不能同时为课题组成员 (the leader cannot be a member)", rule: "R-CHG-11")
                }
                guard added.insert(number).inserted else {
                    throw WorkflowError.invalidInput(
                        field, "同一证件号码只能出现一次 (the ID number appears twice)", rule: "R-CHG-11")
                }
            }
        case .majorContentAdjustment:
            break
        case .selfTermination(_, let amount), .withdrawal(_, let amount):
            guard amount >= 0 else {
                throw WorkflowError(
                    .invalidAmount,
                    field: details.kind == .selfTermination ? "details.fundsUsed" : "details.fundsReceived",
                    "金额不能为负 (negative amount)")
            }
        }
    }

    mutating func draftChangeRequest(
        requestId: String?, projectNo: String, details: ChangeDetails, reason: String
    ) throws(WorkflowError) {
        let account = try actor()
        let project = try ledProject(projectNo, by: account, rule: "R-CHG-4")
        try requireAcceptsChanges(project, rule: "R-CHG-4")
        let id = try newId(requestId, field: "requestId")
        guard state.changeRequest(id) == nil else {
            throw WorkflowError(.duplicateId, field: "requestId", "change request \(id) already exists")
        }
        if let open = state.openChangeRequestId(projectNo: projectNo, kind: details.kind) {
            throw WorkflowError(
                .duplicatePendingChange, rule: "R-CHG-3",
                "该项目已有未完成的\(details.kind.label(.zh))申请 \(open) (an open request of this kind exists)")
        }
        try validate(details, for: project)
        decision.append(
            .changeRequestDrafted(
                ChangeRequestContent(
                    requestId: id, projectNo: projectNo, details: details, reason: reason, by: account.id, at: time)))
        decision.result["requestId"] = id
    }

    mutating func editChangeRequest(requestId: String, details: ChangeDetails, reason: String) throws(WorkflowError) {
        let (request, project, account) = try leaderRequest(requestId)
        guard request.status.isEditable else {
            throw WorkflowError.invalidState(
                "only a draft or returned request can be edited (it is \(request.status.rawValue))")
        }
        guard details.kind == request.kind else {
            throw WorkflowError.invalidInput(
                "details", "a request keeps its kind \(request.kind.rawValue); draft a new one for another kind",
                rule: "R-CHG-1")
        }
        try validate(details, for: project)
        decision.append(
            .changeRequestEdited(
                ChangeRequestContent(
                    requestId: requestId, projectNo: project.projectNo, details: details, reason: reason,
                    by: account.id,
                    at: time)))
    }

    mutating func submitChangeRequest(requestId: String) throws(WorkflowError) {
        let (request, project, account) = try leaderRequest(requestId)
        guard request.status.isEditable else {
            throw WorkflowError.invalidState(
                "only a draft or returned request can be submitted (it is \(request.status.rawValue))")
        }
        try validate(request.details, for: project, submittedOn: request.firstSubmittedAt?.chinaDate ?? today)
        decision.append(
            .changeRequestSubmitted(ItemStep(itemId: requestId, projectNo: project.projectNo, by: account.id, at: time))
        )
        notifyReviewers(.unit, project: project, itemKind: "changeRequest", itemId: requestId)
    }

    mutating func recallChangeRequest(requestId: String) throws(WorkflowError) {
        let (request, project, account) = try leaderRequest(requestId)
        guard request.status == .pending, request.awaiting == .unit else {
            throw WorkflowError.invalidState("a request can be recalled only until its first reviewer has acted")
        }
        decision.append(
            .changeRequestRecalled(ItemStep(itemId: requestId, projectNo: project.projectNo, by: account.id, at: time)))
    }

    mutating func cancelChangeRequest(requestId: String) throws(WorkflowError) {
        let (request, project, account) = try leaderRequest(requestId)
        guard request.status.isEditable else {
            throw WorkflowError.invalidState(
                "only a draft or returned request can be cancelled (it is \(request.status.rawValue))")
        }
        decision.append(
            .changeRequestCancelled(ItemStep(itemId: requestId, projectNo: project.projectNo, by: account.id, at: time))
        )
    }

    mutating func reviewChangeRequest(
        requestId: String, decision review: ReviewDecision, opinion: String
    ) throws(WorkflowError) {
        let admin = try actor()
        // The admin of the receiving unit of a change of unit reads the request (R-CHG-6, rev. 2).
        let (request, project) = try reviewedItem(
            state.changeRequest(requestId), projectNo: \.projectNo, what: "change request", id: requestId,
            field: "requestId", by: admin, roleRefusal: "only reviewers decide on requests",
            rule: admin.role == .leader ? "R-CHG-5" : "R-ACC-1", scopeRule: "R-CHG-5",
            party: { admin.isParty(to: $0, in: state) })
        guard request.status == .pending else {
            throw WorkflowError.invalidState(
                "the request is not pending (it is \(request.status.rawValue))",
                rule: request.status == .closed ? "R-CHG-8" : request.filed ? "R-CHG-6" : "R-CHG-5")
        }
        let level: ReviewLevel
        if request.awaiting == .receivingUnit, case .changeUnit(let newUnitId) = request.details {
            guard admin.role == .unitAdmin, admin.unitId == newUnitId else {
                throw WorkflowError.invalidState(
                    "the request awaits the receiving unit \(newUnitId) (待接收单位审核)", rule: "R-CHG-6")
            }
            level = .receivingUnit
        } else {
            level = try reviewLevel(of: admin, project: project, awaiting: request.awaiting)
        }
        if review != .approve, opinion.allSatisfy(\.isWhitespace) {
            throw WorkflowError.invalidInput("opinion", "is required when not approving")
        }
        let record = ReviewRecord(level: level, decision: review, opinion: opinion, by: admin.id, at: time)
        let final = policy.finalLevel(for: request.kind)
        guard review == .approve else {
            decision.append(
                .changeRequestReviewed(
                    ItemReviewed(itemId: requestId, projectNo: project.projectNo, record: record, next: nil)))
            notifyDecided(
                project: project, itemKind: "changeRequest", itemId: requestId, decision: review.rawValue,
                level: level.rawValue, opinion: opinion)
            return
        }
        // R-CHG-6 (rev. 2): a change of unit goes from the current unit to the receiving unit, then up.
        var receivingUnit: String?
        if case .changeUnit(let newUnitId) = request.details { receivingUnit = newUnitId }
        let next: ReviewLevel? = receivingUnit != nil && level == .unit ? .receivingUnit : level.next
        if level < final || next == .receivingUnit, let next {
            decision.append(
                .changeRequestReviewed(
                    ItemReviewed(itemId: requestId, projectNo: project.projectNo, record: record, next: Awaiting(next)))
            )
            notifyReviewers(
                Awaiting(next), project: project, itemKind: "changeRequest", itemId: requestId,
                receivingUnit: receivingUnit)
            return
        }
        // A store written before closeouts waited for pending items (R-CLO-2) may hold one under review:
        // nothing but the end of the project takes effect under it.
        guard !project.closeoutUnderReview || request.kind == .selfTermination || request.kind == .withdrawal else {
            throw WorkflowError.invalidState(
                "项目结项审核中，变更不能生效 (a closeout is under review: the change cannot take effect before it "
                    + "is concluded; return or reject the request)",
                rule: "R-CLO-5")
        }
        try validate(request.details, for: project)
        let filed = level < .national && policy.filedKinds.contains(request.kind)
        decision.append(
            .changeRequestReviewed(
                ItemReviewed(itemId: requestId, projectNo: project.projectNo, record: record, next: nil)))
        decision.append(
            .changeRequestTookEffect(
                ItemTookEffect(itemId: requestId, projectNo: project.projectNo, filed: filed, at: time)))
        applyEffect(of: request, to: project)
        notifyDecided(
            project: project, itemKind: "changeRequest", itemId: requestId, decision: "effective",
            level: level.rawValue,
            opinion: opinion)
        if filed {
            let parameters = [
                "itemKind": "changeRequest", "itemId": requestId, "projectNo": project.projectNo,
                "kind": request.kind.rawValue,
            ]
            notifyAdmins(scope(.province, of: project), NotificationTemplate.filingRecord, parameters)
            notifyAdmins(.national, NotificationTemplate.filingRecord, parameters)
        }
    }

    /// R-CHG-7: the project events of an effective request, in the same append; R-CHG-8 when it ends the project.
    mutating func applyEffect(of request: ChangeRequest, to project: Project) {
        let no = project.projectNo
        switch request.details {
        case .extension(let newEndDate, _, _):
            decision.append(
                .projectEndDateExtended(
                    ProjectEndDateExtended(
                        projectNo: no, requestId: request.id, from: project.plannedEndDate, to: newEndDate)))
        case .changeLeader(let newLeader):
            decision.append(
                .projectLeaderChanged(
                    ProjectLeaderChanged(projectNo: no, requestId: request.id, from: project.leader, to: newLeader)))
            // R-CHG-11: the leader is never a member. A member who takes over leaves the member list in
            // the same append (an event of its own, so stores written before read as they did).
            let newNumber = IdentityNumber.normalized(newLeader.idNumber)
            let leaving = project.members.filter { IdentityNumber.normalized($0.idNumber) == newNumber }
            if !leaving.isEmpty {
                decision.append(
                    .projectMembersChanged(
                        ProjectMembersChanged(
                            projectNo: no, requestId: request.id, added: [], removed: leaving.map(\.idNumber))))
            }
        case .changeUnit(let newUnitId):
            decision.append(
                .projectUnitChanged(
                    ProjectTextChanged(projectNo: no, requestId: request.id, from: project.unitId, to: newUnitId)))
            handOver(project, to: newUnitId, except: request.id)
        case .changeDeliverableForm(let newForm):
            decision.append(
                .projectDeliverableFormChanged(
                    ProjectDeliverableFormChanged(
                        projectNo: no, requestId: request.id, from: project.deliverableForm, to: newForm)))
        case .changeTitle(let newTitle):
            decision.append(
                .projectTitleChanged(
                    ProjectTextChanged(projectNo: no, requestId: request.id, from: project.title, to: newTitle)))
        case .changeMembers(let add, let remove):
            decision.append(
                .projectMembersChanged(
                    ProjectMembersChanged(projectNo: no, requestId: request.id, added: add, removed: remove)))
        case .majorContentAdjustment(let original, let adjusted, let impact):
            decision.append(
                .projectContentAdjusted(
                    ProjectContentAdjusted(
                        projectNo: no,
                        adjustment: ContentAdjustment(
                            requestId: request.id, original: original, adjusted: adjusted, impact: impact))))
        case .selfTermination(let reason, let fundsUsed):
            decision.append(
                .projectTerminated(
                    ProjectEnded(projectNo: no, requestId: request.id, reason: reason, amount: fundsUsed)))
            closeOpenItems(of: project, reason: .terminated, exceptRequest: request.id)
        case .withdrawal(let reason, let fundsReceived):
            decision.append(
                .projectWithdrawn(
                    ProjectEnded(projectNo: no, requestId: request.id, reason: reason, amount: fundsReceived)))
            closeOpenItems(of: project, reason: .withdrawn, exceptRequest: request.id)
        }
    }

    /// R-CHG-8 (rev. 2): when a change of unit takes effect, every item awaiting the old unit (or the old
    /// province) now awaits the new one, whose admins hear of it. Review follows the project's unit, so the
    /// move itself is the `ProjectUnitChanged` event; this sends the notices.
    mutating func handOver(_ project: Project, to newUnitId: String, except requestId: String) {
        var moved = project
        moved.unitId = newUnitId
        let provinceChanged = state.unit(newUnitId)?.provinceId != state.unit(project.unitId)?.provinceId
        func handed(_ awaiting: Awaiting?) -> Awaiting? {
            guard let awaiting else { return nil }
            if awaiting == .unit || (awaiting == .province && provinceChanged) { return awaiting }
            return nil
        }
        var items: [(kind: String, id: String, awaiting: Awaiting)] = []
        for other in state.changeRequests(ofProject: project.projectNo)
        where other.id != requestId && other.status == .pending {
            if let awaiting = handed(other.awaiting) { items.append(("changeRequest", other.id, awaiting)) }
        }
        for adjustment in state.budgetAdjustments(ofProject: project.projectNo) where adjustment.status == .pending {
            if let awaiting = handed(adjustment.awaiting) {
                items.append(("budgetAdjustment", adjustment.id, awaiting))
            }
        }
        if let closeout = state.openCloseout(projectNo: project.projectNo), closeout.status == .pending,
            let awaiting = handed(closeout.awaiting)
        {
            items.append(("closeout", closeout.id, awaiting))
        }
        for item in items {
            notifyReviewers(item.awaiting, project: moved, itemKind: item.kind, itemId: item.id)
        }
    }
}
