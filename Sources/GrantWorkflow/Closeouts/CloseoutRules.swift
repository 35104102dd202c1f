/// The rules of closeout and appraisal (docs/rules.md §4: R-CLO-1 … R-CLO-8; the certificate of R-CLO-9 is a form of the engine).
extension Decider {
    /// The closeout, its project (active), and the actor, who must be the project's leader (`ownerRule`
    /// is the rule a refused actor hears: R-CLO-1, or R-ATT-2 for attachments).
    func leaderCloseout(
        _ closeoutId: String, ownerRule: String = "R-CLO-1"
    ) throws(WorkflowError) -> (Closeout, Project, Account) {
        let account = try actor()
        let (closeout, project) = try ledItem(
            state.closeout(closeoutId), projectNo: \.projectNo, what: "closeout", id: closeoutId,
            field: "closeoutId", by: account, rule: ownerRule)
        guard project.status == .active else {
            throw WorkflowError(.projectNotActive, rule: "R-CLO-1", "项目不是在研状态 (project is \(project.status.rawValue))")
        }
        return (closeout, project, account)
    }

    mutating func openCloseout(closeoutId: String?, projectNo: String) throws(WorkflowError) {
        let account = try actor()
        let project = try ledProject(projectNo, by: account, rule: "R-CLO-1")
        guard project.status == .active else {
            throw WorkflowError(.projectNotActive, rule: "R-CLO-1", "项目不是在研状态 (project is \(project.status.rawValue))")
        }
        if let open = state.openCloseoutId(projectNo: projectNo) {
            throw WorkflowError(.closeoutAlreadyOpen, rule: "R-CLO-1", "该项目已有结项申请 \(open) (a closeout is open)")
        }
        let id = try newId(closeoutId, field: "closeoutId")
        guard state.closeout(id) == nil else {
            throw WorkflowError(.duplicateId, field: "closeoutId", "closeout \(id) already exists")
        }
        decision.append(.closeoutOpened(CloseoutOpened(closeoutId: id, projectNo: projectNo, by: account.id, at: time)))
        decision.result["closeoutId"] = id
    }

    mutating func saveCloseoutSection(closeoutId: String, data: CloseoutSectionData) throws(WorkflowError) {
        let (closeout, project, _) = try leaderCloseout(closeoutId)
        guard closeout.status.isEditable else {
            throw WorkflowError.invalidState(
                "the closeout is not editable (it is \(closeout.status.rawValue))", rule: "R-CLO-4")
        }
        switch data {
        case .avoidedExperts(let experts):
            guard experts.count <= policy.maximumAvoidedExperts else {
                throw WorkflowError.invalidInput(
                    "data", "申请回避专家不超过\(policy.maximumAvoidedExperts)人 (at most \(policy.maximumAvoidedExperts))",
                    rule: "R-CLO-5")
            }
        case .members(let members):
            for (index, entry) in members.enumerated() {
                try requireValidIdNumber(
                    entry.member.idNumber, type: entry.member.idType, field: "data[\(index)].idNumber")
            }
        case .basicInfo(let info):
            try requirePlatformGround(info, field: "data.exemptionGround")
        case .interimOutputs, .finalAccounts:
            break
        }
        decision.append(
            .closeoutSectionSaved(
                CloseoutSectionSaved(closeoutId: closeoutId, projectNo: project.projectNo, data: data, at: time)))
    }

