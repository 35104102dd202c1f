internal import Dispatch
internal import EventLog
internal import GrantWorkflow
internal import Synchronization

extension LedgerError.Code {
    /// The store already holds events: the demo fills only an empty store.
    public static let storeNotEmpty = LedgerError.Code(rawValue: "storeNotEmpty")
}

/// What running a ``DemoPlan`` gave: how many steps were accepted and rejected, and any step whose
/// outcome was not the one the plan expected (there should be none).
public struct DemoReport: Sendable, Hashable {
    /// Steps run.
    public var steps = 0
    /// Steps accepted.
    public var accepted = 0
    /// Steps rejected (the expected ones included).
    public var rejected = 0
    /// Rejections the plan expected, by error code, as they happened.
    public var expectedRejections: [String: Int] = [:]
    /// Steps whose outcome differed from the plan's expectation.
    public var unexpected: [DemoSurprise] = []
}

/// A step whose outcome was not the expected one.
public struct DemoSurprise: Sendable, Hashable, CustomStringConvertible {
    /// The step's command id.
    public var commandId: String
    /// The command type.
    public var type: String
    /// The error code expected, or nil for acceptance.
    public var expected: String?
    /// What happened: the result line.
    public var outcome: String

    /// `id (type): expected …, got …`.
    public var description: String {
        "\(commandId) (\(type)): expected \(expected ?? "acceptance"), got \(outcome)"
    }
}

