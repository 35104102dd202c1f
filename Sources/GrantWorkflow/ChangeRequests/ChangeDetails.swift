/// The details of a change request, one case per kind (docs/rules.md §3): a request carries exactly one (R-CHG-1).
public enum ChangeDetails: Codable, Sendable, Hashable, BinaryCodable {
    /// 延期: the new end date, progress so far and the plan for the remaining time.
    case `extension`(newEndDate: CalendarDate, progress: String, plan: String)
    /// 变更项目责任人: the new leader.
    case changeLeader(newLeader: Person)
    /// 变更责任单位: the new unit.
    case changeUnit(newUnitId: String)
    /// 改变成果形式: the new deliverable form.
    case changeDeliverableForm(newForm: DeliverableForm)
    /// 改变项目名称: the new title.
    case changeTitle(newTitle: String)
    /// 变更课题组成员: members to add, ID numbers of members to remove.
    case changeMembers(add: [Member], remove: [String])
    /// 研究内容有重大调整: original content, adjusted content, impact.
    case majorContentAdjustment(original: String, adjusted: String, impact: String)
    /// 自行终止项目: the reason and the funds used so far.
    case selfTermination(reason: String, fundsUsed: Fen)
    /// 撤项: the reason and the funds received so far.
    case withdrawal(reason: String, fundsReceived: Fen)

    /// The kind these details belong to.
    public var kind: ChangeKind {
        switch self {
        case .extension: return .extension
        case .changeLeader: return .changeLeader
        case .changeUnit: return .changeUnit
        case .changeDeliverableForm: return .changeDeliverableForm
        case .changeTitle: return .changeTitle
        case .changeMembers: return .changeMembers
        case .majorContentAdjustment: return .majorContentAdjustment
        case .selfTermination: return .selfTermination
        case .withdrawal: return .withdrawal
        }
    }

    /// Writes the kind and the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(kind)
        switch self {
        case .extension(let newEndDate, let progress, let plan):
            writer.write(newEndDate)
            writer.write(progress)
            writer.write(plan)
        case .changeLeader(let newLeader):
            writer.write(newLeader)
        case .changeUnit(let newUnitId):
            writer.write(newUnitId)
        case .changeDeliverableForm(let newForm):
            writer.write(newForm)
        case .changeTitle(let newTitle):
            writer.write(newTitle)
        case .changeMembers(let add, let remove):
            writer.write(add)
            writer.writePersonalIdNumbers(remove)
        case .majorContentAdjustment(let original, let adjusted, let impact):
            writer.write(original)
            writer.write(adjusted)
            writer.write(impact)
        case .selfTermination(let reason, let fundsUsed):
            writer.write(reason)
            writer.write(fundsUsed)
        case .withdrawal(let reason, let fundsReceived):
            writer.write(reason)
            writer.write(fundsReceived)
        }
    }

    /// Reads the kind and the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let kind: ChangeKind = try reader.read()
        switch kind {
        case .extension:
            self = .extension(newEndDate: try reader.read(), progress: try reader.read(), plan: try reader.read())
        case .changeLeader:
            self = .changeLeader(newLeader: try reader.read())
        case .changeUnit:
            self = .changeUnit(newUnitId: try reader.read())
        case .changeDeliverableForm:
            self = .changeDeliverableForm(newForm: try reader.read())
        case .changeTitle:
            self = .changeTitle(newTitle: try reader.read())
        case .changeMembers:
            self = .changeMembers(add: try reader.read(), remove: try reader.readPersonalIdNumbers())
        case .majorContentAdjustment:
            self = .majorContentAdjustment(
                original: try reader.read(), adjusted: try reader.read(), impact: try reader.read())
        case .selfTermination:
            self = .selfTermination(reason: try reader.read(), fundsUsed: try reader.read())
        case .withdrawal:
            self = .withdrawal(reason: try reader.read(), fundsReceived: try reader.read())
        }
    }
}

extension ChangeDetails {
    private enum CodingKeys: String, CodingKey {
        case kind
        case newEndDate
        case progress
        case plan
        case newLeader
        case newUnitId
        case newForm
        case newTitle
        case add
        case remove
        case original
        case adjusted
        case impact
        case reason
        case fundsUsed
        case fundsReceived
    }

    /// The kind and the fields of docs/cli.md's `details`: `{"kind": "extension", "newEndDate": …, …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .extension(let newEndDate, let progress, let plan):
            try container.encode(newEndDate, forKey: .newEndDate)
            try container.encode(progress, forKey: .progress)
            try container.encode(plan, forKey: .plan)
        case .changeLeader(let newLeader):
            try container.encode(newLeader, forKey: .newLeader)
        case .changeUnit(let newUnitId):
            try container.encode(newUnitId, forKey: .newUnitId)
        case .changeDeliverableForm(let newForm):
            try container.encode(newForm, forKey: .newForm)
        case .changeTitle(let newTitle):
            try container.encode(newTitle, forKey: .newTitle)
        case .changeMembers(let add, let remove):
            try container.encode(add, forKey: .add)
            try container.encode(remove, forKey: .remove)
        case .majorContentAdjustment(let original, let adjusted, let impact):
            try container.encode(original, forKey: .original)
            try container.encode(adjusted, forKey: .adjusted)
            try container.encode(impact, forKey: .impact)
        case .selfTermination(let reason, let fundsUsed):
            try container.encode(reason, forKey: .reason)
            try container.encode(fundsUsed, forKey: .fundsUsed)
        case .withdrawal(let reason, let fundsReceived):
            try container.encode(reason, forKey: .reason)
            try container.encode(fundsReceived, forKey: .fundsReceived)
        }
    }

    /// Reads the form `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(ChangeKind.self, forKey: .kind) {
        case .extension:
            self = .extension(
                newEndDate: try c.decode(CalendarDate.self, forKey: .newEndDate),
                progress: try c.decode(String.self, forKey: .progress), plan: try c.decode(String.self, forKey: .plan))
        case .changeLeader: self = .changeLeader(newLeader: try c.decode(Person.self, forKey: .newLeader))
        case .changeUnit: self = .changeUnit(newUnitId: try c.decode(String.self, forKey: .newUnitId))
        case .changeDeliverableForm:
            self = .changeDeliverableForm(newForm: try c.decode(DeliverableForm.self, forKey: .newForm))
        case .changeTitle: self = .changeTitle(newTitle: try c.decode(String.self, forKey: .newTitle))
        case .changeMembers:
            self = .changeMembers(
                add: try c.decode([Member].self, forKey: .add), remove: try c.decode([String].self, forKey: .remove))
        case .majorContentAdjustment:
            self = .majorContentAdjustment(
                original: try c.decode(String.self, forKey: .original),
                adjusted: try c.decode(String.self, forKey: .adjusted),
                impact: try c.decode(String.self, forKey: .impact))
        case .selfTermination:
            self = .selfTermination(
                reason: try c.decode(String.self, forKey: .reason),
                fundsUsed: try c.decode(Fen.self, forKey: .fundsUsed))
        case .withdrawal:
            self = .withdrawal(
                reason: try c.decode(String.self, forKey: .reason),
                fundsReceived: try c.decode(Fen.self, forKey: .fundsReceived))
        }
    }
}