    /// R-CLO-3: the categories are exactly the effective budget's, each with the budget's approved amount;
    /// spent and balance never negative; per category spent + balance = approved.
    func checkFinalAccounts(_ accounts: FinalAccounts, budget: Budget) throws(WorkflowError) {
        let lines =
            accounts.direct.keys.sorted().compactMap { key in accounts.direct[key].map { ("direct.\(key)", $0) } }
            + [("indirect", accounts.indirect)]
        for (path, line) in lines where line.approved < 0 || line.spent < 0 || line.balance < 0 {
            throw WorkflowError(
                .invalidAmount, rule: "R-CLO-3", field: "finalAccounts.\(path)", "金额不能为负 (negative amount)")
        }
        for category in budget.direct.keys.sorted() where accounts.direct[category] == nil {
            throw WorkflowError(
                .budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.direct.\(category)",
                "决算缺少预算科目 \(category) (a category of the budget is missing)")
        }
        for category in accounts.direct.keys.sorted() where budget.direct[category] == nil {
            throw WorkflowError(
                .budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.direct.\(category)",
                "预算中没有科目 \(category) (not a category of the effective budget)")
        }
        for (path, line) in lines where !line.addsUp {
            throw WorkflowError(
                .budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.\(path)",
                "支出与结余之和须等于批准金额 (spent + balance must equal approved)")
        }
        for category in budget.direct.keys.sorted() where accounts.direct[category]?.approved != budget.direct[category]
        {
            throw WorkflowError(
                .budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.direct.\(category)",
                "批准金额与项目预算不符 (the approved amount differs from the effective budget)")
        }
        guard accounts.indirect.approved == budget.indirect else {
            throw WorkflowError(
                .budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.indirect",
                "批准金额与项目预算不符 (the approved amount differs from the effective budget)")
        }
    }

    /// R-CLO-2 (rev. 2): a leader's written instruction or a classified result goes the paper way.
    func requirePlatformGround(_ info: CloseoutBasicInfo?, field: String) throws(WorkflowError) {
        guard let info, info.appraisalMode == .exempt, let ground = info.exemptionGround,
            ground == .leadershipInstruction || ground == .classified
        else { return }
        throw WorkflowError(
            .offPlatformProcedure, rule: "R-CLO-2", field: field,
            "成果涉密或以领导批示申请免于鉴定的，不在平台申请，请按涉密程序报送纸质审批书")
    }

    mutating func submitCloseout(closeoutId: String) throws(WorkflowError) {
        let (closeout, project, account) = try leaderCloseout(closeoutId)
        guard closeout.status.isEditable else {
            throw WorkflowError.invalidState(
                "the closeout is not editable (it is \(closeout.status.rawValue))", rule: "R-CLO-4")
        }
        try requireNothingAwaitsReview(project)
        let missing = closeout.missingSections
        guard missing.isEmpty else {
            let names = missing.map { "\($0.label(.zh)) (\($0.rawValue))" }.joined(separator: "、")
            throw WorkflowError(.incompleteCloseout, rule: "R-CLO-2", field: missing[0].rawValue, "请先保存：\(names)")
        }
        try requirePlatformGround(closeout.basicInfo, field: "basicInfo.exemptionGround")
        if let accounts = closeout.finalAccounts { try checkFinalAccounts(accounts, budget: project.budget) }
        guard closeout.hasAttachment(.ledger) else {
            throw WorkflowError(.ledgerAttachmentRequired, rule: "R-CLO-2", "请先上传经费明细账附件再提交！")
        }
        if closeout.appraisalMode == .review, !closeout.hasAttachment(.finalDeliverable) {
            throw WorkflowError(.finalDeliverableRequired, rule: "R-CLO-2", "请先上传最终成果再提交！")
        }
        if closeout.appraisalMode == .exempt, !closeout.hasAttachment(.exemptionProof) {
            throw WorkflowError(.exemptionProofRequired, rule: "R-CLO-2", "请先上传免于鉴定证明材料再提交！")
        }
        guard !closeout.revisionNotesRequired else {
            throw WorkflowError(
                .incompleteCloseout, rule: "R-CLO-7", field: "revisionNotes", "请先上传修改说明再提交！ (add revision notes)")
        }
        decision.append(
            .closeoutSubmitted(ItemStep(itemId: closeoutId, projectNo: project.projectNo, by: account.id, at: time)))
        notifyReviewers(.unit, project: project, itemKind: "closeout", itemId: closeoutId)
    }

