/// A closeout (结项) with its appraisal: the read model the engine stores under `closeout(id)` (docs/rules.md §4).
public struct Closeout: Codable, Sendable, Hashable, BinaryCodable {
    /// The closeout id.
    public var id: String
    /// The project.
    public var projectNo: String
    /// The status.
    public var status: CloseoutStatus
    /// What it waits for while pending or in appraisal.
    public var awaiting: Awaiting?
    /// 基本信息, once saved.
    public var basicInfo: CloseoutBasicInfo?
    /// 成员信息, once saved.
    public var members: [CloseoutMember]?
    /// 阶段性成果, once saved.
    public var interimOutputs: [InterimOutput]?
    /// 资金决算, once saved.
    public var finalAccounts: FinalAccounts?
    /// 申请回避专家, once saved.
    public var avoidedExperts: [AvoidedExpert]?
    /// Attached files (R-ATT-2).
    public var attachments: [AttachmentRef]
    /// The experts assigned to the current round of appraisal (never shown to the leader, R-CLO-5).
    public var experts: [String]
    /// The appraisals submitted in the current round (R-CLO-6).
    public var appraisals: [Appraisal]
    /// Every review decision, oldest first.
    public var decisions: [ReviewRecord]
    /// The final grade, once completed.
    public var grade: Grade?
    /// The certificate number, once completed.
    public var certificateNo: String?
    /// The national office's written reason for overriding the median grade.
    public var gradeOverrideReason: String?
    /// True after a deferral until revision notes are attached (R-CLO-7).
    public var revisionNotesRequired: Bool
    /// The change requests of the project that took effect, listed at conclusion (R-CLO-8).
    public var approvedChangeRequests: [String]
    /// The leader account that opened it.
    public var createdBy: String
    /// When it was opened.
    public var createdAt: Timestamp
    /// When it was last submitted.
    public var submittedAt: Timestamp?
    /// Why it was closed automatically (R-CHG-8).
    public var closedReason: String?

    /// Creates an empty draft.
    public init(id: String, projectNo: String, createdBy: String, createdAt: Timestamp) {
        self.id = id
        self.projectNo = projectNo
        self.status = .draft
        self.awaiting = nil
        self.basicInfo = nil
        self.members = nil
        self.interimOutputs = nil
        self.finalAccounts = nil
        self.avoidedExperts = nil
        self.attachments = []
        self.experts = []
        self.appraisals = []
        self.decisions = []
        self.grade = nil
        self.certificateNo = nil
        self.gradeOverrideReason = nil
        self.revisionNotesRequired = false
        self.approvedChangeRequests = []
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.submittedAt = nil
        self.closedReason = nil
    }

    /// The appraisal mode, once basic information is saved.
    public var appraisalMode: AppraisalMode? { basicInfo?.appraisalMode }

    /// The sections not yet saved, in form order (R-CLO-2).
    public var missingSections: [CloseoutSection] {
        var missing: [CloseoutSection] = []
        if basicInfo == nil { missing.append(.basicInfo) }
        if members == nil { missing.append(.members) }
        if interimOutputs == nil { missing.append(.interimOutputs) }
        if finalAccounts == nil { missing.append(.finalAccounts) }
        if avoidedExperts == nil { missing.append(.avoidedExperts) }
        return missing
    }

    /// Whether a file with `purpose` is attached.
    public func hasAttachment(_ purpose: AttachmentPurpose) -> Bool {
        attachments.contains { $0.purpose == purpose }
    }

    /// Stores a section's data.
    public mutating func save(_ data: CloseoutSectionData) {
        switch data {
        case .basicInfo(let value): basicInfo = value
        case .members(let value): members = value
        case .interimOutputs(let value): interimOutputs = value
        case .finalAccounts(let value): finalAccounts = value
        case .avoidedExperts(let value): avoidedExperts = value
        }
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(projectNo)
        writer.write(status)
        writer.write(awaiting)
        writer.write(basicInfo)
        writer.write(members)
        writer.write(interimOutputs)
        writer.write(finalAccounts)
        writer.write(avoidedExperts)
        writer.write(attachments)
        writer.write(experts)
        writer.write(appraisals)
        writer.write(decisions)
        writer.write(grade)
        writer.write(certificateNo)
        writer.write(gradeOverrideReason)
        writer.write(revisionNotesRequired)
        writer.write(approvedChangeRequests)
        writer.write(createdBy)
        writer.write(createdAt)
        writer.write(submittedAt)
        writer.write(closedReason)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        id = try reader.read()
        projectNo = try reader.read()
        status = try reader.read()
        awaiting = try reader.read()
        basicInfo = try reader.read()
        members = try reader.read()
        interimOutputs = try reader.read()
        finalAccounts = try reader.read()
        avoidedExperts = try reader.read()
        attachments = try reader.read()
        experts = try reader.read()
        appraisals = try reader.read()
        decisions = try reader.read()
        grade = try reader.read()
        certificateNo = try reader.read()
        gradeOverrideReason = try reader.read()
        revisionNotesRequired = try reader.read()
        approvedChangeRequests = try reader.read()
        createdBy = try reader.read()
        createdAt = try reader.read()
        submittedAt = try reader.read()
        closedReason = try reader.read()
    }
}

/// One expert's appraisal (R-CLO-6).
public struct Appraisal: Codable, Sendable, Hashable, BinaryCodable {
    /// The expert account.
    public var expertId: String
    /// The grade.
    public var grade: Grade
    /// The comments.
    public var comments: String
    /// When.
    public var at: Timestamp

    /// Creates an appraisal.
    public init(expertId: String, grade: Grade, comments: String, at: Timestamp) {
        self.expertId = expertId
        self.grade = grade
        self.comments = comments
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(expertId)
        writer.write(grade)
        writer.write(comments)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        expertId = try reader.read()
        grade = try reader.read()
        comments = try reader.read()
        at = try reader.read()
    }
}
