internal import EventLog
internal import GrantWorkflow

extension Ledger {
    /// The printable 重要事项变更审批表 of an effective change request (R-CHG-10); `invalidState` for a
    /// request in any other state. The leader of the project, admins in scope and the leader who applied
    /// (after a change of leader) may print it.
    public func approvalForm(_ requestId: String, as viewer: Viewer) throws(LedgerError) -> ApprovalForm {
        try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            // Scope first: an out-of-scope viewer learns nothing, not even the request's state (R-ACC-11).
            // The applicant keeps its form after a change of leader (R-CHG-10, rev. 2).
            guard let request = models.changeRequest(requestId), let project = models.project(request.projectNo),
                visibility.sees(project) || visibility.seesAsParty(request)
            else { throw visibility.hidden("change request \(requestId)") }
            let content: ChangeApprovalForm
            do throws(WorkflowError) {
                content = try ChangeApprovalForm(requestId: requestId, state: models)
            } catch {
                throw LedgerError(error)
            }
            return ApprovalForm(content, requestId: requestId, project: project, directory: models)
        }
    }
}

extension ApprovalForm {
    /// The printed form of the workflow's form content.
    init(_ content: ChangeApprovalForm, requestId: String, project: Project, directory: some WorkflowStateReader) {
        // The header shows the project as the request found it: a changed attribute's value before.
        func before(_ field: String) -> String? { content.changes.first { $0.field == field }?.before }
        let leaderName =
            before("leader").map { String($0.split(separator: " ").dropLast().joined(separator: " ")) }
            ?? content.leaderName
        // The applicant is the leader who submitted, also when the request changed the leader.
        let applicant = leaderName.isEmpty ? content.leaderName : leaderName
        let unitName = before("unitId").map { directory.unit($0)?.name ?? $0 } ?? content.unitName
        let plannedEnd = before("plannedEndDate").flatMap(CalendarDate.init) ?? project.plannedEndDate
        let form = before("deliverableForm").flatMap(DeliverableForm.init(rawValue:)) ?? project.deliverableForm
        let header: [Field] = [
            Field(label: "项目批准号", value: content.projectNo),
            Field(label: "项目类别", value: content.category.label(.zh)),
            Field(label: "项目名称", value: before("title") ?? content.projectTitle),
            Field(label: "项目负责人", value: applicant),
            Field(label: "责任单位", value: unitName),
            Field(label: "学科分类", value: project.discipline),
            Field(label: "立项时间", value: Self.chineseDate(project.approvedOn)),
            Field(label: "计划完成时间", value: Self.chineseDate(plannedEnd)),
            Field(label: "成果形式", value: form.label(.zh)),
        ]
        var changes = content.changes.map {
            Change(
                item: Self.fieldLabel($0.field), before: Self.printed($0.before, field: $0.field, directory: directory),
                after: Self.printed($0.after, field: $0.field, directory: directory))
        }
        if changes.isEmpty {
            changes = [Change(item: content.kind.label(.zh), before: "—", after: "见变更理由")]
        }
        let levels = content.levels.map { entry in
            // A unit-level reviewer signs for its own unit: after a change of unit, the old and the new one.
            let reviewer = directory.account(entry.reviewerId)
            let unit = directory.unit(reviewer?.unitId ?? project.unitId)
            return LevelOpinion(
                title: Self.levelTitle(entry.level), decision: entry.decision.label(.zh), opinion: entry.opinion,
                reviewer: entry.reviewerName,
                organisation: Self.organisation(entry.level, reviewer: reviewer, unit: unit),
                date: Self.chineseDate(entry.date))
        }
        let submitted = directory.changeRequest(requestId)?.submittedAt?.chinaDate ?? content.levels.first?.date
        self.init(
            requestId: requestId, kindLabel: content.kind.label(.zh), header: header, changes: changes,
            reason: content.reason, applicant: applicant, appliedOn: submitted.map(Self.chineseDate) ?? "",
            levels: levels, officeName: "全国哲学社会科学工作办公室",
            effectiveOn: content.effectiveAt.map { Self.chineseDate($0.chinaDate) } ?? "",
            particulars: Self.particulars(content.details))
    }

    /// What the details state beyond the before/after table.
    static func particulars(_ details: ChangeDetails) -> [Field] {
        let fields: [Field]
        switch details {
        case .extension(_, let progress, let plan):
            fields = [Field(label: "已有研究进展", value: progress), Field(label: "延期后研究计划", value: plan)]
        case .majorContentAdjustment(_, _, let impact):
            fields = [Field(label: "调整对研究的影响", value: impact)]
        case .selfTermination(let reason, let fundsUsed):
            fields = [Field(label: "终止原因", value: reason), Field(label: "已使用经费", value: yuan(fundsUsed))]
        case .withdrawal(let reason, let fundsReceived):
            fields = [Field(label: "撤项原因", value: reason), Field(label: "已拨付经费", value: yuan(fundsReceived))]
        case .changeLeader, .changeUnit, .changeDeliverableForm, .changeTitle, .changeMembers:
            fields = []
        }
        return fields.filter { !$0.value.isEmpty }
    }

    /// A before or after value as printed: dates in Chinese, units by name, forms and statuses by label.
    static func printed(_ value: String, field: String, directory: some WorkflowStateReader) -> String {
        let value = PersonalData.redactingErased(value)
        switch field {
        case "plannedEndDate": return CalendarDate(value).map(chineseDate) ?? value
        case "unitId": return directory.unit(value)?.name ?? value
        case "deliverableForm": return DeliverableForm(rawValue: value)?.label(.zh) ?? value
        case "status": return ProjectStatus(rawValue: value)?.label(.zh) ?? value
        default: return value
        }
    }

    /// An amount in fen as yuan with two decimals and thousands separators: `12,345.00元`.
    static func yuan(_ fen: Fen) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        var digits = String(magnitude / 100)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        let cents = magnitude % 100
        return "\(sign)\(digits)\(grouped).\(cents < 10 ? "0" : "")\(cents)元"
    }

    static func chineseDate(_ date: CalendarDate) -> String {
        let parts = date.description.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), let day = Int(parts[2]) else { return date.description }
        return "\(parts[0])年\(month)月\(day)日"
    }

    static func levelTitle(_ level: ReviewLevel) -> String {
        switch level {
        case .unit: return "责任单位意见"
        case .receivingUnit: return "接收单位意见"
        case .province: return "省级社科管理部门意见"
        case .national: return "全国社科工作办审批意见"
        }
    }

    static func organisation(_ level: ReviewLevel, reviewer: Account?, unit: Unit?) -> String {
        switch level {
        case .unit: return unit?.name ?? "责任单位"
        case .receivingUnit: return unit?.name ?? "接收单位"
        case .province: return reviewer?.name ?? "省级社科规划办"
        case .national: return "全国哲学社会科学工作办公室"
        }
    }

    static func fieldLabel(_ field: String) -> String {
        switch field {
        case "plannedEndDate": return "计划完成时间"
        case "leader": return "项目负责人"
        case "unitId": return "责任单位"
        case "deliverableForm": return "成果形式"
        case "title": return "项目名称"
        case "members": return "课题组成员"
        case "content": return "研究内容"
        case "status": return "项目状态"
        case "budget": return "经费预算"
        default: return field
        }
    }
}