    /// A closeout is submitted only when none of the project's change requests or budget adjustments
    /// awaits a reviewer: the leader cannot submit one while the closeout is under review (R-CHG-4,
    /// R-BUD-4), and one submitted before must not take effect under it, or the appraisal would judge a
    /// project whose leader, members or unit changed after the experts were checked against them
    /// (R-CLO-5), with final accounts that no longer match its budget (R-CLO-3). A self-termination or
    /// withdrawal does not hold it up: taking effect, it ends the project and closes the closeout
    /// (R-CHG-8).
    func requireNothingAwaitsReview(_ project: Project) throws(WorkflowError) {
        var waiting: [String] = []
        for request in state.changeRequests(ofProject: project.projectNo)
        where request.status == .pending && request.kind != .selfTermination && request.kind != .withdrawal {
            waiting.append("\(request.id) (\(request.kind.rawValue))")
        }
        for adjustment in state.budgetAdjustments(ofProject: project.projectNo) where adjustment.status == .pending {
            waiting.append("\(adjustment.id) (budgetAdjustment)")
        }
        guard waiting.isEmpty else {
            throw WorkflowError.invalidState(
                "尚有审核中的变更或预算调整，须待其审核完毕或撤回后再提交结项 (awaiting review: "
                    + waiting.joined(separator: ", ") + ")",
                rule: "R-CLO-2")
        }
    }

    mutating func recallCloseout(closeoutId: String) throws(WorkflowError) {
        let (closeout, project, account) = try leaderCloseout(closeoutId)
        guard closeout.status == .pending, closeout.awaiting == .unit else {
            throw WorkflowError.invalidState(
                "a closeout can be recalled only until the unit has acted", rule: "R-CLO-4")
        }
        decision.append(
            .closeoutRecalled(ItemStep(itemId: closeoutId, projectNo: project.projectNo, by: account.id, at: time)))
    }

    mutating func reviewCloseout(
        closeoutId: String, decision review: ReviewDecision, opinion: String
    ) throws(WorkflowError) {
        let admin = try actor()
        let (closeout, project) = try reviewedItem(
            state.closeout(closeoutId), projectNo: \.projectNo, what: "closeout", id: closeoutId,
            field: "closeoutId", by: admin, roleRefusal: "only reviewers decide on closeouts", rule: "R-CHG-5",
            scopeRule: "R-CHG-5")
        guard closeout.status == .pending else {
            throw WorkflowError.invalidState(
                "the closeout is not pending (it is \(closeout.status.rawValue))",
                rule: closeout.status == .closed ? "R-CHG-8" : "R-CLO-4")
        }
        let level = try reviewLevel(of: admin, project: project, awaiting: closeout.awaiting)
        guard level != .national else {
            throw WorkflowError.invalidState(
                "the national office concludes closeouts (concludeCloseout)", rule: "R-CLO-7")
        }
        if review != .approve, opinion.allSatisfy(\.isWhitespace) {
            throw WorkflowError.invalidInput("opinion", "is required when not approving")
        }
        let record = ReviewRecord(level: level, decision: review, opinion: opinion, by: admin.id, at: time)
        guard review == .approve else {
            decision.append(
                .closeoutReviewed(
                    ItemReviewed(itemId: closeoutId, projectNo: project.projectNo, record: record, next: nil)))
            notifyDecided(
                project: project, itemKind: "closeout", itemId: closeoutId, decision: review.rawValue,
                level: level.rawValue, opinion: opinion)
            return
        }
        let next: Awaiting
        if level == .unit {
            next = .province
        } else {
            next = closeout.appraisalMode == .exempt ? .national : .appraisal
        }
        decision.append(
            .closeoutReviewed(
                ItemReviewed(itemId: closeoutId, projectNo: project.projectNo, record: record, next: next)))
        if next == .appraisal {
            let organiser: AdminScope =
                project.category.appraisedNationally ? .national : scope(.province, of: project)
            notifyAdmins(
                organiser, NotificationTemplate.reviewRequested,
                ["itemKind": "appraisal", "itemId": closeoutId, "projectNo": project.projectNo, "level": "appraisal"])
        } else {
            notifyReviewers(next, project: project, itemKind: "closeout", itemId: closeoutId)
        }
    }

    /// Whether an avoided-expert entry names this expert: the name and the unit name both match (R-CLO-5).
    func isAvoided(_ expert: Account, by entries: [AvoidedExpert]) -> Bool {
        let name = expert.name.trimmingWhitespace
        let unitName = expert.unitId.flatMap { state.unit($0)?.name }?.trimmingWhitespace ?? ""
        return entries.contains { $0.name.trimmingWhitespace == name && $0.unit.trimmingWhitespace == unitName }
    }

