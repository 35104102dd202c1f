/// 基本信息: the final result and how it is to be judged.
public struct CloseoutBasicInfo: Codable, Sendable, Hashable, BinaryCodable {
    /// 成果名称.
    public var title: String
    /// 成果形式.
    public var form: DeliverableForm
    /// Word count (字数).
    public var wordCount: Int
    /// Keywords, at most 4.
    public var keywords: [String]
    /// Review or exempt.
    public var appraisalMode: AppraisalMode
    /// The exemption ground; present exactly when exempt.
    public var exemptionGround: ExemptionGround?

    /// Creates the section.
    public init(
        title: String, form: DeliverableForm, wordCount: Int, keywords: [String], appraisalMode: AppraisalMode,
        exemptionGround: ExemptionGround? = nil
    ) {
        self.title = title
        self.form = form
        self.wordCount = wordCount
        self.keywords = keywords
        self.appraisalMode = appraisalMode
        self.exemptionGround = exemptionGround
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(title)
        writer.write(form)
        writer.write(wordCount)
        writer.write(keywords)
        writer.write(appraisalMode)
        writer.write(exemptionGround)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        title = try reader.read()
        form = try reader.read()
        wordCount = try reader.read()
        keywords = try reader.read()
        appraisalMode = try reader.read()
        exemptionGround = try reader.read()
    }
}

/// A member as listed in the closeout, with the contribution.
public struct CloseoutMember: Codable, Sendable, Hashable, BinaryCodable {
    /// The member.
    public var member: Member
    /// What the member contributed.
    public var contribution: String

    /// Creates an entry.
    public init(member: Member, contribution: String) {
        self.member = member
        self.contribution = contribution
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(member)
        writer.write(contribution)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        member = try reader.read()
        contribution = try reader.read()
    }
}

/// 阶段性成果: an interim output (paper, report …).
public struct InterimOutput: Codable, Sendable, Hashable, BinaryCodable {
    /// Title.
    public var title: String
    /// Form as free text (论文, 研究报告 …).
    public var form: String
    /// Authors.
    public var authors: String
    /// Where it appeared.
    public var venue: String
    /// When.
    public var date: CalendarDate

    /// Creates an entry.
    public init(title: String, form: String, authors: String, venue: String, date: CalendarDate) {
        self.title = title
        self.form = form
        self.authors = authors
        self.venue = venue
        self.date = date
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(title)
        writer.write(form)
        writer.write(authors)
        writer.write(venue)
        writer.write(date)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        title = try reader.read()
        form = try reader.read()
        authors = try reader.read()
        venue = try reader.read()
        date = try reader.read()
    }
}

/// One line of the final accounts: approved = spent + balance (R-CLO-3).
public struct AccountLine: Codable, Sendable, Hashable, BinaryCodable {
    /// The approved amount.
    public var approved: Fen
    /// The amount spent.
    public var spent: Fen
    /// The balance left.
    public var balance: Fen

    /// Creates a line.
    public init(approved: Fen, spent: Fen, balance: Fen) {
        self.approved = approved
        self.spent = spent
        self.balance = balance
    }

    /// Whether spent + balance = approved.
    public var addsUp: Bool {
        let (sum, overflow) = spent.addingReportingOverflow(balance)
        return !overflow && sum == approved
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(approved)
        writer.write(spent)
        writer.write(balance)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        approved = try reader.read()
        spent = try reader.read()
        balance = try reader.read()
    }
}

/// 资金决算: per category approved, spent and balance.
public struct FinalAccounts: Codable, Sendable, Hashable, BinaryCodable {
    /// Direct costs by category.
    public var direct: [String: AccountLine]
    /// Indirect costs.
    public var indirect: AccountLine

    /// Creates the section.
    public init(direct: [String: AccountLine], indirect: AccountLine) {
        self.direct = direct
        self.indirect = indirect
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(direct)
        writer.write(indirect)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        direct = try reader.read()
        indirect = try reader.read()
    }
}

/// 申请回避专家: an expert the leader asks to avoid (R-CLO-5).
public struct AvoidedExpert: Codable, Sendable, Hashable, BinaryCodable {
    /// The expert's name, as the leader types it.
    public var name: String
    /// The expert's unit name, as the leader types it.
    public var unit: String
    /// Why.
    public var reason: String

    /// Creates an entry.
    public init(name: String, unit: String, reason: String) {
        self.name = name
        self.unit = unit
        self.reason = reason
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(unit)
        writer.write(reason)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        name = try reader.read()
        unit = try reader.read()
        reason = try reader.read()
    }
}

/// The data of one saved section (`saveCloseoutSection`).
public enum CloseoutSectionData: Codable, Sendable, Hashable, BinaryCodable {
    /// 基本信息.
    case basicInfo(CloseoutBasicInfo)
    /// 成员信息.
    case members([CloseoutMember])
    /// 阶段性成果.
    case interimOutputs([InterimOutput])
    /// 资金决算.
    case finalAccounts(FinalAccounts)
    /// 申请回避专家.
    case avoidedExperts([AvoidedExpert])

    /// Which section this is.
    public var section: CloseoutSection {
        switch self {
        case .basicInfo: return .basicInfo
        case .members: return .members
        case .interimOutputs: return .interimOutputs
        case .finalAccounts: return .finalAccounts
        case .avoidedExperts: return .avoidedExperts
        }
    }

    /// Writes the section name and its data.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(section)
        switch self {
        case .basicInfo(let value): writer.write(value)
        case .members(let value): writer.write(value)
        case .interimOutputs(let value): writer.write(value)
        case .finalAccounts(let value): writer.write(value)
        case .avoidedExperts(let value): writer.write(value)
        }
    }

    /// Reads the section name and its data.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let section: CloseoutSection = try reader.read()
        switch section {
        case .basicInfo: self = .basicInfo(try reader.read())
        case .members: self = .members(try reader.read())
        case .interimOutputs: self = .interimOutputs(try reader.read())
        case .finalAccounts: self = .finalAccounts(try reader.read())
        case .avoidedExperts: self = .avoidedExperts(try reader.read())
        }
    }
}

extension CloseoutSectionData {
    private enum CodingKeys: String, CodingKey {
        case section
        case data
    }

    /// `{"section": "basicInfo", "data": {…}}`: the shape of `saveCloseoutSection` (docs/cli.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(section, forKey: .section)
        switch self {
        case .basicInfo(let value): try container.encode(value, forKey: .data)
        case .members(let value): try container.encode(value, forKey: .data)
        case .interimOutputs(let value): try container.encode(value, forKey: .data)
        case .finalAccounts(let value): try container.encode(value, forKey: .data)
        case .avoidedExperts(let value): try container.encode(value, forKey: .data)
        }
    }

    /// Reads the form `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(CloseoutSection.self, forKey: .section) {
        case .basicInfo: self = .basicInfo(try container.decode(CloseoutBasicInfo.self, forKey: .data))
        case .members: self = .members(try container.decode([CloseoutMember].self, forKey: .data))
        case .interimOutputs: self = .interimOutputs(try container.decode([InterimOutput].self, forKey: .data))
        case .finalAccounts: self = .finalAccounts(try container.decode(FinalAccounts.self, forKey: .data))
        case .avoidedExperts: self = .avoidedExperts(try container.decode([AvoidedExpert].self, forKey: .data))
        }
    }
}
