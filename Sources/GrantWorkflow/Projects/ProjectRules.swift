/// The rules of projects (docs/rules.md §2 with R-PRJ-5, R-CHG-8, R-NTF-2).
extension Decider {
    mutating func registerProject(_ input: RegisterProject) throws(WorkflowError) {
        let admin = try actor(.nationalOffice)
        guard state.project(input.projectNo) == nil else {
            // R-PRJ-4: a project is never registered over; its attributes change only with their history.
            throw WorkflowError(
                .duplicateId, rule: "R-PRJ-4", field: "projectNo", "project \(input.projectNo) already exists")
        }
        guard state.unit(input.unitId) != nil else {
            throw WorkflowError(.unknownUnit, field: "unitId", "unit \(input.unitId) does not exist")
        }
        try requireValidIdNumber(input.leader.idNumber, type: input.leader.idType, field: "leader.idNumber")
        for (index, member) in input.members.enumerated() {
            try requireValidIdNumber(member.idNumber, type: member.idType, field: "members[\(index)].idNumber")
        }
        try validateBudget(input.budget, field: "budget.", rule: "R-BUD-2")
        let project = Project(
            projectNo: input.projectNo, title: input.title, category: input.category, discipline: input.discipline,
            unitId: input.unitId, leader: input.leader, members: input.members, approvedOn: input.approvedOn,
            plannedEndDate: input.plannedEndDate, deliverableForm: input.deliverableForm, budget: input.budget)
        decision.append(.projectRegistered(ProjectRegistered(project: project, by: admin.id, at: time)))
    }

    /// R-BUD-2: no negative amount; each allocation's categories sum to its amount; allocations ≤ direct sum.
    func validateBudget(_ budget: Budget, field: String, rule: String) throws(WorkflowError) {
        for (category, amount) in budget.direct where amount < 0 {
            throw WorkflowError(
                .invalidAmount, rule: rule, field: "\(field)direct.\(category)", "金额不能为负 (negative amount)")
        }
        guard budget.indirect >= 0 else {
            throw WorkflowError(.invalidAmount, rule: rule, field: "\(field)indirect", "金额不能为负 (negative amount)")
        }
        var partners: Set<String> = []
        for (index, allocation) in budget.external.enumerated() {
            let path = "\(field)external[\(index)]"
            // One allocation per partner: a second one would hide a partner's total, and R-BUD-3
            // tells a new partner from a known one by its credit code.
            guard partners.insert(allocation.creditCode).inserted else {
                throw WorkflowError.invalidInput(
                    path + ".creditCode", "外拨单位重复 (the partner \(allocation.creditCode) is listed twice)", rule: rule)
            }
            guard allocation.amount >= 0, allocation.byCategory.values.allSatisfy({ $0 >= 0 }) else {
                throw WorkflowError(.invalidAmount, rule: rule, field: path, "金额不能为负 (negative amount)")
            }
            guard allocation.byCategory.values.reduce(0, &+) == allocation.amount else {
                throw WorkflowError(
                    .budgetMismatch, rule: rule, field: path + ".byCategory",
                    "外拨经费分项之和与外拨金额不符 (byCategory does not sum to amount)")
            }
            // An allocation is a share of the direct costs: only their categories.
            for category in allocation.byCategory.keys.sorted() where budget.direct[category] == nil {
                throw WorkflowError(
                    .budgetMismatch, rule: rule, field: "\(path).byCategory.\(InputText.shownKey(category))",
                    "外拨经费分项须为直接费用的科目 (not a direct category of the budget)")
            }
        }
        guard budget.externalTotal <= budget.directTotal else {
            throw WorkflowError(
                .budgetMismatch, rule: rule, field: "\(field)external",
                "外拨经费合计超过直接费用 (external allocations exceed the direct costs)")
        }
        // Nor more of a category than the budget has for it, all allocations together.
        var allocated: [String: Fen] = [:]
        for allocation in budget.external {
            for (category, amount) in allocation.byCategory { allocated[category, default: 0] &+= amount }
        }
        for category in allocated.keys.sorted() where allocated[category]! > budget.direct[category] ?? 0 {
            throw WorkflowError(
                .budgetMismatch, rule: rule, field: "\(field)external",
                "外拨经费中\(InputText.shownKey(category))合计超过该科目预算 (the allocations of "
                    + "\(InputText.shownKey(category)) exceed its direct amount)")
        }
    }

    mutating func setLeaderIdNumber(projectNo: String, idType: IdType, idNumber: String) throws(WorkflowError) {
        let admin = try actor()
        guard admin.role == .unitAdmin else {
            throw WorkflowError.forbidden(
                "only the unit admin of the project's unit sets the leader ID", rule: "R-PRJ-2")
        }
        guard let project = state.project(projectNo), admin.unitId == project.unitId else {
            throw unseen("project", projectNo, field: "projectNo", rule: "R-PRJ-2", by: admin)
        }
        try requireValidIdNumber(idNumber, type: idType, field: "idNumber")
        guard leaderAccountIds(of: project).isEmpty else {
            throw WorkflowError.invalidState(
                "the project's leader already has an approved account: a new leader comes only through changeLeader",
                rule: "R-PRJ-2")
        }
        decision.append(
            .leaderIdNumberSet(
                LeaderIdNumberSet(
                    projectNo: projectNo, idType: idType, idNumber: idNumber, previousIdType: project.leader.idType,
                    previousIdNumber: project.leader.idNumber, by: admin.id, at: time)))
    }

