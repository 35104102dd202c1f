/// Fields of `createAdminAccount`.
public struct CreateAdminAccount: Sendable, Hashable {
    /// The new account's id, or nil to use a generated one.
    public var accountId: String?
    /// `provincialOffice` or `unitAdmin`.
    public var role: Role
    /// The province, for a provincial office.
    public var provinceId: String?
    /// The unit, for a unit admin.
    public var unitId: String?
    /// The username.
    public var username: String
    /// The initial password (hashed by the engine beforehand; checked for strength here).
    public var password: String
    /// The office's or person's name.
    public var name: String

    /// Creates the fields.
    public init(
        accountId: String?, role: Role, provinceId: String?, unitId: String?, username: String, password: String,
        name: String
    ) {
        self.accountId = accountId
        self.role = role
        self.provinceId = provinceId
        self.unitId = unitId
        self.username = username
        self.password = password
        self.name = name
    }
}

/// Fields of `registerProject`.
public struct RegisterProject: Sendable, Hashable {
    /// 项目批准号.
    public var projectNo: String
    /// Title.
    public var title: String
    /// Category.
    public var category: ProjectCategory
    /// Discipline.
    public var discipline: String
    /// Responsible unit.
    public var unitId: String
    /// Leader.
    public var leader: Person
    /// Members.
    public var members: [Member]
    /// Approval date.
    public var approvedOn: CalendarDate
    /// Planned end date.
    public var plannedEndDate: CalendarDate
    /// Deliverable form.
    public var deliverableForm: DeliverableForm
    /// Budget.
    public var budget: Budget

    /// Creates the fields.
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
    }
}

/// Fields of `registerAccount`.
public struct RegisterAccount: Sendable, Hashable {
    /// The new account's id, or nil to use a generated one.
    public var accountId: String?
    /// `leader` or `expert`.
    public var role: Role
    /// The mobile phone number.
    public var username: String
    /// E-mail.
    public var email: String
    /// Name.
    public var name: String
    /// Identity document type.
    public var idType: IdType
    /// Identity document number.
    public var idNumber: String
    /// Unit.
    public var unitId: String
    /// Password (hashed by the engine beforehand; checked for strength here).
    public var password: String
    /// Whether the user agreement was accepted.
    public var agreedToTerms: Bool

    /// Creates the fields.
    public init(
        accountId: String?, role: Role, username: String, email: String, name: String, idType: IdType,
        idNumber: String, unitId: String, password: String, agreedToTerms: Bool
    ) {
        self.accountId = accountId
        self.role = role
        self.username = username
        self.email = email
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.unitId = unitId
        self.password = password
        self.agreedToTerms = agreedToTerms
    }
}

/// Fields of `resubmitRegistration`: the account, its password, and the fields to correct.
public struct ResubmitRegistration: Sendable, Hashable {
    /// The rejected account.
    public var accountId: String
    /// Its password (proves ownership; the engine verifies it beforehand).
    public var password: String
    /// A corrected phone number.
    public var username: String?
    /// A corrected e-mail.
    public var email: String?
    /// A corrected name.
    public var name: String?
    /// A corrected document type.
    public var idType: IdType?
    /// A corrected document number.
    public var idNumber: String?
    /// A corrected unit.
    public var unitId: String?

    /// Creates the fields.
    public init(
        accountId: String, password: String, username: String? = nil, email: String? = nil, name: String? = nil,
        idType: IdType? = nil, idNumber: String? = nil, unitId: String? = nil
    ) {
        self.accountId = accountId
        self.password = password
        self.username = username
        self.email = email
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.unitId = unitId
    }
}

/// Fields of `attachFile`.
public struct AttachFile: Sendable, Hashable {
    /// The item the file belongs to.
    public var owner: AttachmentOwner
    /// Why it is attached.
    public var purpose: AttachmentPurpose
    /// File name.
    public var filename: String
    /// Media type.
    public var mediaType: String
    /// The decoded content (`contentBase64`).
    public var content: [UInt8]

    /// Creates the fields.
    public init(
        owner: AttachmentOwner, purpose: AttachmentPurpose, filename: String, mediaType: String, content: [UInt8]
    ) {
        self.owner = owner
        self.purpose = purpose
        self.filename = filename
        self.mediaType = mediaType
        self.content = content
    }
}

/// Fields of `draftBudgetAdjustment` and `editBudgetAdjustment`.
public struct BudgetAdjustmentInput: Sendable, Hashable {
    /// The adjustment id (nil on draft to use a generated one; required on edit).
    public var adjustmentId: String?
    /// The project.
    public var projectNo: String
    /// The new direct-cost table.
    public var direct: [String: Fen]
    /// The indirect amount: must equal the current one (R-BUD-1).
    public var indirect: Fen
    /// The new external allocations.
    public var external: [ExternalAllocation]
    /// The new total, when the leader states one.
    public var newTotal: Fen?
    /// The reason.
    public var reason: String

    /// Creates the fields.
    public init(
        adjustmentId: String?, projectNo: String, direct: [String: Fen], indirect: Fen, external: [ExternalAllocation],
        newTotal: Fen?, reason: String
    ) {
        self.adjustmentId = adjustmentId
        self.projectNo = projectNo
        self.direct = direct
        self.indirect = indirect
        self.external = external
        self.newTotal = newTotal
        self.reason = reason
    }

    /// The proposed budget.
    public var budget: Budget { Budget(direct: direct, indirect: indirect, external: external) }
}

/// A decoded command line: the envelope fields and the command.
public struct CommandEnvelope: Sendable, Hashable {
    /// The command id (idempotency, R-LOG-3), if given.
    public var id: String?
    /// The acting account id; nil for anonymous commands.
    public var actor: String?
    /// The command's time, if given (the engine supplies "now" otherwise).
    public var at: Timestamp?
    /// The causing command or event id, if given.
    public var causationId: String?
    /// The correlation id, if given.
    public var correlationId: String?
    /// The command.
    public var command: Command
    /// The fingerprint of the JSON line this envelope was decoded from, when it carries an `id`
    /// (see ``fingerprint``); nil for an envelope built in Swift.
    public internal(set) var lineFingerprint: [UInt8]?
    /// The line's ``publicFingerprint``, beside ``lineFingerprint``.
    var linePublicFingerprint: [UInt8]?
    /// The line's ``legacyFingerprint``, for a command with a secret.
    var lineLegacyFingerprint: [UInt8]?
    /// Whether the command decoder built this envelope, checking every string by the input rules;
    /// an envelope built in Swift is checked by the engine against the same rules instead
    /// (``inputProblem(limits:)``).
    public internal(set) var checkedByDecoder = false

    /// Creates an envelope.
    public init(
        id: String? = nil, actor: String? = nil, at: Timestamp? = nil, causationId: String? = nil,
        correlationId: String? = nil, command: Command
    ) {
        self.id = id
        self.actor = actor
        self.at = at
        self.causationId = causationId
        self.correlationId = correlationId
        self.command = command
    }
}
