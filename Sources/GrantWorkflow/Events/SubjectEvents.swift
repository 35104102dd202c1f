/// Payload of `SubjectErased` (v1): the national office erased a person's personal data (R-LOG-6).
///
/// Holds no personal data: the subjects' random ids, the accounts closed, the reason. The engine
/// destroys the subjects' keys in the same transaction, so every sealed field of theirs, in every
/// event before this one, reads as erased from then on.
public struct SubjectErased: Codable, Sendable, Hashable, BinaryCodable {
    /// The erased subjects' ids, 32 hex digits each (a person may be several subjects: one per
    /// document number they used, and one per account without a document).
    public var subjects: [String]
    /// The person's accounts, closed by the same command.
    public var accounts: [String]
    /// Why (the request or ruling the office acts on).
    public var reason: String
    /// The national office account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(subjects: [String], accounts: [String], reason: String, by: String, at: Timestamp) {
        self.subjects = subjects
        self.accounts = accounts
        self.reason = reason
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(subjects)
        writer.write(accounts)
        writer.write(reason)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        subjects = try reader.read()
        accounts = try reader.read()
        reason = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Whom an `eraseSubject` command or a `query subject` names.
public enum SubjectTarget: Sendable, Hashable {
    /// A person by identity document.
    case person(idType: IdType, idNumber: String)
    /// A person by one of their accounts.
    case account(String)
}

/// What the store knows of a person's subjects (the engine's keys database).
public enum SubjectStatus: Sendable, Hashable {
    /// No personal field of theirs is sealed in the log.
    case unknown
    /// Every subject of theirs is already erased.
    case erased
    /// Live: the subjects still holding keys, and every account linked to any subject of theirs.
    case live(subjects: [String], accounts: [String])
}
