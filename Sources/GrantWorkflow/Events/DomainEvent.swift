/// Every event type of the domain, named as stored (`typeName`), with its current schema version.
public enum EventType: String, Sendable, Codable, CaseIterable, Hashable {
    /// `AdminAccountCreated`: an admin account was created (bootstrap, createAdminAccount).
    case adminAccountCreated = "AdminAccountCreated"
    /// `AccountRegistered`: a leader or expert registered (schema v2; v1 is upcast).
    case accountRegistered = "AccountRegistered"
    /// `RegistrationResubmitted`: a rejected registration was corrected and resubmitted.
    case registrationResubmitted = "RegistrationResubmitted"
    /// `RegistrationReviewed`: a registration was approved or rejected.
    case registrationReviewed = "RegistrationReviewed"
    /// `AccountEnabledSet`: an account was disabled or re-enabled.
    case accountEnabledSet = "AccountEnabledSet"
    /// `ProfileCompleted`: a profile was completed or updated.
    case profileCompleted = "ProfileCompleted"
    /// `PasswordChanged`: a password changed (no secret in the event).
    case passwordChanged = "PasswordChanged"
    /// `ProvinceCreated`: a province was created.
    case provinceCreated = "ProvinceCreated"
    /// `UnitCreated`: a unit was created.
    case unitCreated = "UnitCreated"
    /// `ProjectRegistered`: a project was registered.
    case projectRegistered = "ProjectRegistered"
    /// `LeaderIdNumberSet`: a project's leader ID number was set.
    case leaderIdNumberSet = "LeaderIdNumberSet"
    /// `ProjectEndDateExtended`: an extension took effect.
    case projectEndDateExtended = "ProjectEndDateExtended"
    /// `ProjectLeaderChanged`: a change of leader took effect.
    case projectLeaderChanged = "ProjectLeaderChanged"
    /// `ProjectUnitChanged`: a change of unit took effect.
    case projectUnitChanged = "ProjectUnitChanged"
    /// `ProjectTitleChanged`: a change of title took effect.
    case projectTitleChanged = "ProjectTitleChanged"
    /// `ProjectDeliverableFormChanged`: a change of deliverable form took effect.
    case projectDeliverableFormChanged = "ProjectDeliverableFormChanged"
    /// `ProjectMembersChanged`: a change of members took effect.
    case projectMembersChanged = "ProjectMembersChanged"
    /// `ProjectContentAdjusted`: a major content adjustment took effect.
    case projectContentAdjusted = "ProjectContentAdjusted"
    /// `ProjectTerminated`: the project was terminated (自行终止).
    case projectTerminated = "ProjectTerminated"
    /// `ProjectWithdrawn`: the project was withdrawn (撤项).
    case projectWithdrawn = "ProjectWithdrawn"
    /// `ProjectCompleted`: the project was completed (结项).
    case projectCompleted = "ProjectCompleted"
    /// `ProjectBudgetAdjusted`: a budget adjustment took effect.
    case projectBudgetAdjusted = "ProjectBudgetAdjusted"
    /// `DeadlineReminderSent`: the sweep sent a deadline reminder.
    case deadlineReminderSent = "DeadlineReminderSent"
    /// `ProjectListedOverdue`: the sweep listed the project as overdue.
    case projectListedOverdue = "ProjectListedOverdue"
    /// `ChangeRequestDrafted`: a change request was drafted.
    case changeRequestDrafted = "ChangeRequestDrafted"
    /// `ChangeRequestEdited`: a change request was edited.
    case changeRequestEdited = "ChangeRequestEdited"
    /// `ChangeRequestSubmitted`: a change request was submitted.
    case changeRequestSubmitted = "ChangeRequestSubmitted"
    /// `ChangeRequestRecalled`: a change request was recalled.
    case changeRequestRecalled = "ChangeRequestRecalled"
    /// `ChangeRequestCancelled`: a change request was cancelled.
    case changeRequestCancelled = "ChangeRequestCancelled"
    /// `ChangeRequestReviewed`: a reviewer decided on a change request.
    case changeRequestReviewed = "ChangeRequestReviewed"
    /// `ChangeRequestTookEffect`: a change request took effect.
    case changeRequestTookEffect = "ChangeRequestTookEffect"
    /// `ChangeRequestClosed`: a change request was closed automatically.
    case changeRequestClosed = "ChangeRequestClosed"
    /// `CloseoutOpened`: a closeout was opened.
    case closeoutOpened = "CloseoutOpened"
    /// `CloseoutSectionSaved`: a closeout section was saved.
    case closeoutSectionSaved = "CloseoutSectionSaved"
    /// `CloseoutSubmitted`: a closeout was submitted.
    case closeoutSubmitted = "CloseoutSubmitted"
    /// `CloseoutRecalled`: a closeout was recalled.
    case closeoutRecalled = "CloseoutRecalled"
    /// `CloseoutReviewed`: the unit or province decided on a closeout.
    case closeoutReviewed = "CloseoutReviewed"
    /// `AppraisalExpertsAssigned`: appraisal experts were assigned.
    case appraisalExpertsAssigned = "AppraisalExpertsAssigned"
    /// `AppraisalSubmitted`: an expert submitted an appraisal.
    case appraisalSubmitted = "AppraisalSubmitted"
    /// `CloseoutConcluded`: the national office concluded a closeout.
    case closeoutConcluded = "CloseoutConcluded"
    /// `CloseoutClosed`: a closeout was closed automatically.
    case closeoutClosed = "CloseoutClosed"
    /// `AttachmentAdded`: a file was attached.
    case attachmentAdded = "AttachmentAdded"
    /// `BudgetAdjustmentDrafted`: a budget adjustment was drafted.
    case budgetAdjustmentDrafted = "BudgetAdjustmentDrafted"
    /// `BudgetAdjustmentEdited`: a budget adjustment was edited.
    case budgetAdjustmentEdited = "BudgetAdjustmentEdited"
    /// `BudgetAdjustmentSubmitted`: a budget adjustment was submitted.
    case budgetAdjustmentSubmitted = "BudgetAdjustmentSubmitted"
    /// `BudgetAdjustmentRecalled`: a budget adjustment was recalled.
    case budgetAdjustmentRecalled = "BudgetAdjustmentRecalled"
    /// `BudgetAdjustmentCancelled`: a budget adjustment was cancelled.
    case budgetAdjustmentCancelled = "BudgetAdjustmentCancelled"
    /// `BudgetAdjustmentReviewed`: a reviewer decided on a budget adjustment.
    case budgetAdjustmentReviewed = "BudgetAdjustmentReviewed"
    /// `BudgetAdjustmentTookEffect`: a budget adjustment took effect.
    case budgetAdjustmentTookEffect = "BudgetAdjustmentTookEffect"
    /// `BudgetAdjustmentClosed`: a budget adjustment was closed automatically.
    case budgetAdjustmentClosed = "BudgetAdjustmentClosed"
    /// `ProjectEndedByOffice`: the national office ended the project (R-PRJ-5, rev. 2).
    case projectEndedByOffice = "ProjectEndedByOffice"
    /// `SubjectErased`: a person's personal data was erased by destroying their key (R-LOG-6).
    case subjectErased = "SubjectErased"

