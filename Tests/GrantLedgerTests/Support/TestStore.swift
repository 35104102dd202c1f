import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// The policy for tests: the standard one with a cheap PBKDF2 (tests hash many passwords).
let testPolicy: WorkflowPolicy = {
    var policy = WorkflowPolicy.standard
    policy.passwordIterations = 1_000
    return policy
}()

/// Opens a ledger for scenario tests: a fixed clock and trusted command time (each line's `at` is its
/// time, R-LOG-4), unless `trustCommandTime` is false.
func openTestLedger(
    _ path: String, now: String = "2026-01-05T09:00:00+08:00", trustCommandTime: Bool = true
) throws -> Ledger {
    let time = Timestamp(iso8601: now)!
    return try Ledger(
        path: path, options: LedgerOptions(policy: testPolicy, clock: { time }, trustCommandTime: trustCommandTime))
}

/// A JSON command line from a type and fields.
func line(
    _ type: String, _ fields: [String: Any] = [:], by actor: String? = nil, id: String? = nil, at: String? = nil
)
    -> String
{
    var object = fields
    object["type"] = type
    if let actor { object["actor"] = actor }
    if let id { object["id"] = id }
    if let at { object["at"] = at }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

extension Ledger {
    /// Executes a command that must be accepted; records an issue otherwise.
    @discardableResult
    func expectAccepted(
        _ text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> CommandOutcome {
        let outcome = await execute(line: text)
        #expect(outcome.isAccepted, "\(outcome.jsonLine) for \(text)", sourceLocation: sourceLocation)
        return outcome
    }

    /// Executes a command that must be rejected with `code`.
    @discardableResult
    func expectRejected(
        _ text: String, _ code: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> CommandOutcome {
        let outcome = await execute(line: text)
        #expect(outcome.error?.code.rawValue == code, "\(outcome.jsonLine) for \(text)", sourceLocation: sourceLocation)
        return outcome
    }
}
