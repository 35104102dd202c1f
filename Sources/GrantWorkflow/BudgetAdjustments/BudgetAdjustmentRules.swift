/// The rules of budget adjustments (docs/rules.md §6: R-BUD-1 … R-BUD-4).
extension Decider {
    /// The adjustment, its project (active, R-BUD-4), and the actor, who must be the project's leader.
    func leaderAdjustment(
        _ adjustmentId: String, ownerRule: String = "R-BUD-4"
    ) throws(WorkflowError) -> (BudgetAdjustment, Project, Account) {
        let account = try actor()
        let (adjustment, project) = try ledItem(
            state.budgetAdjustment(adjustmentId), projectNo: \.projectNo, what: "budget adjustment",
            id: adjustmentId, field: "adjustmentId", by: account, rule: ownerRule)
        try requireAcceptsChanges(project, rule: "R-BUD-4")
        return (adjustment, project, account)
    }

    func requireSameIndirect(_ indirect: Fen, project: Project) throws(WorkflowError) {
        guard indirect == project.budget.indirect else {
            throw WorkflowError(
                .indirectCostNotAdjustable, rule: "R-BUD-1", field: "indirect",
                "间接费用不能调整 (the indirect amount must stay \(project.budget.indirect) fen)")
        }
    }

    mutating func draftBudgetAdjustment(_ input: BudgetAdjustmentInput) throws(WorkflowError) {
        let account = try actor()
        let project = try ledProject(input.projectNo, by: account, rule: "R-BUD-4")
        try requireAcceptsChanges(project, rule: "R-BUD-4")
        let id = try newId(input.adjustmentId, field: "adjustmentId")
        guard state.budgetAdjustment(id) == nil else {
            throw WorkflowError(.duplicateId, field: "adjustmentId", "budget adjustment \(id) already exists")
        }
        if let open = state.openBudgetAdjustmentId(projectNo: input.projectNo) {
            throw WorkflowError(
                .duplicatePendingChange, rule: "R-BUD-4", "该项目已有未完成的预算调整 \(open) (an open adjustment exists)")
        }
        try requireSameIndirect(input.indirect, project: project)
        decision.append(
            .budgetAdjustmentDrafted(
                BudgetAdjustmentContent(
                    adjustmentId: id, projectNo: input.projectNo, proposed: input.budget, newTotal: input.newTotal,
                    reason: input.reason, by: account.id, at: time)))
        decision.result["adjustmentId"] = id
    }

    mutating func editBudgetAdjustment(_ input: BudgetAdjustmentInput) throws(WorkflowError) {
        let (adjustment, project, account) = try leaderAdjustment(input.adjustmentId ?? "")
        guard input.projectNo == adjustment.projectNo else {
            throw WorkflowError.invalidInput("projectNo", "the adjustment belongs to \(adjustment.projectNo)")
        }
        guard adjustment.status.isEditable else {
            throw WorkflowError.invalidState(
                "only a draft or returned adjustment can be edited (it is \(adjustment.status.rawValue))",
                rule: "R-BUD-4")
        }
        try requireSameIndirect(input.indirect, project: project)
        decision.append(
            .budgetAdjustmentEdited(
                BudgetAdjustmentContent(
                    adjustmentId: adjustment.id, projectNo: project.projectNo, proposed: input.budget,
                    newTotal: input.newTotal, reason: input.reason, by: account.id, at: time)))
    }

    /// Whether an adjustment needs national approval (R-BUD-3): a new total, or a new external partner.
    static func needsNational(_ adjustment: BudgetAdjustment, current: Budget) -> Bool {
        if adjustment.proposed.total != current.total { return true }
        let partners = Set(current.external.map(\.creditCode))
        return adjustment.proposed.external.contains { !partners.contains($0.creditCode) }
    }

    mutating func submitBudgetAdjustment(adjustmentId: String) throws(WorkflowError) {
        let (adjustment, project, account) = try leaderAdjustment(adjustmentId)
        guard adjustment.status.isEditable else {
            throw WorkflowError.invalidState(
                "only a draft or returned adjustment can be submitted (it is \(adjustment.status.rawValue))",
                rule: "R-BUD-4")
        }
        try requireSameIndirect(adjustment.proposed.indirect, project: project)
        try validateBudget(adjustment.proposed, field: "", rule: "R-BUD-2")
        if let newTotal = adjustment.newTotal, newTotal != adjustment.proposed.total {
            throw WorkflowError(
                .budgetMismatch, rule: "R-BUD-2", field: "newTotal",
                "直接费用与间接费用之和须等于新的总额 (direct + indirect must equal the new total)")
        }
        if adjustment.newTotal == nil, adjustment.proposed.total != project.budget.total {
            throw WorkflowError(
                .budgetMismatch, rule: "R-BUD-2", field: "direct",
                "直接费用与间接费用之和须等于现有总额；调整总额须填写 newTotal (direct + indirect must equal the current total \(project.budget.total); declare a change of total with newTotal)"
            )
        }
        let national = Self.needsNational(adjustment, current: project.budget)
        decision.append(
            .budgetAdjustmentSubmitted(
                BudgetAdjustmentSubmitted(
                    adjustmentId: adjustmentId, projectNo: project.projectNo, needsNational: national, by: account.id,
                    at: time)))
        notifyReviewers(.unit, project: project, itemKind: "budgetAdjustment", itemId: adjustmentId)
    }

