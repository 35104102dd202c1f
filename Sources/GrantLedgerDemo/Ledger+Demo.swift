internal import Dispatch
public import GrantLedger
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
            do throws(LedgerError) {
                token = try ledger.newestResetToken(for: accountId)
            } catch {
                return .failure(error)
            }
            guard let token, let text = step.resetLine(token: token) else {
                return .failure(LedgerError(.notFound, "no reset token was sent to \(accountId)"))
            }
            line = text
        }
        // The plan dates every command: the demo runs with trusted command time (R-LOG-4).
        return ledger.prepare(line: Array(line.utf8), trustTime: true)
    }

    private func submit(_ index: Int, _ prepared: Result<PreparedCommand, LedgerError>) {
        state.withLock { $0.submitted += 1 }
        let commandId = steps[index].commandId
        switch prepared {
        case .failure(let error):
            answer(index, CommandOutcome(commandId: commandId, error: error))
        case .success(let command):
            ledger.submit(command) { outcome in self.answer(index, outcome) }
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
