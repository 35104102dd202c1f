internal import EventLog
internal import GrantWorkflow

extension Ledger {
    /// The printable 重要事项变更审批表 of an effective change request (R-CHG-10); `invalidState` for a
    /// request in any other state. The leader of the project and admins in scope may print it.
    public func approvalForm(_ requestId: String, as viewer: Viewer = .everything) throws(LedgerError) -> ApprovalForm {
        try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            let content: ChangeApprovalForm
            do throws(WorkflowError) {
                content = try ChangeApprovalForm(requestId: requestId, state: models)
            } catch {
                throw LedgerError(error)
            }
            guard let project = models.project(content.projectNo), visibility.sees(project) else {
                throw Visibility.forbidden("change request \(requestId)")
            }
            return ApprovalForm(content, requestId: requestId, project: project, directory: models)
        }
    }
}

extension ApprovalForm {
    /// The printed form of the workflow's form content.
    init(_ content: ChangeApprovalForm, requestId: String, project: Project, directory: some WorkflowStateReader) {
        let header: [Field] = [
            Field(label: "项目批准号", value: content.projectNo),
            Field(label: "项目类别", value: content.category.label(.zh)),
            Field(label: "项目名称", value: content.projectTitle),
            Field(label: "学科分类", value: project.discipline),
            Field(label: "项目负责人", value: content.leaderName),
            Field(label: "责任单位", value: content.unitName),
            Field(label: "立项时间", value: Self.chineseDate(project.approvedOn)),
            Field(label: "计划完成时间", value: Self.chineseDate(project.plannedEndDate)),
        ]
        var changes = content.changes.map {
            Change(item: Self.fieldLabel($0.field), before: $0.before, after: $0.after)
        }
        if changes.isEmpty {
            changes = [Change(item: content.kind.label(.zh), before: "—", after: "见变更理由")]
        }
        let unit = directory.unit(project.unitId)
        let levels = content.levels.map { entry in
            LevelOpinion(
                title: Self.levelTitle(entry.level), decision: entry.decision.label(.zh), opinion: entry.opinion,
                reviewer: entry.reviewerName,
                organisation: Self.organisation(entry.level, reviewer: directory.account(entry.reviewerId), unit: unit),
                date: Self.chineseDate(entry.date))
        }
        let submitted = content.levels.first.map { Self.chineseDate($0.date) } ?? ""
        self.init(
            requestId: requestId, kindLabel: content.kind.label(.zh), header: header, changes: changes,
            reason: content.reason, applicant: content.leaderName, appliedOn: submitted, levels: levels,
            officeName: "全国哲学社会科学工作办公室",
            effectiveOn: content.effectiveAt.map { Self.chineseDate($0.chinaDate) } ?? "")
    }

    static func chineseDate(_ date: CalendarDate) -> String {
        let parts = date.description.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), let day = Int(parts[2]) else { return date.description }
        return "\(parts[0])年\(month)月\(day)日"
    }

    static func levelTitle(_ level: ReviewLevel) -> String {
        switch level {
        case .unit: return "责任单位意见"
        case .province: return "省级社科管理部门意见"
        case .national: return "全国社科工作办意见"
        }
    }

    static func organisation(_ level: ReviewLevel, reviewer: Account?, unit: Unit?) -> String {
        switch level {
        case .unit: return unit?.name ?? "责任单位"
        case .province: return reviewer?.name ?? "省级社科规划办"
        case .national: return "全国社科工作办"
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