    mutating func recallBudgetAdjustment(adjustmentId: String) throws(WorkflowError) {
        let (adjustment, project, account) = try leaderAdjustment(adjustmentId)
        guard adjustment.status == .pending, adjustment.awaiting == .unit else {
            throw WorkflowError.invalidState(
                "an adjustment can be recalled only until the unit has acted", rule: "R-BUD-4")
        }
        decision.append(
            .budgetAdjustmentRecalled(
                ItemStep(itemId: adjustmentId, projectNo: project.projectNo, by: account.id, at: time)))
    }

    mutating func cancelBudgetAdjustment(adjustmentId: String) throws(WorkflowError) {
        let (adjustment, project, account) = try leaderAdjustment(adjustmentId)
        guard adjustment.status.isEditable else {
            throw WorkflowError.invalidState(
                "only a draft or returned adjustment can be cancelled (it is \(adjustment.status.rawValue))",
                rule: "R-BUD-4")
        }
        decision.append(
            .budgetAdjustmentCancelled(
                ItemStep(itemId: adjustmentId, projectNo: project.projectNo, by: account.id, at: time)))
    }

    mutating func reviewBudgetAdjustment(
        adjustmentId: String, decision review: ReviewDecision, opinion: String
    ) throws(WorkflowError) {
        let admin = try actor()
        let (adjustment, project) = try reviewedItem(
            state.budgetAdjustment(adjustmentId), projectNo: \.projectNo, what: "budget adjustment",
            id: adjustmentId, field: "adjustmentId", by: admin, roleRefusal: "only reviewers decide on adjustments",
            rule: "R-CHG-5", scopeRule: "R-CHG-5")
        guard adjustment.status == .pending else {
            throw WorkflowError.invalidState(
                "the adjustment is not pending (it is \(adjustment.status.rawValue))",
                rule: adjustment.status == .closed ? "R-CHG-8" : "R-BUD-4")
        }
        let level = try reviewLevel(of: admin, project: project, awaiting: adjustment.awaiting)
        if review != .approve, opinion.allSatisfy(\.isWhitespace) {
            throw WorkflowError.invalidInput("opinion", "is required when not approving")
        }
        let record = ReviewRecord(level: level, decision: review, opinion: opinion, by: admin.id, at: time)
        guard review == .approve else {
            decision.append(
                .budgetAdjustmentReviewed(
                    ItemReviewed(itemId: adjustmentId, projectNo: project.projectNo, record: record, next: nil)))
            notifyDecided(
                project: project, itemKind: "budgetAdjustment", itemId: adjustmentId, decision: review.rawValue,
                level: level.rawValue, opinion: opinion)
            return
        }
        let final: ReviewLevel = adjustment.needsNational ? .national : .unit
        if level < final, let next = level.next {
            decision.append(
                .budgetAdjustmentReviewed(
                    ItemReviewed(
                        itemId: adjustmentId, projectNo: project.projectNo, record: record, next: Awaiting(next))))
            notifyReviewers(Awaiting(next), project: project, itemKind: "budgetAdjustment", itemId: adjustmentId)
            return
        }
        // A store written before closeouts waited for pending items (R-CLO-2) may hold one under review.
        guard !project.closeoutUnderReview else {
            throw WorkflowError.invalidState(
                "项目结项审核中，预算调整不能生效 (a closeout is under review: its final accounts state the budget as it "
                    + "is; return or reject the adjustment)",
                rule: "R-CLO-3")
        }
        let filed = level < .national
        decision.append(
            .budgetAdjustmentReviewed(
                ItemReviewed(itemId: adjustmentId, projectNo: project.projectNo, record: record, next: nil)))
        decision.append(
            .budgetAdjustmentTookEffect(
                ItemTookEffect(itemId: adjustmentId, projectNo: project.projectNo, filed: filed, at: time)))
        decision.append(
            .projectBudgetAdjusted(
                ProjectBudgetAdjusted(
                    projectNo: project.projectNo, adjustmentId: adjustmentId, from: project.budget,
                    to: adjustment.proposed)))
        notifyDecided(
            project: project, itemKind: "budgetAdjustment", itemId: adjustmentId, decision: "effective",
            level: level.rawValue, opinion: opinion)
        if filed {
            notifyAdmins(
                .national, NotificationTemplate.filingRecord,
                [
                    "itemKind": "budgetAdjustment", "itemId": adjustmentId, "projectNo": project.projectNo,
                    "kind": "budget",
                ])
        }
    }
}
