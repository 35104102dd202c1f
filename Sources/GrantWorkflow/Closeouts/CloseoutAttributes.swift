/// The status of a closeout (docs/cli.md: `draft`, `pending`, `returned`, `appraisal`, `completed`, `deferred`, `closed`).
public enum CloseoutStatus: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 草稿: the leader saves sections.
    case draft
    /// Submitted, awaiting the unit, the province or the national office's conclusion.
    case pending
    /// 退回修改: back with the leader after a return, rejection or non-acceptance (R-CLO-4).
    case returned
    /// 鉴定中: awaiting expert appraisal (R-CLO-5).
    case appraisal
    /// 结项: concluded with a grade and certificate (R-CLO-7).
    case completed
    /// 暂缓结项: back with the leader, who adds revision notes and resubmits (R-CLO-7).
    case deferred
    /// 已关闭: closed automatically when the project left `active` (R-CHG-8).
    case closed

    /// Whether the closeout is open (R-CLO-1): neither completed nor closed.
    public var isOpen: Bool { self != .completed && self != .closed }

    /// Whether the leader may edit sections and attachments: draft, returned or deferred.
    public var isEditable: Bool { self == .draft || self == .returned || self == .deferred }

    /// Whether the closeout is under review: pending or in appraisal.
    public var isUnderReview: Bool { self == .pending || self == .appraisal }

    /// The label of the status.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.draft, .zh): return "草稿"
        case (.draft, .en): return "Draft"
        case (.pending, .zh): return "审核中"
        case (.pending, .en): return "Pending"
        case (.returned, .zh): return "退回修改"
        case (.returned, .en): return "Returned"
        case (.appraisal, .zh): return "鉴定中"
        case (.appraisal, .en): return "In appraisal"
        case (.completed, .zh): return "结项"
        case (.completed, .en): return "Completed"
        case (.deferred, .zh): return "暂缓结项"
        case (.deferred, .en): return "Deferred"
        case (.closed, .zh): return "已关闭"
        case (.closed, .en): return "Closed"
        }
    }
}

/// An appraisal grade (R-CLO-6), ordered from `fail` to `excellent`.
public enum Grade: String, Sendable, Codable, CaseIterable, Comparable, BinaryCodable, Labeled {
    /// 优秀.
    case excellent
    /// 良好.
    case good
    /// 合格.
    case pass
    /// 不合格.
    case fail

    var rank: Int {
        switch self {
        case .fail: return 0
        case .pass: return 1
        case .good: return 2
        case .excellent: return 3
        }
    }

    /// Orders from `fail` (lowest) to `excellent`.
    public static func < (lhs: Grade, rhs: Grade) -> Bool { lhs.rank < rhs.rank }

    /// The median of `grades` (R-CLO-7); with an even count the lower of the two middle grades. Nil when empty.
    public static func median(_ grades: [Grade]) -> Grade? {
        guard !grades.isEmpty else { return nil }
        let sorted = grades.sorted()
        return sorted[(sorted.count - 1) / 2]
    }

    /// The label of the grade.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.excellent, .zh): return "优秀"
        case (.excellent, .en): return "Excellent"
        case (.good, .zh): return "良好"
        case (.good, .en): return "Good"
        case (.pass, .zh): return "合格"
        case (.pass, .en): return "Pass"
        case (.fail, .zh): return "不合格"
        case (.fail, .en): return "Fail"
        }
    }
}

/// How a closeout is judged (R-CLO-5).
public enum AppraisalMode: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 鉴定: blind expert appraisal.
    case review
    /// 免于鉴定: exempt, on a ground, with a proof attachment (R-CLO-2).
    case exempt

    /// The label of the mode.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.review, .zh): return "鉴定"
        case (.review, .en): return "Expert appraisal"
        case (.exempt, .zh): return "免于鉴定"
        case (.exempt, .en): return "Exempt"
        }
    }
}

/// The ground of an exemption from appraisal.
public enum ExemptionGround: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// The results won an award.
    case award
    /// The results were adopted by a government body.
    case adopted
    /// The results received instructions from leaders (领导批示).
    case leadershipInstruction
    /// The results are classified.
    case classified

    /// The label of the ground.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.award, .zh): return "成果获奖"
        case (.award, .en): return "Award"
        case (.adopted, .zh): return "成果被采纳"
        case (.adopted, .en): return "Adopted"
        case (.leadershipInstruction, .zh): return "获领导批示"
        case (.leadershipInstruction, .en): return "Leadership instruction"
        case (.classified, .zh): return "涉密成果"
        case (.classified, .en): return "Classified"
        }
    }
}

/// The outcome of a national conclusion (R-CLO-7).
public enum CloseoutOutcome: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 结项.
    case completed
    /// 暂缓结项.
    case deferred

    /// The label of the outcome.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.completed, .zh): return "结项"
        case (.completed, .en): return "Completed"
        case (.deferred, .zh): return "暂缓结项"
        case (.deferred, .en): return "Deferred"
        }
    }
}

/// The five sections of a closeout form (manual §5.1).
public enum CloseoutSection: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 基本信息.
    case basicInfo
    /// 成员信息.
    case members
    /// 阶段性成果.
    case interimOutputs
    /// 资金决算.
    case finalAccounts
    /// 申请回避专家.
    case avoidedExperts

    /// The label of the section.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.basicInfo, .zh): return "基本信息"
        case (.basicInfo, .en): return "Basic information"
        case (.members, .zh): return "成员信息"
        case (.members, .en): return "Members"
        case (.interimOutputs, .zh): return "阶段性成果"
        case (.interimOutputs, .en): return "Interim outputs"
        case (.finalAccounts, .zh): return "资金决算"
        case (.finalAccounts, .en): return "Final accounts"
        case (.avoidedExperts, .zh): return "申请回避专家"
        case (.avoidedExperts, .en): return "Avoided experts"
        }
    }
}
