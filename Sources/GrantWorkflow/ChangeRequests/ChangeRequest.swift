/// A change request (重要事项变更): the read model the engine stores under `changeRequest(id)`.
public struct ChangeRequest: Codable, Sendable, Hashable, BinaryCodable {
    /// The request id.
    public var id: String
    /// The project.
    public var projectNo: String
    /// The kind; fixed at drafting.
    public var kind: ChangeKind
    /// The kind's details.
    public var details: ChangeDetails
    /// The leader's reason (变更理由).
    public var reason: String
    /// The status.
    public var status: ItemStatus
    /// The level the request waits for while pending.
    public var awaiting: Awaiting?
    /// Every review decision, oldest first (R-CHG-10).
    public var decisions: [ReviewRecord]
    /// Attached files (R-ATT-2).
    public var attachments: [AttachmentRef]
    /// The leader account that drafted it.
    public var createdBy: String
    /// When it was drafted.
    public var createdAt: Timestamp
    /// When it was last submitted.
    public var submittedAt: Timestamp?
    /// When it was first submitted: the 90 days of R-CHG-9 count from here (rev. 2). A recall makes
    /// the request a draft again and clears it; a return by a reviewer keeps it.
    public var firstSubmittedAt: Timestamp?
    /// When it took effect.
    public var effectiveAt: Timestamp?
    /// Before and after of each project attribute it changed, recorded when it took effect (R-CHG-10).
    public var changes: [FieldChange]
    /// Whether a filing record (备案) went to the provincial and national offices (R-CHG-6).
    public var filed: Bool
    /// Why it was closed automatically (R-CHG-8).
    public var closedReason: String?

    /// Creates a draft.
    public init(
        id: String, projectNo: String, details: ChangeDetails, reason: String, createdBy: String, createdAt: Timestamp
    ) {
        self.id = id
        self.projectNo = projectNo
        self.kind = details.kind
        self.details = details
        self.reason = reason
        self.status = .draft
        self.awaiting = nil
        self.decisions = []
        self.attachments = []
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.submittedAt = nil
        self.firstSubmittedAt = nil
        self.effectiveAt = nil
        self.changes = []
        self.filed = false
        self.closedReason = nil
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(projectNo)
        writer.write(kind)
        writer.write(details)
        writer.write(reason)
        writer.write(status)
        writer.write(awaiting)
        writer.write(decisions)
        writer.write(attachments)
        writer.write(createdBy)
        writer.write(createdAt)
        writer.write(submittedAt)
        writer.write(firstSubmittedAt)
        writer.write(effectiveAt)
        writer.write(changes)
        writer.write(filed)
        writer.write(closedReason)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        id = try reader.read()
        projectNo = try reader.read()
        kind = try reader.read()
        details = try reader.read()
        reason = try reader.read()
        status = try reader.read()
        awaiting = try reader.read()
        decisions = try reader.read()
        attachments = try reader.read()
        createdBy = try reader.read()
        createdAt = try reader.read()
        submittedAt = try reader.read()
        firstSubmittedAt = try reader.read()
        effectiveAt = try reader.read()
        changes = try reader.read()
        filed = try reader.read()
        closedReason = try reader.read()
    }
}

/// One project attribute before and after a change, as text for the approval form (R-CHG-10, R-PRJ-4).
public struct FieldChange: Codable, Sendable, Hashable, BinaryCodable {
    /// The attribute (`plannedEndDate`, `leader`, `unitId`, `deliverableForm`, `title`, `members`, `content`, `status`, `budget`).
    public var field: String
    /// The value before.
    public var before: String
    /// The value after.
    public var after: String

    /// Creates a change record.
    public init(field: String, before: String, after: String) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(field)
        writer.write(before)
        writer.write(after)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        field = try reader.read()
        before = try reader.read()
        after = try reader.read()
    }
}