    static let byName: [String: EventType] = {
        var table: [String: EventType] = [:]
        for type in EventType.allCases { table[type.rawValue] = type }
        return table
    }()

    /// The type with this stored name, found by hashing (fast on replay); nil when unknown.
    public init?(typeName: String) {
        guard let type = EventType.byName[typeName] else { return nil }
        self = type
    }

    /// The stored name, e.g. `ChangeRequestDrafted`.
    public var typeName: String { rawValue }

    /// The schema version written today; older versions are upcast on read.
    public var schemaVersion: Int { sealedSince ?? 1 }

    /// For the types that carry personal fields: the first schema version whose personal fields are
    /// sealed under their subjects' keys (R-LOG-6). Earlier versions hold them plain and still decode.
    public var sealedSince: Int? {
        switch self {
        case .accountRegistered: return 3
        case .adminAccountCreated, .registrationResubmitted, .profileCompleted, .projectRegistered,
            .leaderIdNumberSet, .projectLeaderChanged, .projectMembersChanged, .changeRequestDrafted,
            .changeRequestEdited, .closeoutSectionSaved:
            return 2
        default: return nil
        }
    }

    /// The schema version of the layout written before personal fields were sealed (the same layout,
    /// fields plain): what ``DomainEvent/legacyPayload`` writes.
    public var legacySchemaVersion: Int { sealedSince.map { $0 - 1 } ?? 1 }
}

