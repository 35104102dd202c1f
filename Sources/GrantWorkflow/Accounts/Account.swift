/// An account of any role (docs/rules.md §1): the read model the engine stores under `account(id)`.
///
/// Secrets are never here: password hashes and reset tokens live in ``Credential`` and
/// ``ResetTokenRecord``, outside the event log (R-ACC-8).
public struct Account: Codable, Sendable, Hashable, BinaryCodable {
    /// The account id (client-chosen or generated).
    public var id: String
    /// The role.
    public var role: Role
    /// The username: the mobile phone number for personal accounts (R-ACC-1).
    public var username: String
    /// The person's or office's name.
    public var name: String
    /// E-mail address (personal accounts).
    public var email: String?
    /// Type of the identity document (personal accounts).
    public var idType: IdType?
    /// Identity document number (personal accounts); a leader sees the projects whose leader has it.
    public var idNumber: String?
    /// The unit of a unit admin, leader or expert.
    public var unitId: String?
    /// The province of a provincial office.
    public var provinceId: String?
    /// Registration status (R-ACC-3).
    public var registration: RegistrationStatus
    /// False once an admin disabled the account (R-ACC-9).
    public var enabled: Bool
    /// The completed profile, nil until `completeProfile` (R-ACC-5).
    public var profile: Profile?
    /// The reason given when the registration was last rejected.
    public var rejectionReason: String?
    /// When the account was created.
    public var createdAt: Timestamp

    /// Creates an account.
    public init(
        id: String, role: Role, username: String, name: String, email: String? = nil, idType: IdType? = nil,
        idNumber: String? = nil, unitId: String? = nil, provinceId: String? = nil,
        registration: RegistrationStatus, enabled: Bool = true, profile: Profile? = nil,
        rejectionReason: String? = nil, createdAt: Timestamp
    ) {
        self.id = id
        self.role = role
        self.username = username
        self.name = name
        self.email = email
        self.idType = idType
        self.idNumber = idNumber
        self.unitId = unitId
        self.provinceId = provinceId
        self.registration = registration
        self.enabled = enabled
        self.profile = profile
        self.rejectionReason = rejectionReason
        self.createdAt = createdAt
    }

    /// The status queries show: `disabled` when disabled, else the registration status.
    public var status: AccountStatus {
        if !enabled { return .disabled }
        switch registration {
        case .pending: return .pending
        case .approved: return .approved
        case .rejected: return .rejected
        }
    }

    /// Whether the account may act as far as its profile goes (admins need none, R-ACC-5).
    public var profileComplete: Bool { role.isAdmin || profile != nil }

    /// The normalised ID number used to match a leader to projects (R-PRJ-2).
    public var normalizedIdNumber: String? { idNumber.map(IdentityNumber.normalized) }

    /// Whether the account may see and act on anything (R-ACC-11): approved and enabled.
    public var isActive: Bool { enabled && registration == .approved }

    /// Whether the account's personal data was erased (R-LOG-6): it is closed for good.
    public var isErased: Bool { PersonalData.isErased(username) || PersonalData.isErased(name) }

    /// Whether this account is the leader of `project` (R-PRJ-2 rev. 2): an approved, enabled leader
    /// account with the project leader's ID type and number.
    public func leads(_ project: Project) -> Bool {
        leads(leaderIdType: project.leader.idType, leaderIdNumber: project.leader.idNumber)
    }

    /// Whether this account is the leader of a project whose leader holds this ID type and number.
    public func leads(leaderIdType: IdType, leaderIdNumber: String) -> Bool {
        role == .leader && isActive && idType == leaderIdType
            && normalizedIdNumber == IdentityNumber.normalized(leaderIdNumber)
    }

    /// Whether the account holds this person's ID (same type and normalised number).
    public func holds(idType: IdType, idNumber: String) -> Bool {
        self.idType == idType && normalizedIdNumber == IdentityNumber.normalized(idNumber)
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(role)
        writer.write(username)
        writer.write(name)
        writer.write(email)
        writer.write(idType)
        writer.write(idNumber)
        writer.write(unitId)
        writer.write(provinceId)
        writer.write(registration)
        writer.write(enabled)
        writer.write(profile)
        writer.write(rejectionReason)
        writer.write(createdAt)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        id = try reader.read()
        role = try reader.read()
        username = try reader.read()
        name = try reader.read()
        email = try reader.read()
        idType = try reader.read()
        idNumber = try reader.read()
        unitId = try reader.read()
        provinceId = try reader.read()
        registration = try reader.read()
        enabled = try reader.read()
        profile = try reader.read()
        rejectionReason = try reader.read()
        createdAt = try reader.read()
    }
}
