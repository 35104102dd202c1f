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
/// clock check, decide against the stored state, append, evolve the read models, outbox, credentials,
/// attachments, checkpoint and idempotency record, all in that one transaction.
struct CommandRunner: Sendable {
    let dbs: LedgerDatabases
    let policy: WorkflowPolicy

    func run(_ prepared: PreparedCommand, in txn: borrowing WriteTransaction) throws -> AppliedCommand {
        let envelope = prepared.envelope
        if let id = envelope.id, let stored = try txn.commandResult(id) {
            guard let outcome = CommandOutcome(storedForm: stored, commandId: id) else {
                throw LedgerError(.corrupted, "the stored result of command '\(id)' is malformed")
            }
            return .accepted(outcome)
        }
        let head = txn.head
        try ModelMaintenance.catchUp(txn, dbs: dbs)
        if prepared.time.epochMilliseconds < head.time {
            throw RejectedCommand(
                error: LedgerError(
                    .clockSkew, rule: "R-LOG-4",
                    "the command's time \(prepared.time) is earlier than the newest event "
                        + "(\(Timestamp(epochMilliseconds: head.time)))"))
        }
        var context = DecisionContext(time: prepared.time, policy: policy, secrets: prepared.secrets)
        return try txn.withUnsafeAccess { access throws -> AppliedCommand in
            var state = ModelStore(access: access, dbs: dbs)
            if let checked = prepared.checkedCredential {
                let accountId = Self.resolve(checked.target, in: state)
                let hash = accountId.flatMap { state.credential($0)?.passwordHash }
                if accountId != checked.accountId || hash != checked.hash {
                    // The credential changed after the password was checked (a login queued right
                    // behind its registration, say). Check again here, in order: rare, and slow only
                    // for this one command.
                    let password = envelope.command.preparation.passwordToVerify?.password ?? ""
                    context.secrets.passwordMatches =
                        hash.map { PasswordHasher.verify(password: password, against: $0) } ?? false
                }
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
                return .accepted(try apply(decision, prepared, head: head, to: &state, access: access, txn: txn))
            }
        }
    }

    private func apply(
        _ decision: Decision, _ prepared: PreparedCommand, head: Head, to state: inout ModelStore,
        access: TransactionAccess, txn: borrowing WriteTransaction
    ) throws -> CommandOutcome {
        let envelope = prepared.envelope
        let time = prepared.time.epochMilliseconds
        var position = head.position
        var types: [String] = []
        types.reserveCapacity(decision.events.count)
        for pending in decision.events {
            let event = pending.event
            let record = NewEvent(
                type: event.typeName, schemaVersion: UInt16(event.schemaVersion), payload: event.payload, time: time,
                commandId: envelope.id, actor: envelope.actor,
                causationId: envelope.causationId ?? envelope.id, correlationId: envelope.correlationId ?? envelope.id)
            guard let landed = try txn.append([record], to: pending.stream).last else {
                throw LedgerError(.storage, "the event log did not return a position")
            }
            position = landed
            types.append(event.typeName)
            Workflow.evolve(event, into: &state)
        }
        for change in decision.credentialChanges { Workflow.apply(change, to: &state) }
        try Self.checkFault(state)
        try Outbox.enqueue(decision.notifications, time: prepared.time, position: position, access: access, dbs: dbs)
        for blob in decision.attachments {
            let key = Array(blob.digest.utf8)
            if try access.get(dbs.attachments, key) == nil { try access.put(dbs.attachments, key, blob.bytes) }
        }
        try access.put(dbs.ledger, LedgerMetaKey.checkpoint, BigEndian.bytes(position))
        let outcome = CommandOutcome(
            commandId: envelope.id, position: position, events: types, result: decision.result)
        if let id = envelope.id { try txn.recordCommand(id, result: outcome.storedForm) }
        return outcome
    }

    static func checkFault(_ state: ModelStore) throws {
        if let fault = state.fault { throw LedgerError(.storage, fault) }
    }

    /// The account a password check is about.
    static func resolve(_ target: PasswordCheck.Target, in state: some WorkflowStateReader) -> String? {
        switch target {
        case .username(let role, let username): return state.accountId(role: role, username: username)
        case .account(let id): return state.account(id) == nil ? nil : id
        }
    }
}
