internal import EventLog
internal import GrantWorkflow

/// A rejected command, thrown out of its child transaction so that it leaves no trace (R-LOG-1).
struct RejectedCommand: Error {
    let error: LedgerError
}

/// What a command's transaction produced.
enum AppliedCommand: Sendable {
    /// Accepted (or answered from the idempotency record).
    case accepted(CommandOutcome)
    /// Rejected, but with credential changes that must persist (a failed login counts toward the
    /// lockout, R-ACC-6; the one documented exception to R-LOG-1).
    case rejectedKeepingCredentials(LedgerError)

    func outcome(commandId: String?) -> CommandOutcome {
        switch self {
        case .accepted(let outcome): return outcome
        case .rejectedKeepingCredentials(let error): return CommandOutcome(commandId: commandId, error: error)
        }
    }
}

/// Runs one prepared command inside a child write transaction on the writer thread: idempotency,
/// clock check (a retry is answered from the record whatever its `at`), decide against the stored state, append, evolve the read models, outbox, credentials,
/// attachments, checkpoint and idempotency record, all in that one transaction.
struct CommandRunner: Sendable {
    let dbs: LedgerDatabases
    let policy: WorkflowPolicy
    /// ``LedgerOptions/sealsPersonalData``.
    var seals = true

    /// A command is decided before anything is written: every rejection (a rule, the clock, a reused
    /// command id) is thrown before the first write, so commands run without a child transaction of
    /// their own. A throw after writing (a storage failure, or a rejection after the models were caught
    /// up) makes the writer re-run the batch with each command in a child transaction (R-LOG-1).
    static let isolation = WriteIsolation.rerunIfFailedAfterWriting

    func run(_ prepared: PreparedCommand, in txn: borrowing WriteTransaction) throws -> AppliedCommand {
        let envelope = prepared.envelope
        let dbs = dbs.using(prepared.hashes)
        if let id = envelope.id, let stored = try txn.commandResult(id) {
            // A retry that carries a password (`resubmitRegistration`) is answered from the record only
            // with the right one: a wrong one is decided as any command is, which answers
            // `invalidCredentials` and counts toward the lockout (R-ACC-6 rev. 2).
            if let replayed = try Self.replay(stored, id: id, prepared),
                try passwordHolds(prepared, in: txn, dbs: dbs)
            {
                try Self.checkErasureRetry(stored, id: id, envelope.command, txn: txn, dbs: dbs)
                return .accepted(replayed)
            }
        }
        // An `at` beyond the tolerance, on a command its id did not answer (R-LOG-4).
        if let skew = prepared.clockSkew { throw RejectedCommand(error: skew) }
        let head = txn.head
        try ModelMaintenance.catchUp(txn, dbs: dbs)
        let time = try Self.stamp(prepared, head: head)
        var context = DecisionContext(time: time, policy: policy, secrets: prepared.secrets)
        return try txn.withUnsafeAccess { access throws -> AppliedCommand in
            var state = ModelStore(access: access, dbs: dbs)
            if prepared.checkedCredential != nil {
                context.secrets.passwordMatches = Self.passwordMatches(prepared, in: state)
            }
            let outcome = Workflow.decide(envelope.command, actor: envelope.actor, state: state, context: context)
            try Self.checkFault(state)
            switch outcome {
            case .rejected(let rejection):
                guard !rejection.credentialChanges.isEmpty else {
                    throw RejectedCommand(error: LedgerError(rejection.error))
                }
                for change in rejection.credentialChanges { Workflow.apply(change, to: &state) }
                try Self.checkFault(state)
                return .rejectedKeepingCredentials(LedgerError(rejection.error))
            case .accepted(let decision):
                return .accepted(
                    try apply(
                        decision, prepared, time: time, head: head, to: &state, dbs: dbs, access: access, txn: txn))
            }
        }
    }

