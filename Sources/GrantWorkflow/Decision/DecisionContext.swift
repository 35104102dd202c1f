/// Everything a decision needs from outside the state: the time, the policy and prepared secrets.
///
/// Decisions never read a clock or a random source (R-LOG-4); the engine fills this in, computing the
/// slow and random parts (password hashing, tokens, ids) before it opens its write transaction.
public struct DecisionContext: Sendable, Hashable {
    /// The command's time.
    public var time: Timestamp
    /// The policy in force.
    public var policy: WorkflowPolicy
    /// Secrets and ids prepared for this command (see ``Command/preparation``).
    public var secrets: PreparedSecrets

    /// Creates a context.
    public init(time: Timestamp, policy: WorkflowPolicy = .standard, secrets: PreparedSecrets = PreparedSecrets()) {
        self.time = time
        self.policy = policy
        self.secrets = secrets
    }
}

/// The slow or random inputs the engine prepared for one command.
public struct PreparedSecrets: Sendable, Hashable {
    /// The hash of the command's new password (bootstrap, createAdminAccount, registerAccount, resetPassword).
    public var newPasswordHash: PasswordHash?
    /// Whether the command's password matched the stored credential (login, resubmitRegistration);
    /// nil or false when there is no such account.
    public var passwordMatches: Bool?
    /// A fresh random reset token (requestPasswordReset), generated whether or not the username exists.
    public var resetToken: String?
    /// The id to use when the client chose none (accountId, requestId, closeoutId, adjustmentId).
    public var generatedId: String?

    /// Creates prepared secrets.
    public init(
        newPasswordHash: PasswordHash? = nil, passwordMatches: Bool? = nil, resetToken: String? = nil,
        generatedId: String? = nil
    ) {
        self.newPasswordHash = newPasswordHash
        self.passwordMatches = passwordMatches
        self.resetToken = resetToken
        self.generatedId = generatedId
    }
}
