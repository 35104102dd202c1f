/// An approved (立项) project: the read model the engine stores under `project(no)` (docs/rules.md §2).
public struct Project: Codable, Sendable, Hashable, BinaryCodable {
    /// 项目批准号, e.g. `24BZX123`; unique.
    public var projectNo: String
    /// The title.
    public var title: String
    /// The category.
    public var category: ProjectCategory
    /// The discipline (学科).
    public var discipline: String
    /// The responsible unit.
    public var unitId: String
    /// The leader; the leader's ID number decides who sees the project (R-PRJ-2).
    public var leader: Person
    /// The research group.
    public var members: [Member]
    /// The approval date (立项).
    public var approvedOn: CalendarDate
    /// The current planned end date.
    public var plannedEndDate: CalendarDate
    /// The deliverable form.
    public var deliverableForm: DeliverableForm
    /// The effective budget.
    public var budget: Budget
    /// The status (R-PRJ-1).
    public var status: ProjectStatus
    /// The number of extensions that took effect (R-CHG-9).
    public var extensionCount: Int
    /// The major content adjustments that took effect, oldest first.
    public var contentAdjustments: [ContentAdjustment]
    /// Ids of the change requests that took effect, oldest first (R-CLO-8).
    public var effectiveChangeRequests: [String]
    /// Whether a closeout is submitted and not yet concluded, returned or recalled (R-CHG-4, R-PRJ-3).
    public var closeoutUnderReview: Bool
    /// The most urgent deadline reminder already sent, for the current end date (R-NTF-2).
    public var lastReminder: DeadlineReminder?
    /// The end date for which the project was last listed as overdue (R-NTF-2).
    public var overdueListedFor: CalendarDate?
    /// The closeout grade, once completed.
    public var grade: Grade?
    /// The closeout certificate number, once completed.
    public var certificateNo: String?

    /// Creates a project as registered: active, no extension, no history.
    public init(
        projectNo: String, title: String, category: ProjectCategory, discipline: String, unitId: String,
        leader: Person, members: [Member], approvedOn: CalendarDate, plannedEndDate: CalendarDate,
        deliverableForm: DeliverableForm, budget: Budget
    ) {
        self.projectNo = projectNo
        self.title = title
        self.category = category
        self.discipline = discipline
        self.unitId = unitId
        self.leader = leader
        self.members = members
        self.approvedOn = approvedOn
        self.plannedEndDate = plannedEndDate
        self.deliverableForm = deliverableForm
        self.budget = budget
        self.status = .active
        self.extensionCount = 0
        self.contentAdjustments = []
        self.effectiveChangeRequests = []
        self.closeoutUnderReview = false
        self.lastReminder = nil
        self.overdueListedFor = nil
        self.grade = nil
        self.certificateNo = nil
    }

    /// Whether the project accepts leader actions: active and no closeout under review (R-CHG-4).
    public var acceptsChanges: Bool { status == .active && !closeoutUnderReview }

    /// Whether the project is overdue on `today` (R-PRJ-3): computed, never stored.
    public func isOverdue(on today: CalendarDate) -> Bool {
        status == .active && !closeoutUnderReview && today > plannedEndDate
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(title)
        writer.write(category)
        writer.write(discipline)
        writer.write(unitId)
        writer.write(leader)
        writer.write(members)
        writer.write(approvedOn)
        writer.write(plannedEndDate)
        writer.write(deliverableForm)
        writer.write(budget)
        writer.write(status)
        writer.write(extensionCount)
        writer.write(contentAdjustments)
        writer.write(effectiveChangeRequests)
        writer.write(closeoutUnderReview)
        writer.write(lastReminder)
        writer.write(overdueListedFor)
        writer.write(grade)
        writer.write(certificateNo)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        title = try reader.read()
        category = try reader.read()
        discipline = try reader.read()
        unitId = try reader.read()
        leader = try reader.read()
        members = try reader.read()
        approvedOn = try reader.read()
        plannedEndDate = try reader.read()
        deliverableForm = try reader.read()
        budget = try reader.read()
        status = try reader.read()
        extensionCount = try reader.read()
        contentAdjustments = try reader.read()
        effectiveChangeRequests = try reader.read()
        closeoutUnderReview = try reader.read()
        lastReminder = try reader.read()
        overdueListedFor = try reader.read()
        grade = try reader.read()
        certificateNo = try reader.read()
    }
}

/// Whether `project` is overdue on `today` (R-PRJ-3).
public func isOverdue(_ project: Project, today: CalendarDate) -> Bool { project.isOverdue(on: today) }

/// A major adjustment of research content that took effect (研究内容有重大调整).
public struct ContentAdjustment: Codable, Sendable, Hashable, BinaryCodable {
    /// The change request that made it.
    public var requestId: String
    /// The original content.
    public var original: String
    /// The adjusted content.
    public var adjusted: String
    /// The expected impact.
    public var impact: String

    /// Creates an adjustment record.
    public init(requestId: String, original: String, adjusted: String, impact: String) {
        self.requestId = requestId
        self.original = original
        self.adjusted = adjusted
        self.impact = impact
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(requestId)
        writer.write(original)
        writer.write(adjusted)
        writer.write(impact)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        requestId = try reader.read()
        original = try reader.read()
        adjusted = try reader.read()
        impact = try reader.read()
    }
}

/// A deadline reminder sent by the sweep (R-NTF-2).
public struct DeadlineReminder: Codable, Sendable, Hashable, BinaryCodable {
    /// The end date the reminder was about.
    public var plannedEndDate: CalendarDate
    /// How many days before it the reminder threshold was (120, 90 by default).
    public var daysBefore: Int

    /// Creates a reminder record.
    public init(plannedEndDate: CalendarDate, daysBefore: Int) {
        self.plannedEndDate = plannedEndDate
        self.daysBefore = daysBefore
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(plannedEndDate)
        writer.write(daysBefore)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        plannedEndDate = try reader.read()
        daysBefore = try reader.read()
    }
}