    private func apply(
        _ decision: Decision, _ prepared: PreparedCommand, time stamp: Timestamp, head: Head,
        to state: inout ModelStore, dbs: LedgerDatabases,
        access: TransactionAccess, txn: borrowing WriteTransaction
    ) throws -> CommandOutcome {
        let envelope = prepared.envelope
        let time = stamp.epochMilliseconds
        var position = head.position
        var types: [String] = []
        types.reserveCapacity(decision.events.count)
        let keys = SubjectKeyring(access: access, dbs: dbs)
        let reader = state
        keys.documentOfAccount = { reader.account($0)?.idNumber }
        var erasures: [(SubjectErased, UInt64)] = []
        for pending in decision.events {
            let event = pending.event
            // Personal fields are sealed under their subjects' keys before the record is hashed (R-LOG-6).
            keys.position = position + 1
            let payload: [UInt8]
            var schemaVersion = event.schemaVersion
            if let plain = event.unsealedPayload {
                payload = plain
            } else if seals {
                payload = event.payload(sealer: keys)
            } else {
                payload = event.legacyPayload
                schemaVersion = event.type.legacySchemaVersion
            }
            if let fault = keys.fault { throw LedgerError(.storage, fault) }
            let record = NewEvent(
                type: event.typeName, schemaVersion: UInt16(schemaVersion), payload: payload, time: time,
                commandId: envelope.id, actor: envelope.actor,
                causationId: envelope.causationId ?? envelope.id, correlationId: envelope.correlationId ?? envelope.id)
            guard let landed = try txn.append([record], to: pending.stream).last else {
                throw LedgerError(.storage, "the event log did not return a position")
            }
            position = landed
            types.append(event.typeName)
            Workflow.evolve(event, into: &state)
            if case .subjectErased(let erased) = event { erasures.append((erased, landed)) }
        }
        try keys.finish()
        for (erased, at) in erasures {
            try Erasure.run(erased, at: at, txn: txn, access: access, dbs: dbs, keys: keys)
            try Outbox.retire(recipients: Set(erased.accounts), time: stamp, access: access, dbs: dbs)
        }
        for change in decision.credentialChanges { Workflow.apply(change, to: &state) }
        try Self.checkFault(state)
        try Outbox.enqueue(decision.notifications, time: stamp, position: position, access: access, dbs: dbs)
        for blob in decision.attachments {
            let key = Array(blob.digest.utf8)
            if try access.get(dbs.attachments, key) == nil { try access.put(dbs.attachments, key, blob.bytes) }
        }
        try access.put(dbs.ledger, LedgerMetaKey.checkpoint, BigEndian.bytes(position))
        let outcome = CommandOutcome(
            commandId: envelope.id, position: position, events: types, result: decision.result)
        if let id = envelope.id, envelope.command.isAnsweredFromRecord {
            // An erasure by document number names the person it erases: only its fingerprint without
            // them. A command without personal values keeps its full one beside an empty second one.
            let publicFingerprint = prepared.envelope.publicFingerprint
            try txn.recordCommand(
                id,
                result: outcome.storedForm(
                    fingerprint: !erasures.isEmpty && publicFingerprint != nil ? nil : prepared.fingerprint,
                    publicFingerprint: publicFingerprint ?? []))
        }
        return outcome
    }

    /// The answer for a command id already on record (R-LOG-3 rev. 2): the first result, marked
    /// replayed, when the command is the same; `idempotencyConflict` when another command used the id.
    /// Commands that check a secret (`login`, the resets) are never answered from the record: nil
    /// runs them again.
    static func replay(_ stored: [UInt8], id: String, _ prepared: PreparedCommand) throws -> CommandOutcome? {
        guard let record = CommandOutcome.stored(stored, commandId: id) else {
            throw LedgerError(.corrupted, "the stored result of command '\(id)' is malformed")
        }
        let command = prepared.envelope.command
        let same: Bool
        if let fingerprint = record.fingerprint {
            // A record without the second fingerprint was written before round 18, whose fingerprint
            // held the command's secrets: a retry of such a command is matched on that form.
            same =
                fingerprint == prepared.fingerprint
                || (record.publicFingerprint == nil && prepared.envelope.legacyFingerprint == fingerprint)
        } else if let publicFingerprint = record.publicFingerprint, !publicFingerprint.isEmpty {
            // The full fingerprint went with an erasure: everything but the personal values must match.
            same = publicFingerprint == prepared.envelope.publicFingerprint
        } else {
            // A record from before fingerprints cannot tell commands apart: the first result, except for
            // the commands that are never answered from the record.
            return command.isAnsweredFromRecord ? record.outcome : nil
        }
        guard same, command.isAnsweredFromRecord else {
            throw RejectedCommand(
                error: LedgerError(
                    .idempotencyConflict, rule: "R-LOG-3",
                    "the command id '\(id)' was already used by a different command; choose a new id"))
        }
        return record.outcome
    }

