/// Payload of submit, recall and cancel events of change requests, closeouts and budget adjustments (v1).
public struct ItemStep: Codable, Sendable, Hashable, BinaryCodable {
    /// The request, closeout or adjustment.
    public var itemId: String
    /// The project.
    public var projectNo: String
    /// The leader account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(itemId: String, projectNo: String, by: String, at: Timestamp) {
        self.itemId = itemId
        self.projectNo = projectNo
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(itemId)
        writer.write(projectNo)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        itemId = try reader.read()
        projectNo = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `ChangeRequestReviewed`, `CloseoutReviewed` and `BudgetAdjustmentReviewed` (v1).
public struct ItemReviewed: Codable, Sendable, Hashable, BinaryCodable {
    /// The request, closeout or adjustment.
    public var itemId: String
    /// The project.
    public var projectNo: String
    /// The decision.
    public var record: ReviewRecord
    /// What the item awaits next after an approval that is not final; nil otherwise.
    public var next: Awaiting?

    /// Creates the payload.
    public init(itemId: String, projectNo: String, record: ReviewRecord, next: Awaiting?) {
        self.itemId = itemId
        self.projectNo = projectNo
        self.record = record
        self.next = next
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(itemId)
        writer.write(projectNo)
        writer.write(record)
        writer.write(next)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        itemId = try reader.read()
        projectNo = try reader.read()
        record = try reader.read()
        next = try reader.read()
    }
}

/// Payload of `ChangeRequestTookEffect` and `BudgetAdjustmentTookEffect` (v1).
public struct ItemTookEffect: Codable, Sendable, Hashable, BinaryCodable {
    /// The request or adjustment.
    public var itemId: String
    /// The project.
    public var projectNo: String
    /// Whether a filing record (备案) went to the higher offices (R-CHG-6, R-BUD-3).
    public var filed: Bool
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(itemId: String, projectNo: String, filed: Bool, at: Timestamp) {
        self.itemId = itemId
        self.projectNo = projectNo
        self.filed = filed
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(itemId)
        writer.write(projectNo)
        writer.write(filed)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        itemId = try reader.read()
        projectNo = try reader.read()
        filed = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `ChangeRequestClosed`, `CloseoutClosed` and `BudgetAdjustmentClosed` (v1): closed because the project left `active` (R-CHG-8).
public struct ItemClosed: Codable, Sendable, Hashable, BinaryCodable {
    /// The request, closeout or adjustment.
    public var itemId: String
    /// The project.
    public var projectNo: String
    /// Why: the project's new status (`terminated`, `withdrawn`, `completed`).
    public var reason: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(itemId: String, projectNo: String, reason: String, at: Timestamp) {
        self.itemId = itemId
        self.projectNo = projectNo
        self.reason = reason
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(itemId)
        writer.write(projectNo)
        writer.write(reason)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        itemId = try reader.read()
        projectNo = try reader.read()
        reason = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `ChangeRequestDrafted` and `ChangeRequestEdited` (v1).
public struct ChangeRequestContent: Codable, Sendable, Hashable, BinaryCodable {
    /// The request.
    public var requestId: String
    /// The project.
    public var projectNo: String
    /// The details (they carry the kind).
    public var details: ChangeDetails
    /// The leader's reason.
    public var reason: String
    /// The leader account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        requestId: String, projectNo: String, details: ChangeDetails, reason: String, by: String, at: Timestamp
    ) {
        self.requestId = requestId
        self.projectNo = projectNo
        self.details = details
        self.reason = reason
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(requestId)
        writer.write(projectNo)
        writer.write(details)
        writer.write(reason)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        requestId = try reader.read()
        projectNo = try reader.read()
        details = try reader.read()
        reason = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `CloseoutOpened` (v1) (R-CLO-1).
public struct CloseoutOpened: Codable, Sendable, Hashable, BinaryCodable {
    /// The closeout.
    public var closeoutId: String
    /// The project.
    public var projectNo: String
    /// The leader account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(closeoutId: String, projectNo: String, by: String, at: Timestamp) {
        self.closeoutId = closeoutId
        self.projectNo = projectNo
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(closeoutId)
        writer.write(projectNo)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        closeoutId = try reader.read()
        projectNo = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `CloseoutSectionSaved` (v1).
public struct CloseoutSectionSaved: Codable, Sendable, Hashable, BinaryCodable {
    /// The closeout.
    public var closeoutId: String
    /// The project.
    public var projectNo: String
    /// The section and its data.
    public var data: CloseoutSectionData
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(closeoutId: String, projectNo: String, data: CloseoutSectionData, at: Timestamp) {
        self.closeoutId = closeoutId
        self.projectNo = projectNo
        self.data = data
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(closeoutId)
        writer.write(projectNo)
        writer.write(data)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        closeoutId = try reader.read()
        projectNo = try reader.read()
        data = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `AppraisalExpertsAssigned` (v1) (R-CLO-5).
public struct AppraisalExpertsAssigned: Codable, Sendable, Hashable, BinaryCodable {
    /// The closeout.
    public var closeoutId: String
    /// The project.
    public var projectNo: String
    /// The expert accounts.
    public var experts: [String]
    /// The organising office account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(closeoutId: String, projectNo: String, experts: [String], by: String, at: Timestamp) {
        self.closeoutId = closeoutId
        self.projectNo = projectNo
        self.experts = experts
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(closeoutId)
        writer.write(projectNo)
        writer.write(experts)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        closeoutId = try reader.read()
        projectNo = try reader.read()
        experts = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `AppraisalSubmitted` (v1) (R-CLO-6).
public struct AppraisalSubmitted: Codable, Sendable, Hashable, BinaryCodable {
    /// The closeout.
    public var closeoutId: String
    /// The project.
    public var projectNo: String
    /// The appraisal.
    public var appraisal: Appraisal

    /// Creates the payload.
    public init(closeoutId: String, projectNo: String, appraisal: Appraisal) {
        self.closeoutId = closeoutId
        self.projectNo = projectNo
        self.appraisal = appraisal
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(closeoutId)
        writer.write(projectNo)
        writer.write(appraisal)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        closeoutId = try reader.read()
        projectNo = try reader.read()
        appraisal = try reader.read()
    }
}

/// Payload of `CloseoutConcluded` (v1): the national office's conclusion (R-CLO-7, R-CLO-8).
public struct CloseoutConcluded: Codable, Sendable, Hashable, BinaryCodable {
    /// The closeout.
    public var closeoutId: String
    /// The project.
    public var projectNo: String
    /// Completed or deferred.
    public var outcome: CloseoutOutcome
    /// The final grade when completed.
    public var grade: Grade?
    /// The median of the experts' grades, if any.
    public var medianGrade: Grade?
    /// The written reason when the grade differs from the median.
    public var overrideReason: String?
    /// The certificate number when completed.
    public var certificateNo: String?
    /// The office's opinion.
    public var opinion: String
    /// The project's change requests that took effect (R-CLO-8).
    public var approvedChangeRequests: [String]
    /// The national office account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        closeoutId: String, projectNo: String, outcome: CloseoutOutcome, grade: Grade?, medianGrade: Grade?,
        overrideReason: String?, certificateNo: String?, opinion: String, approvedChangeRequests: [String],
        by: String, at: Timestamp
    ) {
        self.closeoutId = closeoutId
        self.projectNo = projectNo
        self.outcome = outcome
        self.grade = grade
        self.medianGrade = medianGrade
        self.overrideReason = overrideReason
        self.certificateNo = certificateNo
        self.opinion = opinion
        self.approvedChangeRequests = approvedChangeRequests
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(closeoutId)
        writer.write(projectNo)
        writer.write(outcome)
        writer.write(grade)
        writer.write(medianGrade)
        writer.write(overrideReason)
        writer.write(certificateNo)
        writer.write(opinion)
        writer.write(approvedChangeRequests)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        closeoutId = try reader.read()
        projectNo = try reader.read()
        outcome = try reader.read()
        grade = try reader.read()
        medianGrade = try reader.read()
        overrideReason = try reader.read()
        certificateNo = try reader.read()
        opinion = try reader.read()
        approvedChangeRequests = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `AttachmentAdded` (v1): a file reference; the bytes are stored by digest outside the log (R-ATT-1).
public struct AttachmentAdded: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The item it belongs to.
    public var owner: AttachmentOwner
    /// The reference.
    public var attachment: AttachmentRef

    /// Creates the payload.
    public init(projectNo: String, owner: AttachmentOwner, attachment: AttachmentRef) {
        self.projectNo = projectNo
        self.owner = owner
        self.attachment = attachment
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(owner)
        writer.write(attachment)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        owner = try reader.read()
        attachment = try reader.read()
    }
}

/// Payload of `BudgetAdjustmentDrafted` and `BudgetAdjustmentEdited` (v1).
public struct BudgetAdjustmentContent: Codable, Sendable, Hashable, BinaryCodable {
    /// The adjustment.
    public var adjustmentId: String
    /// The project.
    public var projectNo: String
    /// The proposed budget.
    public var proposed: Budget
    /// The stated new total, if any.
    public var newTotal: Fen?
    /// The reason.
    public var reason: String
    /// The leader account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        adjustmentId: String, projectNo: String, proposed: Budget, newTotal: Fen?, reason: String, by: String,
        at: Timestamp
    ) {
        self.adjustmentId = adjustmentId
        self.projectNo = projectNo
        self.proposed = proposed
        self.newTotal = newTotal
        self.reason = reason
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(adjustmentId)
        writer.write(projectNo)
        writer.write(proposed)
        writer.write(newTotal)
        writer.write(reason)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        adjustmentId = try reader.read()
        projectNo = try reader.read()
        proposed = try reader.read()
        newTotal = try reader.read()
        reason = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `BudgetAdjustmentSubmitted` (v1) (R-BUD-2, R-BUD-3).
public struct BudgetAdjustmentSubmitted: Codable, Sendable, Hashable, BinaryCodable {
    /// The adjustment.
    public var adjustmentId: String
    /// The project.
    public var projectNo: String
    /// Whether national approval is needed.
    public var needsNational: Bool
    /// The leader account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(adjustmentId: String, projectNo: String, needsNational: Bool, by: String, at: Timestamp) {
        self.adjustmentId = adjustmentId
        self.projectNo = projectNo
        self.needsNational = needsNational
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(adjustmentId)
        writer.write(projectNo)
        writer.write(needsNational)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        adjustmentId = try reader.read()
        projectNo = try reader.read()
        needsNational = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}
