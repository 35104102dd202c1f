import Foundation
import GrantWorkflow
import Testing

/// A small given / when / then fixture: an in-memory state, a clock the test moves, and the engine's
/// preparation of secrets done the way the engine does it (with a low PBKDF2 iteration count).
struct World {
    var state = WorkflowState()
    var policy = WorkflowPolicy.standard
    var now: Timestamp
    var counter = 0
    /// Every accepted event, in order (for replay checks).
    var log: [DomainEvent] = []
    /// Every notification sent, in order.
    var outbox: [GrantWorkflow.Notification] = []

    static let iterations = 10

    init(at time: String = "2026-01-05T09:00:00+08:00") {
        now = Timestamp(iso8601: time)!
    }

    /// Moves the clock to a date (09:00 China time).
    mutating func on(_ date: String) {
        now = Timestamp(iso8601: date + "T09:00:00+08:00")!
    }

    /// The secrets the engine would prepare for this command.
    mutating func prepare(_ command: Command) -> PreparedSecrets {
        let needs = command.preparation
        var secrets = PreparedSecrets()
        counter += 1
        if let password = needs.passwordToHash {
            secrets.newPasswordHash = PasswordHasher.hash(
                password: password, salt: Array("salt-\(counter)".utf8), iterations: Self.iterations)
        }
        if let check = needs.passwordToVerify {
            let accountId: String?
            switch check.target {
            case .username(let role, let username): accountId = state.accountId(role: role, username: username)
            case .account(let id): accountId = id
            }
            if let accountId, let credential = state.credential(accountId) {
                secrets.passwordMatches = PasswordHasher.verify(
                    password: check.password, against: credential.passwordHash)
            } else {
                secrets.passwordMatches = false
            }
        }
        if needs.resetToken { secrets.resetToken = "token-\(counter)" }
        if needs.generatedIdField != nil { secrets.generatedId = "gen-\(counter)" }
        return secrets
    }

    /// Runs a decoded envelope through decide, and applies the outcome like the engine.
    mutating func run(_ envelope: CommandEnvelope) -> DecisionOutcome {
        let context = DecisionContext(time: envelope.at ?? now, policy: policy, secrets: prepare(envelope.command))
        let outcome = Workflow.execute(envelope.command, actor: envelope.actor, state: &state, context: context)
        if case .accepted(let decision) = outcome {
            log.append(contentsOf: decision.domainEvents)
            outbox.append(contentsOf: decision.notifications)
        }
        return outcome
    }

    /// When: a command given as its type and fields (JSON-encoded, then decoded like a real line).
    mutating func when(_ type: String, _ fields: [String: Any] = [:], by actor: String? = nil) -> Then {
        var object = fields
        object["type"] = type
        if let actor { object["actor"] = actor }
        let line = Self.json(object)
        switch Result(catching: { () throws(WorkflowError) in try CommandDecoder.decode(line: line) }) {
        case .failure(let error):
            return Then(outcome: .rejected(Rejection(error)))
        case .success(let envelope):
            return Then(outcome: run(envelope))
        }
    }

    /// Given: a command that must be accepted.
    @discardableResult
    mutating func given(
        _ type: String, _ fields: [String: Any] = [:], by actor: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Decision {
        when(type, fields, by: actor).accepted(sourceLocation: sourceLocation)
    }

    /// Given: events applied directly.
    mutating func given(events: [DomainEvent]) {
        for event in events { Workflow.evolve(event, into: &state) }
        log.append(contentsOf: events)
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data)
    }
}

/// The outcome of a `when`, with the `then` checks.
struct Then {
    let outcome: DecisionOutcome

    /// Then: accepted; returns the decision.
    @discardableResult
    func accepted(sourceLocation: SourceLocation = #_sourceLocation) -> Decision {
        switch outcome {
        case .accepted(let decision): return decision
        case .rejected(let rejection):
            Issue.record("expected acceptance, got \(rejection.error)", sourceLocation: sourceLocation)
            return Decision()
        }
    }

    /// Then: these events, by type name, in order.
    @discardableResult
    func thenEvents(_ names: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Decision {
        let decision = accepted(sourceLocation: sourceLocation)
        #expect(decision.domainEvents.map(\.typeName) == names, sourceLocation: sourceLocation)
        return decision
    }

    /// Then: this error.
    @discardableResult
    func thenError(
        _ code: WorkflowError.Code, rule: String? = nil, field: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> WorkflowError? {
        switch outcome {
        case .accepted(let decision):
            Issue.record(
                "expected \(code), got acceptance with \(decision.domainEvents.map(\.typeName))",
                sourceLocation: sourceLocation)
            return nil
        case .rejected(let rejection):
            #expect(rejection.error.code == code, "\(rejection.error)", sourceLocation: sourceLocation)
            if let rule { #expect(rejection.error.rule == rule, "\(rejection.error)", sourceLocation: sourceLocation) }
            if let field {
                #expect(rejection.error.field == field, "\(rejection.error)", sourceLocation: sourceLocation)
            }
            return rejection.error
        }
    }
}
