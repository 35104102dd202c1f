internal import GrantWorkflow

/// How each record query shows its nested parts in a table.
enum Sections {
    static let decisions = QueryRenderer.Section.rows(
        "decisions", "Decisions", "审核记录", columns: ["level", "decision", "opinion", "by", "at"])
    static let attachments = QueryRenderer.Section.rows(
        "attachments", "Attachments", "附件", columns: ["filename", "purpose", "size", "digest"])

    static let project: [QueryRenderer.Section] = [
        .rows(
            "members", "Members", "课题组成员", columns: ["name", "role", "title", "unit", "idNumber"],
            headers: ["role": ("Role", "分工"), "title": ("Title", "职称"), "unit": ("Unit", "工作单位")]),
        .budget("budget"),
    ]

    static let change: [QueryRenderer.Section] = [
        QueryRenderer.Section(key: "details", english: "Details", chinese: "变更内容") { value, _, renderer in
            renderer.record(value, sections: [])
        },
        .rows(
            "changes", "Before and after", "变更前后", columns: ["field", "before", "after"],
            labelBy: ["before": "field", "after": "field"]),
        decisions, attachments,
    ]

    static let closeout: [QueryRenderer.Section] = [
        decisions, attachments,
        .rows("appraisals", "Appraisals", "鉴定意见", columns: ["expertId", "grade", "comments", "at"]),
    ]

    static let adjustment: [QueryRenderer.Section] = [
        QueryRenderer.Section(key: "direct", english: "Proposed budget (yuan)", chinese: "调整后预算（元）") {
            _, record, renderer in
            renderer.budgetTable(record)
        },
        QueryRenderer.Section(key: "indirect", english: "", chinese: "") { _, _, _ in "" },
        QueryRenderer.Section(key: "total", english: "", chinese: "") { _, _, _ in "" },
        QueryRenderer.Section(key: "external", english: "", chinese: "") { _, _, _ in "" },
        decisions, attachments,
    ]

    /// Stats: every nested count map as its own two-column table.
    static func stats(_ value: JSONValue) -> [QueryRenderer.Section] {
        guard case .object(let object) = value else { return [] }
        return object.keys.filter { key in
            if case .object = object[key] { return true }
            return false
        }.map { key in
            QueryRenderer.Section(key: key, english: key, chinese: statsTitles[key] ?? key) { value, _, renderer in
                guard case .object(let counts) = value, !counts.keys.isEmpty else { return "  —\n" }
                var table = TextTable(columns: [
                    TextTable.Column(header: Labels.header("item", renderer.language)),
                    TextTable.Column(
                        header: Labels.header(key == "medianDaysToDecision" ? "days" : "count", renderer.language),
                        alignRight: true),
                ])
                let labelKey = statsValueKeys[key] ?? ""
                for name in counts.keys {
                    table.append([
                        Labels.value(labelKey, .string(name), renderer.language),
                        Labels.value("", counts[name] ?? .null, renderer.language),
                    ])
                }
                return table.render()
            }
        }
    }

    private static let statsTitles: [String: String] = [
        "projectsByStatus": "项目状态", "projectsByCategory": "项目类别", "projectsByUnit": "责任单位",
        "projectsByProvince": "省份", "changesByKind": "变更事项", "changesByStatus": "变更状态",
        "closeoutsByStatus": "结项状态", "closeoutGrades": "鉴定等级", "adjustmentsByStatus": "预算调整状态",
        "medianDaysToDecision": "审核用时（天，中位数）",
    ]

    private static let statsValueKeys: [String: String] = [
        "projectsByStatus": "status", "projectsByCategory": "category", "changesByKind": "kind",
        "changesByStatus": "status", "closeoutsByStatus": "status", "closeoutGrades": "grade",
        "adjustmentsByStatus": "status", "medianDaysToDecision": "level",
    ]
}
