internal import EventLog
internal import GrantWorkflow

/// Pipelining for tools in this package (the demo): commands decoded and prepared ahead of the
/// writer, on any thread, then queued in order. Not public: a host uses ``Ledger/execute(_:)`` or
/// ``Ledger/submit(line:completion:)``, where the options decide the time rule.
extension Ledger {
    /// Decodes and prepares a command line (password hashing included); `trustTime` chooses the
    /// time rule for this command (R-LOG-4).
    package func prepare(line: [UInt8], trustTime: Bool) -> Result<PreparedCommand, LedgerError> {
        do throws(LedgerError) {
            let envelope: CommandEnvelope
            do {
                envelope = try CommandDecoder.decode(line: line, limits: options.inputLimits)
            } catch {
                throw LedgerError(error)
            }
            return .success(try prepare(envelope, trustTime: trustTime))
        } catch {
            return .failure(error)
        }
    }

    /// Queues a prepared command for the writer; `completion` gets the answer once durable, on the
    /// writer thread (quick, and no writes).
    package func submit(_ prepared: PreparedCommand, completion: @escaping @Sendable (CommandOutcome) -> Void) {
        let runner = CommandRunner(dbs: dbs, policy: options.policy, seals: options.sealsPersonalData)
        let commandId = prepared.envelope.id
        store.enqueueWrite(
            isolation: CommandRunner.isolation,
            { txn in try runner.run(prepared, in: txn) },
            completion: { result in
                switch result {
                case .success(let applied): completion(applied.outcome(commandId: commandId))
                case .failure(let error):
                    completion(CommandOutcome(commandId: commandId, error: Self.ledgerError(error)))
                }
            })
    }

    /// The token of the newest `passwordReset` notification sent to `accountId` (as its holder
    /// would read it from the SMS), looking back at most `limit` notifications.
    package func newestResetToken(for accountId: String, limit: UInt64 = 100_000) throws(LedgerError) -> String? {
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access -> String? in
                    guard
                        let last = try access.get(dbs.ledger, LedgerMetaKey.outboxSequence).flatMap(BigEndian.value)
                    else { return nil }
                    var sequence = last
                    while sequence > 0, last - sequence < limit {
                        if let bytes = try access.get(dbs.outbox, OutboxKey.entry(sequence)) {
                            let entry = try OutboxNotification(encoded: bytes)
                            if entry.recipient == accountId, entry.template == NotificationTemplate.passwordReset {
                                return entry.parameters["token"]
                            }
                        }
                        sequence -= 1
                    }
                    return nil
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }
}
