internal import GrantWorkflow

/// Column headers and value labels for tables, in English or in the platform's Chinese
/// (在研, 结项, 待单位审核 …).
enum Labels {
    /// The header of a column or field.
    static func header(_ key: String, _ language: Language) -> String {
        guard language == .zh else { return englishHeaders[key] ?? key }
        return chineseHeaders[key] ?? englishHeaders[key] ?? key
    }

    private static let englishHeaders: [String: String] = [
        "projectNo": "Project no.", "title": "Title", "status": "Status", "category": "Category",
        "discipline": "Discipline", "unitId": "Unit", "unitName": "Unit name", "leader": "Leader",
        "approvedOn": "Approved on",
        "plannedEndDate": "Planned end", "deliverableForm": "Deliverable", "extensionCount": "Extensions",
        "overdue": "Overdue", "closeoutUnderReview": "Closeout under review", "grade": "Grade",
        "certificateNo": "Certificate no.", "endedByOffice": "Ended by the office", "requestId": "Request",
        "kind": "Kind", "awaiting": "Awaiting",
        "reason": "Reason", "filed": "Filed", "createdAt": "Created", "submittedAt": "Submitted",
        "effectiveAt": "Effective", "closedReason": "Closed because", "closeoutId": "Closeout",
        "appraisalMode": "Appraisal", "missingSections": "Missing sections", "adjustmentId": "Adjustment",
        "needsNational": "Needs national approval", "indirect": "Indirect", "total": "Total",
        "accountId": "Account", "role": "Role", "profileComplete": "Profile complete", "locked": "Locked",
        "name": "Name", "username": "Username", "provinceId": "Province", "idNumber": "ID number", "id": "Id",
        "since": "Since", "action": "Action", "position": "Position", "at": "At", "type": "Type", "actor": "Actor",
        "summary": "Summary", "recipient": "Recipient", "channel": "Channel", "template": "Template",
        "params": "Parameters", "delivered": "Delivered", "attempts": "Attempts", "nextAttemptAt": "Next attempt",
        "lastError": "Last error", "level": "Level", "decision": "Decision",
        "opinion": "Opinion", "by": "By", "amount": "Amount (yuan)", "partner": "Partner",
        "creditCode": "Credit code", "appraisalsSubmitted": "Appraisals in",
        "revisionNotesRequired":
            "Revision notes required", "approvedChangeRequests": "Approved changes", "experts": "Experts",
        "effectiveChangeRequests": "Effective changes", "field": "Field", "before": "Before", "after": "After",
        "item": "Item", "count": "Count", "days": "Median days", "projects": "Projects",
        // A change request's details and the fields its "before and after" names.
        "members": "Members", "budget": "Budget", "add": "Members added", "remove": "Members removed",
        "newLeader": "New leader", "newUnitId": "New unit", "newForm": "New deliverable", "newTitle": "New title",
        "newEndDate": "New end date", "progress": "Progress", "plan": "Plan", "original": "Original content",
        "adjusted": "Adjusted content", "impact": "Impact", "fundsUsed": "Funds used (yuan)",
        "fundsReceived": "Funds received (yuan)",
    ]

    private static let chineseHeaders: [String: String] = [
        "projectNo": "项目批准号", "endedByOffice": "管理办公室终止或撤项", "title": "项目名称", "status": "状态", "category": "项目类别",
        "discipline": "学科分类",
        "unitId": "责任单位", "unitName": "责任单位名称", "leader": "项目负责人", "approvedOn": "立项时间", "plannedEndDate": "计划完成时间",
        "deliverableForm": "成果形式", "extensionCount": "延期次数", "overdue": "逾期", "closeoutUnderReview": "结项审核中",
        "grade": "鉴定等级", "certificateNo": "结项证书号", "requestId": "变更申请", "kind": "变更事项", "awaiting": "待审核",
        "reason": "理由", "filed": "备案", "createdAt": "创建时间", "submittedAt": "提交时间", "effectiveAt": "生效时间",
        "closedReason": "关闭原因", "closeoutId": "结项申请", "appraisalMode": "鉴定方式", "missingSections": "未填部分",
        "adjustmentId": "预算调整", "needsNational": "需全国社科工作办审批", "indirect": "间接费用", "total": "合计",
        "accountId": "账号", "role": "角色", "profileComplete": "资料完善", "locked": "锁定", "name": "姓名",
        "username": "用户名", "provinceId": "省份", "idNumber": "证件号码", "id": "编号", "since": "起始时间",
        "action": "待办", "position": "位置", "at": "时间", "type": "事件", "actor": "操作人", "summary": "摘要",
        "recipient": "接收人", "channel": "渠道", "template": "模板", "params": "参数", "delivered": "已送达", "attempts": "尝试次数",
        "nextAttemptAt": "下次尝试",
        "lastError": "最近错误",
        "level": "审核层级", "decision": "审核结论", "opinion": "审核意见", "by": "审核人", "amount": "金额（元）",
        "partner": "外拨单位", "creditCode": "统一社会信用代码", "appraisalsSubmitted": "已提交鉴定",
        "revisionNotesRequired": "需修改说明", "approvedChangeRequests": "已批准变更", "experts": "鉴定专家",
        "effectiveChangeRequests": "已生效变更", "field": "变更内容", "before": "变更前", "after": "变更后",
        "item": "项目", "count": "数量", "days": "审核天数中位数", "projects": "项目数",
        "members": "课题组成员", "budget": "经费预算", "add": "增加成员", "remove": "减少成员", "newLeader": "变更后负责人",
        "newUnitId": "变更后责任单位", "newForm": "变更后成果形式", "newTitle": "变更后项目名称", "newEndDate": "延期至",
        "progress": "研究进展", "plan": "后续计划", "original": "原研究内容", "adjusted": "调整后研究内容", "impact": "影响说明",
        "fundsUsed": "已使用经费（元）", "fundsReceived": "已拨经费（元）",
    ]