    mutating func assignAppraisalExperts(closeoutId: String, experts: [String]) throws(WorkflowError) {
        let admin = try actor()
        let (closeout, project) = try reviewedItem(
            state.closeout(closeoutId), projectNo: \.projectNo, what: "closeout", id: closeoutId,
            field: "closeoutId", by: admin, roleRefusal: "only the national and provincial offices organise appraisals",
            rule: "R-CLO-5", scopeRule: "R-CLO-5")
        let organiser: Role = project.category.appraisedNationally ? .nationalOffice : .provincialOffice
        guard admin.role == organiser else {
            throw WorkflowError.forbidden(
                "the appraisal of a \(project.category.rawValue) project is organised by the \(organiser.rawValue)",
                rule: "R-CLO-5")
        }
        guard closeout.status == .appraisal, closeout.experts.isEmpty else {
            throw WorkflowError.invalidState("the closeout is not waiting for experts", rule: "R-CLO-5")
        }
        guard experts.count == policy.expertCount, Set(experts).count == experts.count else {
            throw WorkflowError.invalidInput(
                "experts", "须指定\(policy.expertCount)位不同的专家 (exactly \(policy.expertCount) distinct experts)",
                rule: "R-CLO-5")
        }
        // The project's members, its leader, and everyone the closeout's members section names as having
        // worked on the result (who may not be on the project's list).
        let memberNumbers = Set(
            (project.members.map(\.idNumber) + [project.leader.idNumber]
                + (closeout.members ?? []).map(\.member.idNumber)).map(IdentityNumber.normalized))
        for (index, expertId) in experts.enumerated() {
            let field = "experts[\(index)]"
            // The organiser picks from the expert directory. An account of another role that it may not
            // see is an unknown expert, as an unknown id is (R-ACC-11); one it sees is a conflict.
            guard let expert = state.account(expertId), expert.role == .expert || admin.sees(expert, in: state) else {
                throw WorkflowError.notFound("expert", expertId, field: field)
            }
            func conflict(_ why: String) -> WorkflowError {
                WorkflowError(.expertConflict, rule: "R-CLO-5", field: field, "专家 \(expertId) 不能参加鉴定：\(why)")
            }
            guard expert.role == .expert else { throw conflict("not an expert account") }
            guard expert.enabled, expert.registration == .approved, expert.profileComplete else {
                throw conflict("not approved, disabled or profile incomplete")
            }
            guard !isAvoided(expert, by: closeout.avoidedExperts ?? []) else { throw conflict("申请回避 (avoided)") }
            guard expert.unitId != project.unitId else { throw conflict("与项目负责人同单位 (same unit as the leader)") }
            guard !memberNumbers.contains(expert.normalizedIdNumber ?? "") else {
                throw conflict("课题组成员 (a member of the project)")
            }
        }
        decision.append(
            .appraisalExpertsAssigned(
                AppraisalExpertsAssigned(
                    closeoutId: closeoutId, projectNo: project.projectNo, experts: experts, by: admin.id, at: time)))
        for expertId in experts {
            // The closeout only: a project number names its leader in the published lists (R-CLO-5).
            let parameters = ["closeoutId": closeoutId]
            decision.notify(expertId, .inbox, NotificationTemplate.appraisalAssigned, parameters)
            decision.notify(expertId, .sms, NotificationTemplate.appraisalAssigned, parameters)
        }
    }

    mutating func submitAppraisal(closeoutId: String, grade: Grade, comments: String) throws(WorkflowError) {
        let expert = try actor()
        guard expert.role == .expert else {
            throw WorkflowError.forbidden("only the assigned experts appraise", rule: "R-CLO-6")
        }
        guard let closeout = state.closeout(closeoutId), closeout.experts.contains(expert.id) else {
            throw unseen("closeout", closeoutId, field: "closeoutId", rule: "R-CLO-6", by: expert)
        }
        guard closeout.status == .appraisal else {
            throw WorkflowError.invalidState("the closeout is not in appraisal", rule: "R-CLO-6")
        }
        guard !closeout.appraisals.contains(where: { $0.expertId == expert.id }) else {
            throw WorkflowError.invalidState("每位专家只能提交一次鉴定意见 (already appraised)", rule: "R-CLO-6")
        }
        decision.append(
            .appraisalSubmitted(
                AppraisalSubmitted(
                    closeoutId: closeoutId, projectNo: closeout.projectNo,
                    appraisal: Appraisal(expertId: expert.id, grade: grade, comments: comments, at: time))))
        if closeout.appraisals.count + 1 >= closeout.experts.count, let project = state.project(closeout.projectNo) {
            notifyReviewers(.national, project: project, itemKind: "closeout", itemId: closeoutId)
        }
    }

