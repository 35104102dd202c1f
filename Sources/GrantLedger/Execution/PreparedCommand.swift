internal import EventLog
internal import GrantWorkflow

/// A command with everything slow or random computed outside the write transaction: its time, the
/// hash of a new password, whether a given password matched, a reset token, a generated id.
package struct PreparedCommand: Sendable {
    var envelope: CommandEnvelope
    var time: Timestamp
    /// Whether ``time`` is the command's own `at` (trusted command time, R-LOG-4).
    var trustedTime: Bool
    /// The `clockSkew` of a command with an id whose `at` is beyond the tolerance: answered only when
    /// the id is not on record, since a retry is answered from the record whatever its `at` (R-LOG-3).
    /// Such a command was prepared no further (no password hashed, no token or id drawn).
    var clockSkew: LedgerError?
    /// The command's fingerprint when it carries an id (R-LOG-3); empty otherwise.
    var fingerprint: [UInt8]
    var secrets: PreparedSecrets
    /// The credential a password was checked against; inside the transaction, a changed credential
    /// is checked again before deciding.
    var checkedCredential: CheckedCredential?
    /// The keyed hashes of the command's ID numbers, computed here rather than on the writer thread.
    var hashes: KeyedHashMemo?
}

/// Which stored credential a password check saw: the account it resolved to and its hash.
struct CheckedCredential: Sendable {
    var target: PasswordCheck.Target
    var accountId: String?
    var hash: PasswordHash?
}

extension Ledger {
    /// Computes the command's time and prepared secrets (CPU-heavy PBKDF2 runs here, never on the
    /// writer thread).
    ///
    /// The time comes first, so that a command with a forged time costs no password hash: with
    /// `trustTime` it is the command's `at` (or, when absent, the clock's, which like any untrusted
    /// time is raised to the newest event's rather than refused); otherwise the clock's, and an
    /// `at` farther from it than the policy's tolerance is `clockSkew` (R-LOG-4 rev. 2). A command with
    /// an id gets that answer only from the writer, after its id is looked up (``clockSkew``): a retry
    /// is answered from the record before its `at` is checked (R-LOG-3 rev. 2). The envelope was fully
    /// decoded and validated already; a weak new password (R-ACC-6) is refused next, before any salt is
    /// drawn or hash computed, so no invalid command costs PBKDF2.
    func prepare(_ envelope: CommandEnvelope, trustTime: Bool) throws(LedgerError) -> PreparedCommand {
        // An envelope built in Swift keeps the same input rules as a decoded line (docs/cli.md).
        if let problem = envelope.inputProblem(limits: options.inputLimits) { throw LedgerError(problem) }
        let now = options.clock()
        let time: Timestamp
        if trustTime {
            time = envelope.at ?? now
        } else {
            if let at = envelope.at {
                // Saturating: neither a host's policy nor a time may overflow the check.
                let (tolerance, wide) = Int64(clamping: options.policy.clockToleranceSeconds)
                    .multipliedReportingOverflow(by: 1000)
                let (difference, far) = at.epochMilliseconds.subtractingReportingOverflow(now.epochMilliseconds)
                guard wide || (!far && difference.magnitude <= tolerance.magnitude) else {
                    let skew = LedgerError(
                        .clockSkew, rule: "R-LOG-4",
                        "the command's time \(at) is more than \(options.policy.clockToleranceSeconds) s from the "
                            + "ledger's clock (\(now)); the ledger stamps commands with its own time")
                    guard envelope.id != nil else { throw skew }
                    return PreparedCommand(
                        envelope: envelope, time: now, trustedTime: false, clockSkew: skew,
                        fingerprint: envelope.fingerprint, secrets: PreparedSecrets(), checkedCredential: nil,
                        hashes: nil)
                }
            }
            time = now
        }
        let needs = envelope.command.preparation
        var secrets = PreparedSecrets()
        var checked: CheckedCredential?
        if let password = needs.passwordToHash {
            do {
                try options.policy.requireStrongPassword(password, field: needs.passwordField)
            } catch {
                throw LedgerError(error)
            }
            // Every other input rule that needs no store, before the hash (docs/cli.md, input rules).
            if let refusal = envelope.command.inputRefusal { throw LedgerError(refusal) }
            let salt = options.randomBytes(16)
            secrets.newPasswordHash = PasswordHasher.hash(
                password: password, salt: salt, iterations: options.policy.passwordIterations)
        }
        if let check = needs.passwordToVerify {
            // The same before a password is checked: a malformed line costs no PBKDF2 time either.
            if let refusal = envelope.command.inputRefusal { throw LedgerError(refusal) }
            let (accountId, stored) = try storedCredential(for: check.target)
            if let stored {
                secrets.passwordMatches = PasswordHasher.verify(password: check.password, against: stored)
            } else {
                // Spend the same time as a real check, so timing does not tell which usernames exist.
                _ = PasswordHasher.hash(
                    password: check.password, salt: Array(repeating: 0, count: 16),
                    iterations: options.policy.passwordIterations)
                secrets.passwordMatches = false
            }
            checked = CheckedCredential(target: check.target, accountId: accountId, hash: stored)
        }
        if needs.resetToken {
            secrets.resetToken = PasswordHasher.token(fromRandomBytes: options.randomBytes(32))
        }
        if let field = needs.generatedIdField {
            secrets.generatedId = Self.idPrefix(field) + PasswordHasher.hex(options.randomBytes(8))
        }
        return PreparedCommand(
            envelope: envelope, time: time, trustedTime: trustTime && envelope.at != nil, clockSkew: nil,
            fingerprint: envelope.id == nil ? [] : envelope.fingerprint,
            secrets: secrets, checkedCredential: checked, hashes: dbs.hasher.memo(of: envelope.command))
    }

    private func storedCredential(
        for target: PasswordCheck.Target
    ) throws(LedgerError) -> (accountId: String?, hash: PasswordHash?) {
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access in
                    let models = ModelStore(access: access, dbs: dbs)
                    let resolved = CommandRunner.resolve(target, in: models)
                    let hash = resolved.flatMap { models.credential($0)?.passwordHash }
                    if let fault = models.fault { throw LedgerError(.storage, fault) }
                    return (resolved, hash)
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Ledger.ledgerError(error)
        }
    }

    static func idPrefix(_ field: String) -> String {
        switch field {
        case "accountId": return "acct-"
        case "requestId": return "CR-"
        case "closeoutId": return "CO-"
        case "adjustmentId": return "BA-"
        default: return field + "-"
        }
    }
}