/// A domain event: what happened, with its payload. Stored by the engine as `typeName`,
/// `schemaVersion` and ``payload(sealer:)`` bytes (personal fields sealed, R-LOG-6); rendered as JSON for auditors through `Encodable`.
public enum DomainEvent: Sendable, Hashable, Encodable {
    /// An admin account was created (bootstrap, createAdminAccount).
    case adminAccountCreated(AdminAccountCreated)
    /// A leader or expert registered (schema v2; v1 is upcast).
    case accountRegistered(AccountRegistered)
    /// A rejected registration was corrected and resubmitted.
    case registrationResubmitted(RegistrationResubmitted)
    /// A registration was approved or rejected.
    case registrationReviewed(RegistrationReviewed)
    /// An account was disabled or re-enabled.
    case accountEnabledSet(AccountEnabledSet)
    /// A profile was completed or updated.
    case profileCompleted(ProfileCompleted)
    /// A password changed (no secret in the event).
    case passwordChanged(PasswordChanged)
    /// A province was created.
    case provinceCreated(ProvinceCreated)
    /// A unit was created.
    case unitCreated(UnitCreated)
    /// A project was registered.
    case projectRegistered(ProjectRegistered)
    /// A project's leader ID number was set.
    case leaderIdNumberSet(LeaderIdNumberSet)
    /// An extension took effect.
    case projectEndDateExtended(ProjectEndDateExtended)
    /// A change of leader took effect.
    case projectLeaderChanged(ProjectLeaderChanged)
    /// A change of unit took effect.
    case projectUnitChanged(ProjectTextChanged)
    /// A change of title took effect.
    case projectTitleChanged(ProjectTextChanged)
    /// A change of deliverable form took effect.
    case projectDeliverableFormChanged(ProjectDeliverableFormChanged)
    /// A change of members took effect.
    case projectMembersChanged(ProjectMembersChanged)
    /// A major content adjustment took effect.
    case projectContentAdjusted(ProjectContentAdjusted)
    /// The project was terminated (自行终止).
    case projectTerminated(ProjectEnded)
    /// The project was withdrawn (撤项).
    case projectWithdrawn(ProjectEnded)
    /// The project was completed (结项).
    case projectCompleted(ProjectCompleted)
    /// A budget adjustment took effect.
    case projectBudgetAdjusted(ProjectBudgetAdjusted)
    /// The sweep sent a deadline reminder.
    case deadlineReminderSent(DeadlineReminderSent)
    /// The sweep listed the project as overdue.
    case projectListedOverdue(ProjectListedOverdue)
    /// A change request was drafted.
    case changeRequestDrafted(ChangeRequestContent)
    /// A change request was edited.
    case changeRequestEdited(ChangeRequestContent)
    /// A change request was submitted.
    case changeRequestSubmitted(ItemStep)
    /// A change request was recalled.
    case changeRequestRecalled(ItemStep)
    /// A change request was cancelled.
    case changeRequestCancelled(ItemStep)
    /// A reviewer decided on a change request.
    case changeRequestReviewed(ItemReviewed)
    /// A change request took effect.
    case changeRequestTookEffect(ItemTookEffect)
    /// A change request was closed automatically.
    case changeRequestClosed(ItemClosed)
    /// A closeout was opened.
    case closeoutOpened(CloseoutOpened)
    /// A closeout section was saved.
    case closeoutSectionSaved(CloseoutSectionSaved)
    /// A closeout was submitted.
    case closeoutSubmitted(ItemStep)
    /// A closeout was recalled.
    case closeoutRecalled(ItemStep)
    /// The unit or province decided on a closeout.
    case closeoutReviewed(ItemReviewed)
    /// Appraisal experts were assigned.
    case appraisalExpertsAssigned(AppraisalExpertsAssigned)
    /// An expert submitted an appraisal.
    case appraisalSubmitted(AppraisalSubmitted)
    /// The national office concluded a closeout.
    case closeoutConcluded(CloseoutConcluded)
    /// A closeout was closed automatically.
    case closeoutClosed(ItemClosed)
    /// A file was attached.
    case attachmentAdded(AttachmentAdded)
    /// A budget adjustment was drafted.
    case budgetAdjustmentDrafted(BudgetAdjustmentContent)
    /// A budget adjustment was edited.
    case budgetAdjustmentEdited(BudgetAdjustmentContent)
    /// A budget adjustment was submitted.
    case budgetAdjustmentSubmitted(BudgetAdjustmentSubmitted)
    /// A budget adjustment was recalled.
    case budgetAdjustmentRecalled(ItemStep)
    /// A budget adjustment was cancelled.
    case budgetAdjustmentCancelled(ItemStep)
    /// A reviewer decided on a budget adjustment.
    case budgetAdjustmentReviewed(ItemReviewed)
    /// A budget adjustment took effect.
    case budgetAdjustmentTookEffect(ItemTookEffect)
    /// A budget adjustment was closed automatically.
    case budgetAdjustmentClosed(ItemClosed)
    /// The national office ended the project (R-PRJ-5, rev. 2).
    case projectEndedByOffice(ProjectEndedByOffice)
    /// A person's personal data was erased (R-LOG-6).
    case subjectErased(SubjectErased)

