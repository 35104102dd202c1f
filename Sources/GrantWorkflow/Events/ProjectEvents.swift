/// Payload of `ProjectRegistered` (v1): an approved project arrives, active.
public struct ProjectRegistered: Codable, Sendable, Hashable, BinaryCodable {
    /// The project as registered (status active, no history).
    public var project: Project
    /// The national office account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(project: Project, by: String, at: Timestamp) {
        self.project = project
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(project)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        project = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `LeaderIdNumberSet` (v1): the unit admin set the leader's ID number (R-PRJ-2).
public struct LeaderIdNumberSet: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The new document type.
    public var idType: IdType
    /// The new number.
    public var idNumber: String
    /// The document type before.
    public var previousIdType: IdType
    /// The number before.
    public var previousIdNumber: String
    /// The unit admin.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        projectNo: String, idType: IdType, idNumber: String, previousIdType: IdType, previousIdNumber: String,
        by: String, at: Timestamp
    ) {
        self.projectNo = projectNo
        self.idType = idType
        self.idNumber = idNumber
        self.previousIdType = previousIdType
        self.previousIdNumber = previousIdNumber
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(idType)
        writer.writePersonal(idNumber, of: .person(idNumber))
        writer.write(previousIdType)
        writer.writePersonal(previousIdNumber, of: .person(previousIdNumber))
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        idType = try reader.read()
        idNumber = try reader.readPersonal()
        previousIdType = try reader.read()
        previousIdNumber = try reader.readPersonal()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `ProjectEndDateExtended` (v1): an extension took effect (R-CHG-7).
public struct ProjectEndDateExtended: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The change request.
    public var requestId: String
    /// The end date before.
    public var from: CalendarDate
    /// The new end date.
    public var to: CalendarDate

    /// Creates the payload.
    public init(projectNo: String, requestId: String, from: CalendarDate, to: CalendarDate) {
        self.projectNo = projectNo
        self.requestId = requestId
        self.from = from
        self.to = to
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(requestId)
        writer.write(from)
        writer.write(to)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        requestId = try reader.read()
        from = try reader.read()
        to = try reader.read()
    }
}

/// Payload of `ProjectLeaderChanged` (v1): the new leader now decides visibility (R-CHG-7).
public struct ProjectLeaderChanged: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The change request.
    public var requestId: String
    /// The leader before.
    public var from: Person
    /// The new leader.
    public var to: Person

    /// Creates the payload.
    public init(projectNo: String, requestId: String, from: Person, to: Person) {
        self.projectNo = projectNo
        self.requestId = requestId
        self.from = from
        self.to = to
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(requestId)
        writer.write(from)
        writer.write(to)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        requestId = try reader.read()
        from = try reader.read()
        to = try reader.read()
    }
}

/// Payload of `ProjectUnitChanged` and `ProjectTitleChanged` (v1): a text attribute before and after (R-CHG-7).
public struct ProjectTextChanged: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The change request.
    public var requestId: String
    /// The value before.
    public var from: String
    /// The new value.
    public var to: String

    /// Creates the payload.
    public init(projectNo: String, requestId: String, from: String, to: String) {
        self.projectNo = projectNo
        self.requestId = requestId
        self.from = from
        self.to = to
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(requestId)
        writer.write(from)
        writer.write(to)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        requestId = try reader.read()
        from = try reader.read()
        to = try reader.read()
    }
}

/// Payload of `ProjectDeliverableFormChanged` (v1) (R-CHG-7).
public struct ProjectDeliverableFormChanged: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The change request.
    public var requestId: String
    /// The form before.
    public var from: DeliverableForm
    /// The new form.
    public var to: DeliverableForm

    /// Creates the payload.
    public init(projectNo: String, requestId: String, from: DeliverableForm, to: DeliverableForm) {
        self.projectNo = projectNo
        self.requestId = requestId
        self.from = from
        self.to = to
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(requestId)
        writer.write(from)
        writer.write(to)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        requestId = try reader.read()
        from = try reader.read()
        to = try reader.read()
    }
}

/// Payload of `ProjectMembersChanged` (v1): members added and removed (R-CHG-7).
public struct ProjectMembersChanged: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The change request.
    public var requestId: String
    /// Members added.
    public var added: [Member]
    /// ID numbers of the members removed.
    public var removed: [String]

    /// Creates the payload.
    public init(projectNo: String, requestId: String, added: [Member], removed: [String]) {
        self.projectNo = projectNo
        self.requestId = requestId
        self.added = added
        self.removed = removed
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(requestId)
        writer.write(added)
        writer.writePersonalIdNumbers(removed)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        requestId = try reader.read()
        added = try reader.read()
        removed = try reader.readPersonalIdNumbers()
    }
}

