import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Synchronization
import Testing

/// docs/cli.md "Input rules (rev. 2)": a command is fully validated before any password is hashed.
@Suite("Validation before hashing")
struct PasswordHashingOrderTests {
    /// Counts the salts drawn: `prepare` draws a password's salt immediately before hashing it, and
    /// these commands name their account, so no other random bytes are drawn.
    final class SaltCounter: Sendable {
        let draws = Mutex(0)

        var count: Int { draws.withLock { $0 } }

        var source: @Sendable (Int) -> [UInt8] {
            { count in
                self.draws.withLock { $0 += 1 }
                return [UInt8](repeating: 7, count: count)
            }
        }
    }

    func openLedger(_ path: String, counter: SaltCounter) throws -> Ledger {
        var policy = testPolicy
        // Were PBKDF2 ever reached by a refused command, this test would not finish in a day.
        policy.passwordIterations = 2_000_000_000
        let time = Timestamp(iso8601: "2026-01-05T09:00:00+08:00")!
        return try Ledger(
            path: path, options: LedgerOptions(policy: policy, clock: { time }, randomBytes: counter.source))
    }

    @Test("a weak password (R-ACC-6) and every decoder error are answered without hashing")
    func refusedBeforeHashing() async throws {
        let dir = TemporaryDirectory()
        let counter = SaltCounter()
        let ledger = try openLedger(dir.path, counter: counter)
        defer { ledger.close() }
        let refused: [(String, String)] = [
            (
                line("bootstrap", ["accountId": "N0", "username": "u", "password": "short1", "name": "n"]),
                "weakPassword"
            ),
            (
                line("bootstrap", ["accountId": "N0", "username": "u", "password": "lettersonly", "name": "n"]),
                "weakPassword"
            ),
            (
                line("bootstrap", ["accountId": "N 0", "username": "u", "password": password, "name": "n"]),
                "invalidInput"
            ),
            (
                line("bootstrap", ["accountId": "N0", "username": "u", "password": password, "name": "n\u{202E}"]),
                "invalidInput"
            ),
            (
                line("bootstrap", ["accountId": "N0", "username": "u", "password": password, "name": "n", "x": 1]),
                "invalidInput"
            ),
            (line("resetPassword", ["token": "t", "newPassword": "1234567"]), "weakPassword"),
            (line("registerAccount", ["accountId": "L1", "role": "leader", "password": password]), "invalidInput"),
            (#"{"type":"bootstrap","accountId":"N0","username":"u","password":"Secret123","name":"n""#, "invalidInput"),
        ]
        // Every input rule a registration, a reset or a resubmission breaks without reading the store.
        let registration: [String: Any] = [
            "accountId": "L1", "role": "leader", "username": "13800000001", "email": "l1@example.cn",
            "name": "张三", "idType": "residentId", "idNumber": IDs.leader, "unitId": "U1", "password": password,
            "agreedToTerms": true,
        ]
        func registering(_ change: [String: Any]) -> String {
            line("registerAccount", registration.merging(change) { $1 })
        }
        let malformed: [(String, String)] = [
            (registering(["email": "notanemail"]), "invalidInput"),
            (registering(["username": "2380000000"]), "invalidInput"),
            (registering(["idNumber": "110108198001010010"]), "invalidIdNumber"),
            (registering(["agreedToTerms": false]), "termsNotAccepted"),
            (registering(["role": "unitAdmin"]), "invalidInput"),
            (line("resetPassword", ["token": "nothex!", "newPassword": password]), "tokenInvalid"),
            (line("resubmitRegistration", ["accountId": "L9", "password": password, "email": "bad"]), "invalidInput"),
            (
                line(
                    "createAdminAccount",
                    [
                        "accountId": "A9", "role": "leader", "username": "a9", "password": password, "name": "n",
                        "unitId": "U1",
                    ], by: "N0"), "invalidInput"
            ),
        ]
        for (text, code) in malformed {
            let outcome = await ledger.execute(line: text)
            #expect(outcome.error?.code.rawValue == code, "\(text): \(String(describing: outcome.error))")
        }
        for (text, code) in refused {
            let outcome = await ledger.execute(line: text)
            #expect(outcome.error?.code.rawValue == code, "\(text)")
        }
        let weak = await ledger.execute(line: refused[0].0)
        #expect(weak.error?.rule == "R-ACC-6")
        #expect(weak.error?.field == "password")
        let reset = await ledger.execute(line: refused[5].0)
        #expect(reset.error?.field == "newPassword")
        #expect(counter.count == 0, "a refused command drew a salt: it reached PBKDF2")
        #expect(try ledger.head().position == 0)
    }

    @Test("the salt counter does see hashing: a valid bootstrap draws one salt")
    func counterSeesHashing() async throws {
        let dir = TemporaryDirectory()
        let counter = SaltCounter()
        let time = Timestamp(iso8601: "2026-01-05T09:00:00+08:00")!
        let ledger = try Ledger(
            path: dir.path, options: LedgerOptions(policy: testPolicy, clock: { time }, randomBytes: counter.source))
        defer { ledger.close() }
        await ledger.expectAccepted(Scenario.organisation[0])
        #expect(counter.count == 1)
    }
}
