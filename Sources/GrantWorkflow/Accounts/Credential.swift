/// A salted, slow password hash (PBKDF2-SHA256), kept outside the event log (R-ACC-6, R-ACC-8).
public struct PasswordHash: Codable, Sendable, Hashable, BinaryCodable {
    /// The random salt.
    public var salt: [UInt8]
    /// The PBKDF2 iteration count used.
    public var iterations: Int
    /// The derived key (32 bytes).
    public var hash: [UInt8]

    /// Creates a hash record.
    public init(salt: [UInt8], iterations: Int, hash: [UInt8]) {
        self.salt = salt
        self.iterations = iterations
        self.hash = hash
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.writeBytes(salt)
        writer.write(iterations)
        writer.writeBytes(hash)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        salt = try reader.readBytes()
        iterations = try reader.read()
        hash = try reader.readBytes()
    }
}

/// The credential of one account: its password hash and login-attempt counter (R-ACC-6).
///
/// Lives in the engine's `credentials` store, never in events. Failed-login counting is the one
/// state a rejected command changes (see `docs/decisions.md`).
public struct Credential: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// The current password hash.
    public var passwordHash: PasswordHash
    /// Consecutive failed logins since the last success or lock.
    public var failedAttempts: Int
    /// The account is locked until this instant, if set and in the future.
    public var lockedUntil: Timestamp?

    /// Creates a credential.
    public init(accountId: String, passwordHash: PasswordHash, failedAttempts: Int = 0, lockedUntil: Timestamp? = nil) {
        self.accountId = accountId
        self.passwordHash = passwordHash
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
    }

    /// Whether the account is locked at `time`.
    public func isLocked(at time: Timestamp) -> Bool {
        if let lockedUntil { return time < lockedUntil }
        return false
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(passwordHash)
        writer.write(failedAttempts)
        writer.write(lockedUntil)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        passwordHash = try reader.read()
        failedAttempts = try reader.read()
        lockedUntil = try reader.read()
    }
}

/// A stored password-reset token: only its SHA-256 digest, never the token (R-ACC-7).
public struct ResetTokenRecord: Codable, Sendable, Hashable, BinaryCodable {
    /// Lower-case hex SHA-256 of the token (see ``PasswordHasher/tokenDigest(_:)``).
    public var digest: String
    /// The account whose password the token resets.
    public var accountId: String
    /// The token is invalid from this instant on.
    public var expiresAt: Timestamp
    /// True once used (single use).
    public var used: Bool

    /// Creates a record.
    public init(digest: String, accountId: String, expiresAt: Timestamp, used: Bool = false) {
        self.digest = digest
        self.accountId = accountId
        self.expiresAt = expiresAt
        self.used = used
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(digest)
        writer.write(accountId)
        writer.write(expiresAt)
        writer.write(used)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        digest = try reader.read()
        accountId = try reader.read()
        expiresAt = try reader.read()
        used = try reader.read()
    }
}

/// The password-reset bookkeeping of one account (R-ACC-7 rev. 2), kept beside the credentials and
/// outside the event log: which token is the current one, and when recent requests sent one.
///
/// Only the current token resets the password: a newer request replaces it and a successful reset
/// clears it, which revokes every earlier token. ``recentRequests`` holds the times of the requests
/// that sent a token within the throttle window, oldest first.
public struct PasswordResetState: Codable, Sendable, Hashable, BinaryCodable {
    /// The account.
    public var accountId: String
    /// The digest of the one token that may still reset the password; nil when none may.
    public var currentDigest: String?
    /// When the requests that sent a token within the last throttle window were made, oldest first.
    public var recentRequests: [Timestamp]

    /// Creates a record.
    public init(accountId: String, currentDigest: String? = nil, recentRequests: [Timestamp] = []) {
        self.accountId = accountId
        self.currentDigest = currentDigest
        self.recentRequests = recentRequests
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(accountId)
        writer.write(currentDigest)
        writer.write(recentRequests)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        accountId = try reader.read()
        currentDigest = try reader.read()
        recentRequests = try reader.read()
    }
}