    /// A cell's text: enumerated values as labels, booleans as yes/no, amounts in yuan.
    static func value(_ key: String, _ value: JSONValue, _ language: Language) -> String {
        switch value {
        case .null: return "—"
        case .bool(let flag):
            return language == .zh ? (flag ? "是" : "否") : (flag ? "yes" : "no")
        case .number(let text):
            if amountKeys.contains(key), let fen = Int64(text) { return Money.yuan(fen) }
            return text
        case .string(let text):
            if PersonalData.isErased(text) { return language == .zh ? PersonalData.erasedLabel : "(erased)" }
            return label(key, text, language) ?? text
        case .array(let values):
            guard !values.isEmpty else { return "—" }
            return values.map { Self.value(key, $0, language) }.joined(separator: ", ")
        case .object(let object):
            if object["erased"] == .bool(true) { return language == .zh ? PersonalData.erasedLabel : "(erased)" }
            if key == "endedByOffice", case .string(let outcome)? = object["outcome"] {
                // R-PRJ-5 (rev. 2): the national office ended the project itself (终止 or 撤项).
                let ended = label("status", outcome, language) ?? outcome
                let by = Self.value("by", object["by"] ?? .null, language)
                let at = Self.value("at", object["at"] ?? .null, language)
                let reason = Self.value("reason", object["reason"] ?? .null, language)
                return language == .zh ? "\(ended)（\(by)，\(at)）：\(reason)" : "\(ended) by \(by) at \(at): \(reason)"
            }
            guard let name = object["name"] else { return value.serialized() }
            // A person (a leader, a member): the name, then what else the view holds of them.
            let rest = ["role", "title", "unit", "idNumber"].compactMap { key -> String? in
                guard let member = object[key], member != .null else { return nil }
                let text = Self.value(key, member, language)
                return text.isEmpty ? nil : text
            }
            let shown = Self.value("name", name, language)
            guard !rest.isEmpty else { return shown }
            return language == .zh
                ? shown + "（" + rest.joined(separator: "，") + "）" : shown + " (" + rest.joined(separator: ", ") + ")"
        }
    }

    /// Keys whose numbers are fen, shown in yuan in tables.
    static let amountKeys: Set<String> = [
        "indirect", "total", "amount", "fundsUsed", "fundsReceived", "approved", "spent", "balance",
    ]

    private static func label(_ key: String, _ raw: String, _ language: Language) -> String? {
        func labeled<T: RawRepresentable & Labeled>(_ type: T.Type) -> String? where T.RawValue == String {
            T(rawValue: raw)?.label(language)
        }
        switch key {
        case "status":
            return labeled(ProjectStatus.self) ?? labeled(ItemStatus.self) ?? labeled(CloseoutStatus.self)
                ?? labeled(AccountStatus.self)
        case "awaiting": return labeled(Awaiting.self)
        case "kind": return labeled(ChangeKind.self)
        case "category": return labeled(ProjectCategory.self)
        case "deliverableForm", "newForm": return labeled(DeliverableForm.self)
        case "role": return labeled(Role.self)
        case "decision": return labeled(ReviewDecision.self)
        case "level": return labeled(ReviewLevel.self)
        case "grade": return labeled(Grade.self)
        case "appraisalMode": return labeled(AppraisalMode.self)
        case "missingSections": return labeled(CloseoutSection.self)
        case "purpose": return labeled(AttachmentPurpose.self)
        case "idType": return labeled(IdType.self)
        case "field": return header(raw, language)
        default: return nil
        }
    }

    /// The table form of a status with what it awaits: 待单位审核 for a request pending at the unit.
    static func status(of row: JSONValue, _ language: Language) -> String? {
        guard case .string(let status)? = row[member: "status"] else { return nil }
        if status == "pending" || status == "appraisal", case .string(let awaiting)? = row[member: "awaiting"],
            let label = Awaiting(rawValue: awaiting)?.label(language)
        {
            return label
        }
        return value("status", .string(status), language)
    }
}