    /// The event's type.
    public var type: EventType {
        switch self {
        case .adminAccountCreated: return .adminAccountCreated
        case .accountRegistered: return .accountRegistered
        case .registrationResubmitted: return .registrationResubmitted
        case .registrationReviewed: return .registrationReviewed
        case .accountEnabledSet: return .accountEnabledSet
        case .profileCompleted: return .profileCompleted
        case .passwordChanged: return .passwordChanged
        case .provinceCreated: return .provinceCreated
        case .unitCreated: return .unitCreated
        case .projectRegistered: return .projectRegistered
        case .leaderIdNumberSet: return .leaderIdNumberSet
        case .projectEndDateExtended: return .projectEndDateExtended
        case .projectLeaderChanged: return .projectLeaderChanged
        case .projectUnitChanged: return .projectUnitChanged
        case .projectTitleChanged: return .projectTitleChanged
        case .projectDeliverableFormChanged: return .projectDeliverableFormChanged
        case .projectMembersChanged: return .projectMembersChanged
        case .projectContentAdjusted: return .projectContentAdjusted
        case .projectTerminated: return .projectTerminated
        case .projectWithdrawn: return .projectWithdrawn
        case .projectCompleted: return .projectCompleted
        case .projectBudgetAdjusted: return .projectBudgetAdjusted
        case .deadlineReminderSent: return .deadlineReminderSent
        case .projectListedOverdue: return .projectListedOverdue
        case .changeRequestDrafted: return .changeRequestDrafted
        case .changeRequestEdited: return .changeRequestEdited
        case .changeRequestSubmitted: return .changeRequestSubmitted
        case .changeRequestRecalled: return .changeRequestRecalled
        case .changeRequestCancelled: return .changeRequestCancelled
        case .changeRequestReviewed: return .changeRequestReviewed
        case .changeRequestTookEffect: return .changeRequestTookEffect
        case .changeRequestClosed: return .changeRequestClosed
        case .closeoutOpened: return .closeoutOpened
        case .closeoutSectionSaved: return .closeoutSectionSaved
        case .closeoutSubmitted: return .closeoutSubmitted
        case .closeoutRecalled: return .closeoutRecalled
        case .closeoutReviewed: return .closeoutReviewed
        case .appraisalExpertsAssigned: return .appraisalExpertsAssigned
        case .appraisalSubmitted: return .appraisalSubmitted
        case .closeoutConcluded: return .closeoutConcluded
        case .closeoutClosed: return .closeoutClosed
        case .attachmentAdded: return .attachmentAdded
        case .budgetAdjustmentDrafted: return .budgetAdjustmentDrafted
        case .budgetAdjustmentEdited: return .budgetAdjustmentEdited
        case .budgetAdjustmentSubmitted: return .budgetAdjustmentSubmitted
        case .budgetAdjustmentRecalled: return .budgetAdjustmentRecalled
        case .budgetAdjustmentCancelled: return .budgetAdjustmentCancelled
        case .budgetAdjustmentReviewed: return .budgetAdjustmentReviewed
        case .budgetAdjustmentTookEffect: return .budgetAdjustmentTookEffect
        case .budgetAdjustmentClosed: return .budgetAdjustmentClosed
        case .projectEndedByOffice: return .projectEndedByOffice
        case .subjectErased: return .subjectErased
        }
    }

    /// The stored type name, e.g. `ChangeRequestDrafted`.
    public var typeName: String { type.rawValue }

    /// The schema version of the payload this library writes.
    public var schemaVersion: Int { type.schemaVersion }

    /// The payload in the compact binary form of the current schema version, personal fields sealed
    /// by `sealer` (the engine's subject keys, R-LOG-6).
    public func payload(sealer: some PersonalFieldSealer) -> [UInt8] {
        var writer = BinaryWriter(capacity: 96, sealer: sealer)
        write(to: &writer)
        return writer.bytes
    }

