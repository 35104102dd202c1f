/// The category of a project (项目类别).
public enum ProjectCategory: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 重大项目.
    case major
    /// 重点项目.
    case key
    /// 一般项目.
    case general
    /// 青年项目.
    case youth
    /// 西部项目.
    case western
    /// 自筹经费项目.
    case selfFunded
    /// 后期资助项目.
    case postFunded
    /// 中华学术外译项目.
    case translation
    /// 其他.
    case other

    /// Whether the national office organises this category's appraisal (R-CLO-5): major and key.
    public var appraisedNationally: Bool { self == .major || self == .key }

    /// The label of the category.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.major, .zh): return "重大项目"
        case (.major, .en): return "Major"
        case (.key, .zh): return "重点项目"
        case (.key, .en): return "Key"
        case (.general, .zh): return "一般项目"
        case (.general, .en): return "General"
        case (.youth, .zh): return "青年项目"
        case (.youth, .en): return "Youth"
        case (.western, .zh): return "西部项目"
        case (.western, .en): return "Western"
        case (.selfFunded, .zh): return "自筹经费项目"
        case (.selfFunded, .en): return "Self-funded"
        case (.postFunded, .zh): return "后期资助项目"
        case (.postFunded, .en): return "Post-funded"
        case (.translation, .zh): return "中华学术外译项目"
        case (.translation, .en): return "Translation"
        case (.other, .zh): return "其他"
        case (.other, .en): return "Other"
        }
    }
}

/// The form of a project's final deliverable (成果形式).
public enum DeliverableForm: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 专著.
    case monograph
    /// 研究报告.
    case researchReport
    /// 论文集.
    case papers
    /// 译著.
    case translation
    /// 工具书.
    case reference
    /// 数据库.
    case database
    /// 其他.
    case other

    /// The label of the form.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.monograph, .zh): return "专著"
        case (.monograph, .en): return "Monograph"
        case (.researchReport, .zh): return "研究报告"
        case (.researchReport, .en): return "Research report"
        case (.papers, .zh): return "论文集"
        case (.papers, .en): return "Collected papers"
        case (.translation, .zh): return "译著"
        case (.translation, .en): return "Translation"
        case (.reference, .zh): return "工具书"
        case (.reference, .en): return "Reference work"
        case (.database, .zh): return "数据库"
        case (.database, .en): return "Database"
        case (.other, .zh): return "其他"
        case (.other, .en): return "Other"
        }
    }
}

/// The status of a project (R-PRJ-1).
public enum ProjectStatus: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 在研.
    case active
    /// 结项.
    case completed
    /// 终止.
    case terminated
    /// 撤项.
    case withdrawn

    /// Whether the status is final: completed, terminated and withdrawn never change again.
    public var isFinal: Bool { self != .active }

    /// The label of the status.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.active, .zh): return "在研"
        case (.active, .en): return "Active"
        case (.completed, .zh): return "结项"
        case (.completed, .en): return "Completed"
        case (.terminated, .zh): return "终止"
        case (.terminated, .en): return "Terminated"
        case (.withdrawn, .zh): return "撤项"
        case (.withdrawn, .en): return "Withdrawn"
        }
    }
}
