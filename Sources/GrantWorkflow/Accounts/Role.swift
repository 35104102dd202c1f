/// The five roles of the platform (docs/rules.md §1).
public enum Role: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 全国社科工作办: everything.
    case nationalOffice
    /// 省级社科规划办 / 在京委托管理机构: the units of one province.
    case provincialOffice
    /// 责任单位管理员: the projects and accounts of one unit.
    case unitAdmin
    /// 项目负责人: the projects whose leader ID number equals the account's.
    case leader
    /// 同行评议专家: the closeouts assigned to the expert.
    case expert

    /// Whether this is an administrative role (national, provincial or unit).
    public var isAdmin: Bool { self == .nationalOffice || self == .provincialOffice || self == .unitAdmin }

    /// Whether this is a self-registered personal role (leader or expert).
    public var isPersonal: Bool { !isAdmin }

    /// The review level an admin of this role acts at; nil for personal roles.
    public var reviewLevel: ReviewLevel? {
        switch self {
        case .nationalOffice: return .national
        case .provincialOffice: return .province
        case .unitAdmin: return .unit
        case .leader, .expert: return nil
        }
    }

    /// The label of the role.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.nationalOffice, .zh): return "全国社科工作办"
        case (.nationalOffice, .en): return "National office"
        case (.provincialOffice, .zh): return "省级社科规划办"
        case (.provincialOffice, .en): return "Provincial office"
        case (.unitAdmin, .zh): return "责任单位管理员"
        case (.unitAdmin, .en): return "Unit administrator"
        case (.leader, .zh): return "项目负责人"
        case (.leader, .en): return "Project leader"
        case (.expert, .zh): return "同行评议专家"
        case (.expert, .en): return "Peer-review expert"
        }
    }
}

/// The type of an identity document (R-ACC-2).
public enum IdType: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 居民身份证: an 18-character GB 11643 number.
    case residentId
    /// 护照: free text of 5–32 characters.
    case passport
    /// Any other document: free text of 5–32 characters.
    case other

    /// The label of the type.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.residentId, .zh): return "居民身份证"
        case (.residentId, .en): return "Resident ID"
        case (.passport, .zh): return "护照"
        case (.passport, .en): return "Passport"
        case (.other, .zh): return "其他"
        case (.other, .en): return "Other"
        }
    }
}

/// The registration status of an account (R-ACC-3).
public enum RegistrationStatus: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// Awaiting the unit admin's review.
    case pending
    /// Approved: may log in and act.
    case approved
    /// Rejected: the owner may correct and resubmit.
    case rejected

    /// The label of the status.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.pending, .zh): return "待审核"
        case (.pending, .en): return "Pending"
        case (.approved, .zh): return "已通过"
        case (.approved, .en): return "Approved"
        case (.rejected, .zh): return "未通过"
        case (.rejected, .en): return "Rejected"
        }
    }
}

/// The status of an account as queries show it: registration status, or `disabled` (R-ACC-9).
public enum AccountStatus: String, Sendable, Codable, CaseIterable, Labeled {
    /// Awaiting review.
    case pending
    /// Approved and enabled.
    case approved
    /// Registration rejected.
    case rejected
    /// Disabled by an admin.
    case disabled

    /// The label of the status.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.pending, .zh): return "待审核"
        case (.pending, .en): return "Pending"
        case (.approved, .zh): return "已通过"
        case (.approved, .en): return "Approved"
        case (.rejected, .zh): return "未通过"
        case (.rejected, .en): return "Rejected"
        case (.disabled, .zh): return "已停用"
        case (.disabled, .en): return "Disabled"
        }
    }
}