    /// The payload in the layout of ``EventType/legacySchemaVersion``: personal fields plain, as
    /// stores written before encryption hold them (for tests, tools and the migration).
    public var legacyPayload: [UInt8] {
        var writer = BinaryWriter(capacity: 96)
        write(to: &writer)
        return writer.bytes
    }

    /// The payload of an event type without personal fields (nil for the types that have some:
    /// those need ``payload(sealer:)``).
    public var unsealedPayload: [UInt8]? {
        guard type.sealedSince == nil else { return nil }
        return legacyPayload
    }

    private func write(to writer: inout BinaryWriter) {
        switch self {
        case .adminAccountCreated(let value): value.encode(to: &writer)
        case .accountRegistered(let value): value.encode(to: &writer)
        case .registrationResubmitted(let value): value.encode(to: &writer)
        case .registrationReviewed(let value): value.encode(to: &writer)
        case .accountEnabledSet(let value): value.encode(to: &writer)
        case .profileCompleted(let value): value.encode(to: &writer)
        case .passwordChanged(let value): value.encode(to: &writer)
        case .provinceCreated(let value): value.encode(to: &writer)
        case .unitCreated(let value): value.encode(to: &writer)
        case .projectRegistered(let value): value.encode(to: &writer)
        case .leaderIdNumberSet(let value): value.encode(to: &writer)
        case .projectEndDateExtended(let value): value.encode(to: &writer)
        case .projectLeaderChanged(let value): value.encode(to: &writer)
        case .projectUnitChanged(let value), .projectTitleChanged(let value): value.encode(to: &writer)
        case .projectDeliverableFormChanged(let value): value.encode(to: &writer)
        case .projectMembersChanged(let value): value.encode(to: &writer)
        case .projectContentAdjusted(let value): value.encode(to: &writer)
        case .projectTerminated(let value), .projectWithdrawn(let value): value.encode(to: &writer)
        case .projectCompleted(let value): value.encode(to: &writer)
        case .projectBudgetAdjusted(let value): value.encode(to: &writer)
        case .deadlineReminderSent(let value): value.encode(to: &writer)
        case .projectListedOverdue(let value): value.encode(to: &writer)
        case .changeRequestDrafted(let value), .changeRequestEdited(let value): value.encode(to: &writer)
        case .changeRequestSubmitted(let value),
            .changeRequestRecalled(let value),
            .changeRequestCancelled(let value),
            .closeoutSubmitted(let value),
            .closeoutRecalled(let value),
            .budgetAdjustmentRecalled(let value),
            .budgetAdjustmentCancelled(let value):
            value.encode(to: &writer)
        case .changeRequestReviewed(let value),
            .closeoutReviewed(let value),
            .budgetAdjustmentReviewed(let value):
            value.encode(to: &writer)
        case .changeRequestTookEffect(let value), .budgetAdjustmentTookEffect(let value): value.encode(to: &writer)
        case .changeRequestClosed(let value),
            .closeoutClosed(let value),
            .budgetAdjustmentClosed(let value):
            value.encode(to: &writer)
        case .closeoutOpened(let value): value.encode(to: &writer)
        case .closeoutSectionSaved(let value): value.encode(to: &writer)
        case .appraisalExpertsAssigned(let value): value.encode(to: &writer)
        case .appraisalSubmitted(let value): value.encode(to: &writer)
        case .closeoutConcluded(let value): value.encode(to: &writer)
        case .attachmentAdded(let value): value.encode(to: &writer)
        case .budgetAdjustmentDrafted(let value), .budgetAdjustmentEdited(let value): value.encode(to: &writer)
        case .budgetAdjustmentSubmitted(let value): value.encode(to: &writer)
        case .projectEndedByOffice(let value): value.encode(to: &writer)
        case .subjectErased(let value): value.encode(to: &writer)
        }
    }

    /// Decodes a stored event; upcasts older schema versions; throws on unknown types, unknown
    /// versions, truncated or trailing bytes and any other garbage, never crashes. Sealed personal
    /// fields are opened with `opener`; without one, or once their subject was erased, they read as
    /// erased (``PersonalData``).
    public static func decode(
        typeName: String, schemaVersion: Int, payload: [UInt8], opener: (any PersonalFieldOpener)? = nil
    ) throws(BinaryDecodingError) -> DomainEvent {
        guard let type = EventType(typeName: typeName) else {
            throw BinaryDecodingError("unknown event type '\(typeName)'")
        }
        return try decode(type: type, schemaVersion: schemaVersion, payload: payload, opener: opener)
    }

