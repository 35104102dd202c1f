/// Payload of `AdminAccountCreated` (v1): an admin account, including the national office's at bootstrap.
public struct AdminAccountCreated: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// `nationalOffice`, `provincialOffice` or `unitAdmin`.
    public var role: Role
    /// Username.
    public var username: String
    /// Name.
    public var name: String
    /// Province of a provincial office.
    public var provinceId: String?
    /// Unit of a unit admin.
    public var unitId: String?
    /// The creating account; nil at bootstrap.
    public var createdBy: String?
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        accountId: String, role: Role, username: String, name: String, provinceId: String?, unitId: String?,
        createdBy: String?, at: Timestamp
    ) {
        self.accountId = accountId
        self.role = role
        self.username = username
        self.name = name
        self.provinceId = provinceId
        self.unitId = unitId
        self.createdBy = createdBy
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(role)
        writer.writePersonal(username, of: .account(accountId))
        writer.writePersonal(name, of: .account(accountId))
        writer.write(provinceId)
        writer.write(unitId)
        writer.write(createdBy)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        role = try reader.read()
        username = try reader.readPersonal()
        name = try reader.readPersonal()
        provinceId = try reader.read()
        unitId = try reader.read()
        createdBy = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `AccountRegistered` (v2): a self-registration, pending review (R-ACC-2, R-ACC-3).
///
/// Schema history: v1 had no `idType` (every number was a resident ID); reading v1 upcasts it to
/// `idType = residentId`. v2 is written.
public struct AccountRegistered: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// `leader` or `expert`.
    public var role: Role
    /// The phone number.
    public var username: String
    /// E-mail.
    public var email: String
    /// Name.
    public var name: String
    /// Document type (v2; `residentId` for v1 events).
    public var idType: IdType
    /// Document number.
    public var idNumber: String
    /// Unit.
    public var unitId: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        accountId: String, role: Role, username: String, email: String, name: String, idType: IdType,
        idNumber: String, unitId: String, at: Timestamp
    ) {
        self.accountId = accountId
        self.role = role
        self.username = username
        self.email = email
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.unitId = unitId
        self.at = at
    }

    /// Writes the fields in order: the v2 layout, whose personal fields are sealed in v3.
    public func encode(to writer: inout BinaryWriter) {
        // The number belongs to whoever holds it; the rest to the registrant (``SubjectRef/ownAccount(_:)``).
        let document = SubjectRef.person(idNumber: idNumber, account: accountId)
        let registrant = SubjectRef.ownAccount(accountId)
        writer.write(accountId)
        writer.write(role)
        writer.writePersonal(username, of: registrant)
        writer.writePersonal(email, of: registrant)
        writer.writePersonal(name, of: registrant)
        writer.write(idType)
        writer.writePersonal(idNumber, of: document)
        writer.write(unitId)
        writer.write(at)
    }

    /// Reads the fields in order (v2 plain, v3 sealed: the reader knows which).
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        role = try reader.read()
        username = try reader.readPersonal()
        email = try reader.readPersonal()
        name = try reader.readPersonal()
        idType = try reader.read()
        idNumber = try reader.readPersonal()
        unitId = try reader.read()
        at = try reader.read()
    }

    /// Reads a v1 payload (no `idType`) and upcasts it: `idType = residentId`.
    public init(fromVersion1 reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        role = try reader.read()
        username = try reader.read()
        email = try reader.read()
        name = try reader.read()
        idType = .residentId
        idNumber = try reader.read()
        unitId = try reader.read()
        at = try reader.read()
    }

    /// Writes the v1 layout (kept for tests and for tools that must produce old records).
    public func encodeVersion1(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(role)
        writer.write(username)
        writer.write(email)
        writer.write(name)
        writer.write(idNumber)
        writer.write(unitId)
        writer.write(at)
    }
}

/// Payload of `RegistrationResubmitted` (v1): the corrected registration fields, back to pending (R-ACC-3).
public struct RegistrationResubmitted: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// Phone number after correction.
    public var username: String
    /// E-mail after correction.
    public var email: String
    /// Name after correction.
    public var name: String
    /// Document type after correction.
    public var idType: IdType
    /// Document number after correction.
    public var idNumber: String
    /// Unit after correction.
    public var unitId: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(
        accountId: String, username: String, email: String, name: String, idType: IdType, idNumber: String,
        unitId: String, at: Timestamp
    ) {
        self.accountId = accountId
        self.username = username
        self.email = email
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.unitId = unitId
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        // The number belongs to whoever holds it; the rest to the registrant (``SubjectRef/ownAccount(_:)``).
        let document = SubjectRef.person(idNumber: idNumber, account: accountId)
        let registrant = SubjectRef.ownAccount(accountId)
        writer.write(accountId)
        writer.writePersonal(username, of: registrant)
        writer.writePersonal(email, of: registrant)
        writer.writePersonal(name, of: registrant)
        writer.write(idType)
        writer.writePersonal(idNumber, of: document)
        writer.write(unitId)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        username = try reader.readPersonal()
        email = try reader.readPersonal()
        name = try reader.readPersonal()
        idType = try reader.read()
        idNumber = try reader.readPersonal()
        unitId = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `RegistrationReviewed` (v1): a unit admin approved or rejected a registration (R-ACC-3).
public struct RegistrationReviewed: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// Approve or reject.
    public var decision: RegistrationDecision
    /// The reason given.
    public var reason: String?
    /// The reviewing admin.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(accountId: String, decision: RegistrationDecision, reason: String?, by: String, at: Timestamp) {
        self.accountId = accountId
        self.decision = decision
        self.reason = reason
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(decision)
        writer.write(reason)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        decision = try reader.read()
        reason = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `AccountEnabledSet` (v1): an admin disabled or re-enabled an account (R-ACC-9).
public struct AccountEnabledSet: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// The new setting.
    public var enabled: Bool
    /// The admin.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(accountId: String, enabled: Bool, by: String, at: Timestamp) {
        self.accountId = accountId
        self.enabled = enabled
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(enabled)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        enabled = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `ProfileCompleted` (v1): the account's profile (R-ACC-5).
public struct ProfileCompleted: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// The profile.
    public var profile: Profile
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(accountId: String, profile: Profile, at: Timestamp) {
        self.accountId = accountId
        self.profile = profile
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        profile.encode(to: &writer, of: .account(accountId))
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        profile = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `PasswordChanged` (v1): that a password changed, never the secret (R-ACC-8).
public struct PasswordChanged: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(accountId: String, at: Timestamp) {
        self.accountId = accountId
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        at = try reader.read()
    }
}
