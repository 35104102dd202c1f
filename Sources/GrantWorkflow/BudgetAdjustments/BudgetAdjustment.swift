/// A budget adjustment (预算调整): the read model the engine stores under `budgetAdjustment(id)` (docs/rules.md §6).
public struct BudgetAdjustment: Codable, Sendable, Hashable, BinaryCodable {
    /// The adjustment id.
    public var id: String
    /// The project.
    public var projectNo: String
    /// The proposed budget: new direct table, the (unchanged) indirect amount, external allocations.
    public var proposed: Budget
    /// The new total the leader states, if any; otherwise direct sum + indirect.
    public var newTotal: Fen?
    /// The reason.
    public var reason: String
    /// The status.
    public var status: ItemStatus
    /// The level it waits for while pending.
    public var awaiting: Awaiting?
    /// Whether it needs national approval (R-BUD-3); decided at submission.
    public var needsNational: Bool
    /// Every review decision, oldest first.
    public var decisions: [ReviewRecord]
    /// Attached files (R-ATT-2).
    public var attachments: [AttachmentRef]
    /// The leader account that drafted it.
    public var createdBy: String
    /// When it was drafted.
    public var createdAt: Timestamp
    /// When it was last submitted.
    public var submittedAt: Timestamp?
    /// When it took effect.
    public var effectiveAt: Timestamp?
    /// Whether a filing record (备案) went to the national office (R-BUD-3).
    public var filed: Bool
    /// Why it was closed automatically (R-CHG-8).
    public var closedReason: String?

    /// Creates a draft.
    public init(
        id: String, projectNo: String, proposed: Budget, newTotal: Fen?, reason: String, createdBy: String,
        createdAt: Timestamp
    ) {
        self.id = id
        self.projectNo = projectNo
        self.proposed = proposed
        self.newTotal = newTotal
        self.reason = reason
        self.status = .draft
        self.awaiting = nil
        self.needsNational = false
        self.decisions = []
        self.attachments = []
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.submittedAt = nil
        self.effectiveAt = nil
        self.filed = false
        self.closedReason = nil
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(projectNo)
        writer.write(proposed)
        writer.write(newTotal)
        writer.write(reason)
        writer.write(status)
        writer.write(awaiting)
        writer.write(needsNational)
        writer.write(decisions)
        writer.write(attachments)
        writer.write(createdBy)
        writer.write(createdAt)
        writer.write(submittedAt)
        writer.write(effectiveAt)
        writer.write(filed)
        writer.write(closedReason)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        id = try reader.read()
        projectNo = try reader.read()
        proposed = try reader.read()
        newTotal = try reader.read()
        reason = try reader.read()
        status = try reader.read()
        awaiting = try reader.read()
        needsNational = try reader.read()
        decisions = try reader.read()
        attachments = try reader.read()
        createdBy = try reader.read()
        createdAt = try reader.read()
        submittedAt = try reader.read()
        effectiveAt = try reader.read()
        filed = try reader.read()
        closedReason = try reader.read()
    }
}
