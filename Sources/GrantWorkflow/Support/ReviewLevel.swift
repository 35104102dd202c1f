/// A level of review, from the unit up (R-CHG-5).
public enum ReviewLevel: String, Sendable, Codable, CaseIterable, Comparable, BinaryCodable, Labeled {
    /// The responsible unit (责任单位).
    case unit
    /// The unit that receives a project in a `changeUnit` request, after the current unit (R-CHG-6, rev. 2).
    case receivingUnit
    /// The provincial office (省级社科规划办).
    case province
    /// The national office (全国社科工作办).
    case national

    /// The next level up, nil at national.
    public var next: ReviewLevel? {
        switch self {
        case .unit, .receivingUnit: return .province
        case .province: return .national
        case .national: return nil
        }
    }

    /// The admin role that reviews at this level.
    public var reviewerRole: Role {
        switch self {
        case .unit, .receivingUnit: return .unitAdmin
        case .province: return .provincialOffice
        case .national: return .nationalOffice
        }
    }

    var rank: Int {
        switch self {
        case .unit: return 0
        case .receivingUnit: return 1
        case .province: return 2
        case .national: return 3
        }
    }

    /// Orders from unit to national.
    public static func < (lhs: ReviewLevel, rhs: ReviewLevel) -> Bool { lhs.rank < rhs.rank }

    /// The label of the level.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.unit, .zh): return "责任单位"
        case (.unit, .en): return "Unit"
        case (.receivingUnit, .zh): return "接收单位"
        case (.receivingUnit, .en): return "Receiving unit"
        case (.province, .zh): return "省级社科规划办"
        case (.province, .en): return "Province"
        case (.national, .zh): return "全国社科工作办"
        case (.national, .en): return "National office"
        }
    }
}

/// What a pending item waits for (`awaiting` in queries).
public enum Awaiting: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// The unit's review.
    case unit
    /// The receiving unit's agreement to a `changeUnit` request (R-CHG-6, rev. 2).
    case receivingUnit
    /// The province's review.
    case province
    /// Expert appraisal (closeouts only).
    case appraisal
    /// The national office's review or conclusion.
    case national

    /// The review level, nil while awaiting appraisal.
    public var level: ReviewLevel? {
        switch self {
        case .unit: return .unit
        case .receivingUnit: return .receivingUnit
        case .province: return .province
        case .national: return .national
        case .appraisal: return nil
        }
    }

    /// The awaiting state of a review level.
    public init(_ level: ReviewLevel) {
        switch level {
        case .unit: self = .unit
        case .receivingUnit: self = .receivingUnit
        case .province: self = .province
        case .national: self = .national
        }
    }

    /// The label, as in 待单位审核.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.unit, .zh): return "待单位审核"
        case (.unit, .en): return "Awaiting unit review"
        case (.receivingUnit, .zh): return "待接收单位审核"
        case (.receivingUnit, .en): return "Awaiting the receiving unit"
        case (.province, .zh): return "待省级审核"
        case (.province, .en): return "Awaiting provincial review"
        case (.appraisal, .zh): return "待鉴定"
        case (.appraisal, .en): return "Awaiting appraisal"
        case (.national, .zh): return "待全国社科工作办审核"
        case (.national, .en): return "Awaiting national review"
        }
    }
}

/// A reviewer's decision (R-CHG-5, R-CLO-4, R-BUD-4).
public enum ReviewDecision: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 同意: moves the item to the next level, or makes it effective at the final one.
    case approve
    /// 退回修改: back to the leader for editing.
    case `return`
    /// 不通过: back to the leader (status `returned`), recorded as a rejection.
    case reject
    /// 不受理: back to the leader (status `returned`), recorded as not accepted.
    case notAccept

    /// The label of the decision.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.approve, .zh): return "同意"
        case (.approve, .en): return "Approved"
        case (.return, .zh): return "退回修改"
        case (.return, .en): return "Returned for revision"
        case (.reject, .zh): return "不通过"
        case (.reject, .en): return "Rejected"
        case (.notAccept, .zh): return "不受理"
        case (.notAccept, .en): return "Not accepted"
        }
    }
}

/// One reviewer's decision on an item, as the approval form prints it (R-CHG-10).
public struct ReviewRecord: Codable, Sendable, Hashable, BinaryCodable {
    /// The level that decided.
    public var level: ReviewLevel
    /// The decision.
    public var decision: ReviewDecision
    /// The reviewer's opinion (审核意见).
    public var opinion: String
    /// The reviewing account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates a record.
    public init(level: ReviewLevel, decision: ReviewDecision, opinion: String, by: String, at: Timestamp) {
        self.level = level
        self.decision = decision
        self.opinion = opinion
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(level)
        writer.write(decision)
        writer.write(opinion)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        level = try reader.read()
        decision = try reader.read()
        opinion = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// The status of a change request or budget adjustment (docs/cli.md "Statuses in JSON").
public enum ItemStatus: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 草稿: being written by the leader.
    case draft
    /// Submitted, awaiting a level (see ``Awaiting``).
    case pending
    /// 退回修改: returned (or rejected, or not accepted); editable and resubmittable.
    case returned
    /// 已生效.
    case effective
    /// 已撤销: cancelled by the leader.
    case cancelled
    /// 已关闭: closed automatically when the project left `active` (R-CHG-8).
    case closed

    /// Whether the item is open: draft, pending or returned (R-CHG-3, R-BUD-4).
    public var isOpen: Bool { self == .draft || self == .pending || self == .returned }

    /// Whether the leader may edit it: draft or returned.
    public var isEditable: Bool { self == .draft || self == .returned }

    /// The label of the status alone (see ``statusLabel(_:awaiting:_:)`` for 待单位审核 …).
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.draft, .zh): return "草稿"
        case (.draft, .en): return "Draft"
        case (.pending, .zh): return "审核中"
        case (.pending, .en): return "Pending"
        case (.returned, .zh): return "退回修改"
        case (.returned, .en): return "Returned"
        case (.effective, .zh): return "已生效"
        case (.effective, .en): return "Effective"
        case (.cancelled, .zh): return "已撤销"
        case (.cancelled, .en): return "Cancelled"
        case (.closed, .zh): return "已关闭"
        case (.closed, .en): return "Closed"
        }
    }
}

/// The label of an item's status with what it awaits: 待单位审核 for a request pending at the unit, else the status label.
public func statusLabel(_ status: ItemStatus, awaiting: Awaiting?, _ language: Language) -> String {
    if status == .pending, let awaiting { return awaiting.label(language) }
    return status.label(language)
}