    /// Decodes a stored event of a known type (see ``decode(typeName:schemaVersion:payload:opener:)``).
    public static func decode(
        type: EventType, schemaVersion: Int, payload: [UInt8], opener: (any PersonalFieldOpener)? = nil
    ) throws(BinaryDecodingError) -> DomainEvent {
        let sealed = type.sealedSince.map { schemaVersion >= $0 } ?? false
        var reader = BinaryReader(payload, personalSealed: sealed, opener: opener)
        let event: DomainEvent
        if type == .accountRegistered && schemaVersion == 1 {
            event = .accountRegistered(try AccountRegistered(fromVersion1: &reader))
        } else {
            let oldest = type.sealedSince.map { $0 - 1 } ?? type.schemaVersion
            guard schemaVersion >= oldest, schemaVersion <= type.schemaVersion else {
                throw BinaryDecodingError("unsupported schema version \(schemaVersion) of \(type.rawValue)")
            }
            switch type {
            case .adminAccountCreated: event = .adminAccountCreated(try reader.read())
            case .accountRegistered: event = .accountRegistered(try reader.read())
            case .registrationResubmitted: event = .registrationResubmitted(try reader.read())
            case .registrationReviewed: event = .registrationReviewed(try reader.read())
            case .accountEnabledSet: event = .accountEnabledSet(try reader.read())
            case .profileCompleted: event = .profileCompleted(try reader.read())
            case .passwordChanged: event = .passwordChanged(try reader.read())
            case .provinceCreated: event = .provinceCreated(try reader.read())
            case .unitCreated: event = .unitCreated(try reader.read())
            case .projectRegistered: event = .projectRegistered(try reader.read())
            case .leaderIdNumberSet: event = .leaderIdNumberSet(try reader.read())
            case .projectEndDateExtended: event = .projectEndDateExtended(try reader.read())
            case .projectLeaderChanged: event = .projectLeaderChanged(try reader.read())
            case .projectUnitChanged: event = .projectUnitChanged(try reader.read())
            case .projectTitleChanged: event = .projectTitleChanged(try reader.read())
            case .projectDeliverableFormChanged: event = .projectDeliverableFormChanged(try reader.read())
            case .projectMembersChanged: event = .projectMembersChanged(try reader.read())
            case .projectContentAdjusted: event = .projectContentAdjusted(try reader.read())
            case .projectTerminated: event = .projectTerminated(try reader.read())
            case .projectWithdrawn: event = .projectWithdrawn(try reader.read())
            case .projectCompleted: event = .projectCompleted(try reader.read())
            case .projectBudgetAdjusted: event = .projectBudgetAdjusted(try reader.read())
            case .deadlineReminderSent: event = .deadlineReminderSent(try reader.read())
            case .projectListedOverdue: event = .projectListedOverdue(try reader.read())
            case .changeRequestDrafted: event = .changeRequestDrafted(try reader.read())
            case .changeRequestEdited: event = .changeRequestEdited(try reader.read())
            case .changeRequestSubmitted: event = .changeRequestSubmitted(try reader.read())
            case .changeRequestRecalled: event = .changeRequestRecalled(try reader.read())
            case .changeRequestCancelled: event = .changeRequestCancelled(try reader.read())
            case .changeRequestReviewed: event = .changeRequestReviewed(try reader.read())
            case .changeRequestTookEffect: event = .changeRequestTookEffect(try reader.read())
            case .changeRequestClosed: event = .changeRequestClosed(try reader.read())
            case .closeoutOpened: event = .closeoutOpened(try reader.read())
            case .closeoutSectionSaved: event = .closeoutSectionSaved(try reader.read())
            case .closeoutSubmitted: event = .closeoutSubmitted(try reader.read())
            case .closeoutRecalled: event = .closeoutRecalled(try reader.read())
            case .closeoutReviewed: event = .closeoutReviewed(try reader.read())
            case .appraisalExpertsAssigned: event = .appraisalExpertsAssigned(try reader.read())
            case .appraisalSubmitted: event = .appraisalSubmitted(try reader.read())
            case .closeoutConcluded: event = .closeoutConcluded(try reader.read())
            case .closeoutClosed: event = .closeoutClosed(try reader.read())
            case .attachmentAdded: event = .attachmentAdded(try reader.read())
            case .budgetAdjustmentDrafted: event = .budgetAdjustmentDrafted(try reader.read())
            case .budgetAdjustmentEdited: event = .budgetAdjustmentEdited(try reader.read())
            case .budgetAdjustmentSubmitted: event = .budgetAdjustmentSubmitted(try reader.read())
            case .budgetAdjustmentRecalled: event = .budgetAdjustmentRecalled(try reader.read())
            case .budgetAdjustmentCancelled: event = .budgetAdjustmentCancelled(try reader.read())
            case .budgetAdjustmentReviewed: event = .budgetAdjustmentReviewed(try reader.read())
            case .budgetAdjustmentTookEffect: event = .budgetAdjustmentTookEffect(try reader.read())
            case .budgetAdjustmentClosed: event = .budgetAdjustmentClosed(try reader.read())
            case .projectEndedByOffice: event = .projectEndedByOffice(try reader.read())
            case .subjectErased: event = .subjectErased(try reader.read())
            }
        }
        try reader.expectEnd()
        return event
    }