/// Payload of `ProjectContentAdjusted` (v1): a major content adjustment took effect (R-CHG-7).
public struct ProjectContentAdjusted: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The adjustment.
    public var adjustment: ContentAdjustment

    /// Creates the payload.
    public init(projectNo: String, adjustment: ContentAdjustment) {
        self.projectNo = projectNo
        self.adjustment = adjustment
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(adjustment)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        adjustment = try reader.read()
    }
}

/// Payload of `ProjectTerminated` and `ProjectWithdrawn` (v1): the project left `active` through a change request (R-CHG-7).
public struct ProjectEnded: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The change request.
    public var requestId: String
    /// The leader's reason.
    public var reason: String
    /// Funds used (termination) or received (withdrawal).
    public var amount: Fen

    /// Creates the payload.
    public init(projectNo: String, requestId: String, reason: String, amount: Fen) {
        self.projectNo = projectNo
        self.requestId = requestId
        self.reason = reason
        self.amount = amount
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(requestId)
        writer.write(reason)
        writer.write(amount)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        requestId = try reader.read()
        reason = try reader.read()
        amount = try reader.read()
    }
}

/// Payload of `ProjectCompleted` (v1): the closeout concluded `completed` (R-CLO-7).
public struct ProjectCompleted: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The closeout.
    public var closeoutId: String
    /// The final grade (nil for an exempt closeout concluded without one).
    public var grade: Grade?
    /// The certificate number.
    public var certificateNo: String

    /// Creates the payload.
    public init(projectNo: String, closeoutId: String, grade: Grade?, certificateNo: String) {
        self.projectNo = projectNo
        self.closeoutId = closeoutId
        self.grade = grade
        self.certificateNo = certificateNo
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(closeoutId)
        writer.write(grade)
        writer.write(certificateNo)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        closeoutId = try reader.read()
        grade = try reader.read()
        certificateNo = try reader.read()
    }
}

/// Payload of `ProjectBudgetAdjusted` (v1): a budget adjustment took effect (R-BUD-3).
public struct ProjectBudgetAdjusted: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The adjustment.
    public var adjustmentId: String
    /// The budget before.
    public var from: Budget
    /// The new budget.
    public var to: Budget

    /// Creates the payload.
    public init(projectNo: String, adjustmentId: String, from: Budget, to: Budget) {
        self.projectNo = projectNo
        self.adjustmentId = adjustmentId
        self.from = from
        self.to = to
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(adjustmentId)
        writer.write(from)
        writer.write(to)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        adjustmentId = try reader.read()
        from = try reader.read()
        to = try reader.read()
    }
}

/// Payload of `DeadlineReminderSent` (v1): the sweep reminded the leader once for this threshold (R-NTF-2).
public struct DeadlineReminderSent: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The end date it is about.
    public var plannedEndDate: CalendarDate
    /// The threshold (120, 90).
    public var daysBefore: Int
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(projectNo: String, plannedEndDate: CalendarDate, daysBefore: Int, at: Timestamp) {
        self.projectNo = projectNo
        self.plannedEndDate = plannedEndDate
        self.daysBefore = daysBefore
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(plannedEndDate)
        writer.write(daysBefore)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        plannedEndDate = try reader.read()
        daysBefore = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `ProjectListedOverdue` (v1): the sweep listed the project as overdue for its unit (R-NTF-2).
public struct ProjectListedOverdue: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// The end date that passed.
    public var plannedEndDate: CalendarDate
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(projectNo: String, plannedEndDate: CalendarDate, at: Timestamp) {
        self.projectNo = projectNo
        self.plannedEndDate = plannedEndDate
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(plannedEndDate)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        plannedEndDate = try reader.read()
        at = try reader.read()
    }
}

/// How the national office ends a project (R-PRJ-5): 终止 or 撤项.
public enum ProjectEndOutcome: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 终止.
    case terminated
    /// 撤项.
    case withdrawn

    /// The project status it leaves.
    public var status: ProjectStatus { self == .terminated ? .terminated : .withdrawn }

    /// The label of the outcome.
    public func label(_ language: Language) -> String { status.label(language) }
}

/// Payload of `ProjectEndedByOffice` (v1): the national office ended the project (R-PRJ-5, rev. 2).
public struct ProjectEndedByOffice: Codable, Sendable, Hashable, BinaryCodable {
    /// The project.
    public var projectNo: String
    /// Terminated or withdrawn.
    public var outcome: ProjectEndOutcome
    /// The office's reason.
    public var reason: String
    /// The national office account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(projectNo: String, outcome: ProjectEndOutcome, reason: String, by: String, at: Timestamp) {
        self.projectNo = projectNo
        self.outcome = outcome
        self.reason = reason
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(outcome)
        writer.write(reason)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        outcome = try reader.read()
        reason = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}