extension Ledger {
    /// Runs a ``DemoPlan`` on this (empty) store and answers once every step is durable.
    ///
    /// Steps are queued in plan order into group commit without waiting for each answer (up to a
    /// window), so thousands share a commit; password hashing, the slow part, runs ahead on two
    /// background threads, while each hashed command still enters the log at its place, so a seed
    /// always gives the same log. A step that checks a password or needs a reset token first waits
    /// for everything before it to commit. `progress` receives (steps answered, steps) now and then.
    ///
    /// Blocks the calling thread; from async code use the `async` overload.
    public func fillDemo(
        _ plan: DemoPlan, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(LedgerError) -> DemoReport {
        let head = try head()
        guard head.position == 0 else {
            throw LedgerError(
                .storeNotEmpty, "the store already holds \(head.position) events; the demo fills only an empty store")
        }
        return DemoRunner(ledger: self, steps: plan.steps, progress: progress).run()
    }

    /// ``fillDemo(_:progress:)`` off the cooperative thread pool.
    public func fillDemo(
        _ plan: DemoPlan, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws(LedgerError) -> DemoReport {
        let result: Result<DemoReport, LedgerError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(LedgerError) {
                    continuation.resume(returning: .success(try self.fillDemo(plan, progress: progress)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// The token of the newest `passwordReset` notification sent to `accountId` (as its holder
    /// would read it from the SMS), looking back at most `limit` notifications.
    func newestResetToken(for accountId: String, limit: UInt64 = 100_000) throws -> String? {
        let dbs = dbs
        return try store.read { txn in
            try txn.withUnsafeAccess { access -> String? in
                guard let last = try access.get(dbs.ledger, LedgerMetaKey.outboxSequence).flatMap(BigEndian.value)
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
    }
}

/// Streams a plan's steps into the writer in order, with password hashing running ahead.
final class DemoRunner: Sendable {
    private struct Progress {
        var submitted = 0
        var answered = 0
        var report = DemoReport()
    }

    private let ledger: Ledger
    private let steps: [DemoStep]
    private let progress: (@Sendable (Int, Int) -> Void)?
    private let state = Mutex(Progress())
    private let answered = DispatchSemaphore(value: 0)
    /// Hashed commands prepared ahead, by step index.
    private let hashed = Mutex<[Int: Result<PreparedCommand, LedgerError>]>([:])
    private let hashedSignal = DispatchSemaphore(value: 0)
    private let hashCursor = Mutex(0)

    /// Most steps queued and not yet answered.
    static let window = 4_096
    /// Background threads hashing passwords.
    static let hashers = 2

    init(ledger: Ledger, steps: [DemoStep], progress: (@Sendable (Int, Int) -> Void)?) {
        self.ledger = ledger
        self.steps = steps
        self.progress = progress
    }

    func run() -> DemoReport {
        let hashing = steps.indices.filter { steps[$0].hashesPassword && !steps[$0].waitsForCommit }
        let group = DispatchGroup()
        for _ in 0..<Self.hashers {
            DispatchQueue.global().async(group: group) { self.hashAhead(hashing) }
        }
        for index in steps.indices {
            let step = steps[index]
            let prepared: Result<PreparedCommand, LedgerError>
            if step.waitsForCommit {
                waitUntilAnswered(state.withLock { $0.submitted })
                prepared = prepare(index)
            } else if step.hashesPassword {
                prepared = takeHashed(index)
            } else {
                prepared = prepare(index)
            }
            waitForRoom()
            submit(index, prepared)
            if index % 512 == 0 { progress?(state.withLock { $0.answered }, steps.count) }
        }
        waitUntilAnswered(steps.count)
        group.wait()
        progress?(steps.count, steps.count)
        return state.withLock { progress in
            var report = progress.report
            report.steps = steps.count
            return report
        }
    }

    /// Prepares the hashing steps in plan order, two at a time.
    private func hashAhead(_ indices: [Int]) {
        while true {
            let next = hashCursor.withLock { cursor in
                defer { cursor += 1 }
                return cursor
            }
            guard next < indices.count else { return }
            let result = prepare(indices[next])
            hashed.withLock { $0[indices[next]] = result }
            hashedSignal.signal()
        }
    }

    private func takeHashed(_ index: Int) -> Result<PreparedCommand, LedgerError> {
        while true {
            if let result = hashed.withLock({ $0.removeValue(forKey: index) }) { return result }
            hashedSignal.wait()
        }
    }

    /// Decodes the step (building a reset line from the newest token) and prepares it.
    private func prepare(_ index: Int) -> Result<PreparedCommand, LedgerError> {
        let step = steps[index]
        let line: String
        switch step.action {
        case .line(let text):
            line = text
        case .resetPassword(let accountId, _):
            let token: String?
            do {
                token = try ledger.newestResetToken(for: accountId)
            } catch {
                return .failure(Ledger.ledgerError(error))
            }
            guard let token, let text = step.resetLine(token: token) else {
                return .failure(LedgerError(.notFound, "no reset token was sent to \(accountId)"))
            }
            line = text
        }
        do throws(LedgerError) {
            let envelope: CommandEnvelope
            do {
                envelope = try CommandDecoder.decode(line: Array(line.utf8), limits: ledger.options.inputLimits)
            } catch {
                throw LedgerError(error)
            }
            return .success(try ledger.prepare(envelope, trustTime: true))
        } catch {
            return .failure(error)
        }
    }

    private func submit(_ index: Int, _ prepared: Result<PreparedCommand, LedgerError>) {
        state.withLock { $0.submitted += 1 }
        let commandId = steps[index].commandId
        switch prepared {
        case .failure(let error):
            answer(index, CommandOutcome(commandId: commandId, error: error))
        case .success(let command):
            let runner = CommandRunner(dbs: ledger.dbs, policy: ledger.options.policy)
            ledger.store.enqueueWrite(
                { txn in try runner.run(command, in: txn) },
                completion: { result in
                    switch result {
                    case .success(let applied):
                        self.answer(index, applied.outcome(commandId: commandId))
                    case .failure(let error):
                        self.answer(index, CommandOutcome(commandId: commandId, error: Ledger.ledgerError(error)))
                    }
                })
        }
    }

    /// Records an answer against the plan's expectation (on the writer thread: quick).
    private func answer(_ index: Int, _ outcome: CommandOutcome) {
        let step = steps[index]
        let code = outcome.error?.code.rawValue
        state.withLock { progress in
            progress.answered += 1
            if outcome.isAccepted { progress.report.accepted += 1 } else { progress.report.rejected += 1 }
            if code == step.expectedError {
                if let code { progress.report.expectedRejections[code, default: 0] += 1 }
            } else {
                progress.report.unexpected.append(
                    DemoSurprise(
                        commandId: step.commandId, type: step.type, expected: step.expectedError,
                        outcome: outcome.jsonLine))
            }
        }
        answered.signal()
    }

    private func waitForRoom() {
        while state.withLock({ $0.submitted - $0.answered >= Self.window }) { answered.wait() }
    }

    private func waitUntilAnswered(_ count: Int) {
        while state.withLock({ $0.answered < count }) { answered.wait() }
    }
}