    /// The project the event is about, if any: every such event goes to the project's stream.
    public var projectNo: String? {
        switch self {
        case .projectRegistered(let value): return value.project.projectNo
        case .leaderIdNumberSet(let value): return value.projectNo
        case .projectEndDateExtended(let value): return value.projectNo
        case .projectLeaderChanged(let value): return value.projectNo
        case .projectUnitChanged(let value), .projectTitleChanged(let value): return value.projectNo
        case .projectDeliverableFormChanged(let value): return value.projectNo
        case .projectMembersChanged(let value): return value.projectNo
        case .projectContentAdjusted(let value): return value.projectNo
        case .projectTerminated(let value), .projectWithdrawn(let value): return value.projectNo
        case .projectCompleted(let value): return value.projectNo
        case .projectBudgetAdjusted(let value): return value.projectNo
        case .deadlineReminderSent(let value): return value.projectNo
        case .projectListedOverdue(let value): return value.projectNo
        case .changeRequestDrafted(let value), .changeRequestEdited(let value): return value.projectNo
        case .changeRequestSubmitted(let value), .changeRequestRecalled(let value), .changeRequestCancelled(let value),
            .closeoutSubmitted(let value), .closeoutRecalled(let value), .budgetAdjustmentRecalled(let value),
            .budgetAdjustmentCancelled(let value):
            return value.projectNo
        case .changeRequestReviewed(let value), .closeoutReviewed(let value), .budgetAdjustmentReviewed(let value):
            return value.projectNo
        case .changeRequestTookEffect(let value), .budgetAdjustmentTookEffect(let value): return value.projectNo
        case .changeRequestClosed(let value), .closeoutClosed(let value), .budgetAdjustmentClosed(let value):
            return value.projectNo
        case .closeoutOpened(let value): return value.projectNo
        case .closeoutSectionSaved(let value): return value.projectNo
        case .appraisalExpertsAssigned(let value): return value.projectNo
        case .appraisalSubmitted(let value): return value.projectNo
        case .closeoutConcluded(let value): return value.projectNo
        case .attachmentAdded(let value): return value.projectNo
        case .budgetAdjustmentDrafted(let value), .budgetAdjustmentEdited(let value): return value.projectNo
        case .budgetAdjustmentSubmitted(let value): return value.projectNo
        case .projectEndedByOffice(let value): return value.projectNo
        case .subjectErased: return nil
        case .adminAccountCreated, .accountRegistered, .registrationResubmitted, .registrationReviewed,
            .accountEnabledSet, .profileCompleted, .passwordChanged, .provinceCreated, .unitCreated:
            return nil
        }
    }

    /// The stream the event belongs to (see ``StreamID``): `project-NO` for everything about a project
    /// and its requests, closeouts, adjustments and attachments; `account-ID`, `province-ID`, `unit-ID` otherwise.
    public var streamId: String {
        if let projectNo { return StreamID.project(projectNo) }
        switch self {
        case .adminAccountCreated(let value): return StreamID.account(value.accountId)
        case .accountRegistered(let value): return StreamID.account(value.accountId)
        case .registrationResubmitted(let value): return StreamID.account(value.accountId)
        case .registrationReviewed(let value): return StreamID.account(value.accountId)
        case .accountEnabledSet(let value): return StreamID.account(value.accountId)
        case .profileCompleted(let value): return StreamID.account(value.accountId)
        case .passwordChanged(let value): return StreamID.account(value.accountId)
        case .provinceCreated(let value): return StreamID.province(value.provinceId)
        case .unitCreated(let value): return StreamID.unit(value.unitId)
        case .subjectErased(let value): return StreamID.subject(value.subjects.first ?? "")
        default: return StreamID.system
        }
    }

