/// The nine kinds of change request (重要事项变更, docs/rules.md §3).
public enum ChangeKind: String, Sendable, Codable, CodingKeyRepresentable, CaseIterable, BinaryCodable, Labeled {
    /// 延期.
    case `extension`
    /// 变更项目责任人.
    case changeLeader
    /// 变更责任单位.
    case changeUnit
    /// 改变成果形式.
    case changeDeliverableForm
    /// 改变项目名称.
    case changeTitle
    /// 变更课题组成员.
    case changeMembers
    /// 研究内容有重大调整.
    case majorContentAdjustment
    /// 自行终止项目.
    case selfTermination
    /// 撤项.
    case withdrawal

    /// The field names of this kind's `details` object (docs/cli.md).
    public var detailFields: [String] {
        switch self {
        case .extension: return ["newEndDate", "progress", "plan"]
        case .changeLeader: return ["newLeader"]
        case .changeUnit: return ["newUnitId"]
        case .changeDeliverableForm: return ["newForm"]
        case .changeTitle: return ["newTitle"]
        case .changeMembers: return ["add", "remove"]
        case .majorContentAdjustment: return ["original", "adjusted", "impact"]
        case .selfTermination: return ["reason", "fundsUsed"]
        case .withdrawal: return ["reason", "fundsReceived"]
        }
    }

    /// The label of the kind.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.extension, .zh): return "延期"
        case (.extension, .en): return "Extension"
        case (.changeLeader, .zh): return "变更项目责任人"
        case (.changeLeader, .en): return "Change of leader"
        case (.changeUnit, .zh): return "变更责任单位"
        case (.changeUnit, .en): return "Change of unit"
        case (.changeDeliverableForm, .zh): return "改变成果形式"
        case (.changeDeliverableForm, .en): return "Change of deliverable form"
        case (.changeTitle, .zh): return "改变项目名称"
        case (.changeTitle, .en): return "Change of title"
        case (.changeMembers, .zh): return "变更课题组成员"
        case (.changeMembers, .en): return "Change of members"
        case (.majorContentAdjustment, .zh): return "研究内容有重大调整"
        case (.majorContentAdjustment, .en): return "Major content adjustment"
        case (.selfTermination, .zh): return "自行终止项目"
        case (.selfTermination, .en): return "Self-termination"
        case (.withdrawal, .zh): return "撤项"
        case (.withdrawal, .en): return "Withdrawal"
        }
    }
}