    mutating func concludeCloseout(
        closeoutId: String, outcome: CloseoutOutcome, grade: Grade?, reason: String?, certificateNo: String?
    ) throws(WorkflowError) {
        let admin = try actor(.nationalOffice, rule: "R-CLO-7")
        guard let closeout = state.closeout(closeoutId) else {
            throw WorkflowError.notFound("closeout", closeoutId, field: "closeoutId")
        }
        guard let project = state.project(closeout.projectNo) else {
            throw WorkflowError.notFound("project", closeout.projectNo)
        }
        guard closeout.status == .pending, closeout.awaiting == .national else {
            throw WorkflowError.invalidState(
                "the closeout does not await the national office's conclusion", rule: "R-CLO-7")
        }
        let median = Grade.median(closeout.appraisals.map(\.grade))
        let approved = project.effectiveChangeRequests
        switch outcome {
        case .deferred:
            decision.append(
                .closeoutConcluded(
                    CloseoutConcluded(
                        closeoutId: closeoutId, projectNo: project.projectNo, outcome: .deferred, grade: nil,
                        medianGrade: median, overrideReason: nil, certificateNo: nil, opinion: reason ?? "",
                        approvedChangeRequests: approved, by: admin.id, at: time)))
            notifyDecided(
                project: project, itemKind: "closeout", itemId: closeoutId, decision: "deferred", level: "national",
                opinion: reason ?? "")
        case .completed:
            guard let finalGrade = grade ?? median else {
                throw WorkflowError.invalidInput(
                    "grade", "免于鉴定的项目结项须给出等级 (an exempt closeout is completed with a grade)",
                    rule: "R-CLO-7")
            }
            var overrideReason: String?
            if let grade, let median, grade != median {
                guard let reason, !reason.allSatisfy(\.isWhitespace) else {
                    throw WorkflowError.invalidInput(
                        "reason", "改变专家等级中位数须说明理由 (a written reason is needed to override the median grade)",
                        rule: "R-CLO-7")
                }
                overrideReason = reason
            }
            if finalGrade == .fail {
                throw WorkflowError.invalidState(
                    "等级为不合格，不能结项 (a failed appraisal cannot complete; defer it)", rule: "R-CLO-7")
            }
            guard let certificateNo else {
                throw WorkflowError.invalidInput("certificateNo", "is required to complete", rule: "R-CLO-7")
            }
            // Unique by eye as well as by bytes: no invisible, full-width or special-space character.
            guard !IdentityNumber.hasLookAlikes(certificateNo) else {
                throw WorkflowError.invalidInput(
                    "certificateNo", "结项证书号含有不可见字符、全角字符或特殊空格 (an invisible, full-width or special space character)",
                    rule: "R-CLO-7")
            }
            guard !state.certificateInUse(certificateNo) else {
                throw WorkflowError(
                    .duplicateId, rule: "R-CLO-7", field: "certificateNo", "结项证书号 \(certificateNo) 已使用 (already used)")
            }
            decision.append(
                .closeoutConcluded(
                    CloseoutConcluded(
                        closeoutId: closeoutId, projectNo: project.projectNo, outcome: .completed, grade: finalGrade,
                        medianGrade: median, overrideReason: overrideReason, certificateNo: certificateNo,
                        opinion: reason ?? "", approvedChangeRequests: approved, by: admin.id, at: time)))
            decision.append(
                .projectCompleted(
                    ProjectCompleted(
                        projectNo: project.projectNo, closeoutId: closeoutId, grade: finalGrade,
                        certificateNo: certificateNo)))
            closeOpenItems(of: project, reason: .completed, exceptCloseout: closeoutId)
            notifyDecided(
                project: project, itemKind: "closeout", itemId: closeoutId, decision: "completed", level: "national",
                opinion: reason ?? "")
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    var trimmingWhitespace: String {
        var characters = Substring(self)
        while characters.first?.isWhitespace == true { characters.removeFirst() }
        while characters.last?.isWhitespace == true { characters.removeLast() }
        return String(characters)
    }
}