    /// R-CHG-8: closes every other open change request, budget adjustment and closeout of a project leaving `active`.
    mutating func closeOpenItems(
        of project: Project, reason: ProjectStatus, exceptRequest: String? = nil, exceptCloseout: String? = nil
    ) {
        let parameters = ["projectNo": project.projectNo, "reason": reason.rawValue]
        for request in state.changeRequests(ofProject: project.projectNo)
        where request.status.isOpen && request.id != exceptRequest {
            decision.append(
                .changeRequestClosed(
                    ItemClosed(itemId: request.id, projectNo: project.projectNo, reason: reason.rawValue, at: time)))
            notifyLeaders(
                project, NotificationTemplate.itemClosed,
                parameters.merging(["itemKind": "changeRequest", "itemId": request.id]) { $1 }, channels: [.inbox])
        }
        for adjustment in state.budgetAdjustments(ofProject: project.projectNo) where adjustment.status.isOpen {
            decision.append(
                .budgetAdjustmentClosed(
                    ItemClosed(itemId: adjustment.id, projectNo: project.projectNo, reason: reason.rawValue, at: time)))
            notifyLeaders(
                project, NotificationTemplate.itemClosed,
                parameters.merging(["itemKind": "budgetAdjustment", "itemId": adjustment.id]) { $1 },
                channels: [.inbox])
        }
        if let closeout = state.openCloseout(projectNo: project.projectNo), closeout.id != exceptCloseout {
            decision.append(
                .closeoutClosed(
                    ItemClosed(itemId: closeout.id, projectNo: project.projectNo, reason: reason.rawValue, at: time)))
            notifyLeaders(
                project, NotificationTemplate.itemClosed,
                parameters.merging(["itemKind": "closeout", "itemId": closeout.id]) { $1 }, channels: [.inbox])
        }
    }

    /// R-PRJ-5 (rev. 2): the national office ends a project itself (终止 or 撤项, as in the yearly clean-up);
    /// open items close as in R-CHG-8; the leader and the unit hear of it.
    mutating func endProject(projectNo: String, outcome: ProjectEndOutcome, reason: String) throws(WorkflowError) {
        let admin = try actor(.nationalOffice, rule: "R-PRJ-5")
        guard let project = state.project(projectNo) else { throw WorkflowError.notFound("project", projectNo) }
        guard project.status == .active else {
            throw WorkflowError(
                .projectNotActive, rule: "R-PRJ-5", "项目不是在研状态 (project is \(project.status.rawValue))")
        }
        guard !reason.allSatisfy(\.isWhitespace) else {
            throw WorkflowError.invalidInput("reason", "须说明理由 (a reason is required)", rule: "R-PRJ-5")
        }
        decision.append(
            .projectEndedByOffice(
                ProjectEndedByOffice(projectNo: projectNo, outcome: outcome, reason: reason, by: admin.id, at: time)))
        closeOpenItems(of: project, reason: outcome.status)
        let parameters = ["projectNo": projectNo, "outcome": outcome.rawValue, "reason": reason]
        notifyLeaders(project, NotificationTemplate.projectEnded, parameters, channels: [.sms, .email])
        notifyAdmins(.unit(project.unitId), NotificationTemplate.projectEnded, parameters)
    }

    /// R-NTF-2: reminders before the end date and the overdue list, each sent once.
    mutating func runDeadlineSweep() throws(WorkflowError) {
        _ = try actor(.nationalOffice, rule: "R-NTF-2")
        let thresholds = policy.reminderDays.filter { $0 > 0 }.sorted()
        var projects: [Project] = []
        state.forEachActiveProject { projects.append($0) }
        for project in projects {
            let end = project.plannedEndDate
            if today <= end, let days = thresholds.first(where: { today >= end.adding(days: -$0) }) {
                let alreadySent =
                    project.lastReminder.map { $0.plannedEndDate == end && $0.daysBefore <= days } ?? false
                if !alreadySent {
                    decision.append(
                        .deadlineReminderSent(
                            DeadlineReminderSent(
                                projectNo: project.projectNo, plannedEndDate: end, daysBefore: days, at: time)
                        ))
                    notifyLeaders(
                        project, NotificationTemplate.deadlineReminder,
                        ["projectNo": project.projectNo, "plannedEndDate": end.description, "daysBefore": String(days)])
                }
            }
            if project.isOverdue(on: today), project.overdueListedFor != end {
                decision.append(
                    .projectListedOverdue(
                        ProjectListedOverdue(projectNo: project.projectNo, plannedEndDate: end, at: time)))
                notifyAdmins(
                    .unit(project.unitId), NotificationTemplate.projectOverdue,
                    ["projectNo": project.projectNo, "plannedEndDate": end.description])
            }
        }
    }
}