    enum JSONKeys: String, CodingKey {
        case type
        case schemaVersion
        case data
    }

    /// Encodes `{"type": …, "schemaVersion": …, "data": {payload}}` for auditors (`replay events`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKeys.self)
        try container.encode(typeName, forKey: .type)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        switch self {
        case .adminAccountCreated(let value): try container.encode(value, forKey: .data)
        case .accountRegistered(let value): try container.encode(value, forKey: .data)
        case .registrationResubmitted(let value): try container.encode(value, forKey: .data)
        case .registrationReviewed(let value): try container.encode(value, forKey: .data)
        case .accountEnabledSet(let value): try container.encode(value, forKey: .data)
        case .profileCompleted(let value): try container.encode(value, forKey: .data)
        case .passwordChanged(let value): try container.encode(value, forKey: .data)
        case .provinceCreated(let value): try container.encode(value, forKey: .data)
        case .unitCreated(let value): try container.encode(value, forKey: .data)
        case .projectRegistered(let value): try container.encode(value, forKey: .data)
        case .leaderIdNumberSet(let value): try container.encode(value, forKey: .data)
        case .projectEndDateExtended(let value): try container.encode(value, forKey: .data)
        case .projectLeaderChanged(let value): try container.encode(value, forKey: .data)
        case .projectUnitChanged(let value), .projectTitleChanged(let value): try container.encode(value, forKey: .data)
        case .projectDeliverableFormChanged(let value): try container.encode(value, forKey: .data)
        case .projectMembersChanged(let value): try container.encode(value, forKey: .data)
        case .projectContentAdjusted(let value): try container.encode(value, forKey: .data)
        case .projectTerminated(let value), .projectWithdrawn(let value): try container.encode(value, forKey: .data)
        case .projectCompleted(let value): try container.encode(value, forKey: .data)
        case .projectBudgetAdjusted(let value): try container.encode(value, forKey: .data)
        case .deadlineReminderSent(let value): try container.encode(value, forKey: .data)
        case .projectListedOverdue(let value): try container.encode(value, forKey: .data)
        case .changeRequestDrafted(let value),
            .changeRequestEdited(let value):
            try container.encode(value, forKey: .data)
        case .changeRequestSubmitted(let value),
            .changeRequestRecalled(let value),
            .changeRequestCancelled(let value),
            .closeoutSubmitted(let value),
            .closeoutRecalled(let value),
            .budgetAdjustmentRecalled(let value),
            .budgetAdjustmentCancelled(let value):
            try container.encode(value, forKey: .data)
        case .changeRequestReviewed(let value),
            .closeoutReviewed(let value),
            .budgetAdjustmentReviewed(let value):
            try container.encode(value, forKey: .data)
        case .changeRequestTookEffect(let value),
            .budgetAdjustmentTookEffect(let value):
            try container.encode(value, forKey: .data)
        case .changeRequestClosed(let value),
            .closeoutClosed(let value),
            .budgetAdjustmentClosed(let value):
            try container.encode(value, forKey: .data)
        case .closeoutOpened(let value): try container.encode(value, forKey: .data)
        case .closeoutSectionSaved(let value): try container.encode(value, forKey: .data)
        case .appraisalExpertsAssigned(let value): try container.encode(value, forKey: .data)
        case .appraisalSubmitted(let value): try container.encode(value, forKey: .data)
        case .closeoutConcluded(let value): try container.encode(value, forKey: .data)
        case .attachmentAdded(let value): try container.encode(value, forKey: .data)
        case .budgetAdjustmentDrafted(let value),
            .budgetAdjustmentEdited(let value):
            try container.encode(value, forKey: .data)
        case .budgetAdjustmentSubmitted(let value): try container.encode(value, forKey: .data)
        case .projectEndedByOffice(let value): try container.encode(value, forKey: .data)
        case .subjectErased(let value): try container.encode(value, forKey: .data)
        }
    }
}