    /// An erasure by document number is recorded without its personal value, so a retry is matched on
    /// the rest (reason, actor): a true retry finds the person erased already. One naming a person who
    /// still has live data is another erasure under a reused id: `idempotencyConflict`, never a
    /// "replayed" answer that would tell the office someone was erased who was not.
    static func checkErasureRetry(
        _ stored: [UInt8], id: String, _ command: Command, txn: borrowing WriteTransaction, dbs: LedgerDatabases
    ) throws {
        guard case .eraseSubject(let target, _) = command,
            CommandOutcome.stored(stored, commandId: id)?.fingerprint == nil
        else { return }
        let status = txn.withUnsafeAccess { access in ModelStore(access: access, dbs: dbs).subjectStatus(target) }
        guard case .live = status else { return }
        throw RejectedCommand(
            error: LedgerError(
                .idempotencyConflict, rule: "R-LOG-3",
                "the command id '\(id)' was already used by an erasure of another person; choose a new id"))
    }

    /// The command's time (R-LOG-4 rev. 2). Trusted: the command's own `at`, refused when earlier than
    /// the newest event. Otherwise the ledger's clock (checked against `at` when prepared), never
    /// earlier than the newest event.
    static func stamp(_ prepared: PreparedCommand, head: Head) throws -> Timestamp {
        guard prepared.time.epochMilliseconds < head.time else { return prepared.time }
        guard !prepared.trustedTime else {
            throw RejectedCommand(
                error: LedgerError(
                    .clockSkew, rule: "R-LOG-4",
                    "the command's time \(prepared.time) is earlier than the newest event "
                        + "(\(Timestamp(epochMilliseconds: head.time)))"))
        }
        return Timestamp(epochMilliseconds: head.time)
    }

    static func checkFault(_ state: ModelStore) throws {
        if let fault = state.fault { throw LedgerError(.storage, fault) }
    }

    /// Whether the password a command carries to be checked is the account's now; true for a command
    /// that carries none.
    private func passwordHolds(
        _ prepared: PreparedCommand, in txn: borrowing WriteTransaction, dbs: LedgerDatabases
    ) throws -> Bool {
        guard prepared.envelope.command.preparation.passwordToVerify != nil else { return true }
        return try txn.withUnsafeAccess { access in
            Self.passwordMatches(prepared, in: ModelStore(access: access, dbs: dbs)) ?? true
        }
    }

    /// Whether the password the command carries matches the account's credential as stored now (nil
    /// for a command that carries none). The check made while preparing stands when it read this
    /// credential; when the credential changed since (a login queued right behind its registration,
    /// say) or was never read (a command prepared without it), the check is made again here, in
    /// order: rare, and slow only for this one command.
    static func passwordMatches(_ prepared: PreparedCommand, in state: ModelStore) -> Bool? {
        guard let check = prepared.envelope.command.preparation.passwordToVerify else { return nil }
        let accountId = resolve(check.target, in: state)
        let hash = accountId.flatMap { state.credential($0)?.passwordHash }
        if let checked = prepared.checkedCredential, checked.accountId == accountId, checked.hash == hash,
            let matches = prepared.secrets.passwordMatches
        {
            return matches
        }
        return hash.map { PasswordHasher.verify(password: check.password, against: $0) } ?? false
    }

    /// The account a password check is about.
    static func resolve(_ target: PasswordCheck.Target, in state: some WorkflowStateReader) -> String? {
        switch target {
        case .username(let role, let username): return state.accountId(role: role, username: username)
        case .account(let id): return state.account(id) == nil ? nil : id
        }
    }
}
