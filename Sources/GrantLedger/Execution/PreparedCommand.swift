internal import EventLog
internal import GrantWorkflow

/// A command with everything slow or random computed outside the write transaction: its time, the
/// hash of a new password, whether a given password matched, a reset token, a generated id.
struct PreparedCommand: Sendable {
    var envelope: CommandEnvelope
    var time: Timestamp
    var secrets: PreparedSecrets
    /// The credential a password was checked against; inside the transaction, a changed credential
    /// is checked again before deciding.
    var checkedCredential: CheckedCredential?
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
    /// The envelope was fully decoded and validated already; a weak new password (R-ACC-6) is
    /// refused here, before any salt is drawn or hash computed, so no invalid command costs PBKDF2.
    func prepare(_ envelope: CommandEnvelope) throws(LedgerError) -> PreparedCommand {
        let needs = envelope.command.preparation
        var secrets = PreparedSecrets()
        var checked: CheckedCredential?
        if let password = needs.passwordToHash {
            do {
                try options.policy.requireStrongPassword(password, field: needs.passwordField)
            } catch {
                throw LedgerError(error)
            }
            let salt = options.randomBytes(16)
            secrets.newPasswordHash = PasswordHasher.hash(
                password: password, salt: salt, iterations: options.policy.passwordIterations)
        }
        if let check = needs.passwordToVerify {
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
            envelope: envelope, time: envelope.at ?? options.clock(), secrets: secrets, checkedCredential: checked)
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
