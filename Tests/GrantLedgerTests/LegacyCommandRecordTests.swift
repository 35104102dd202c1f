import Crypto
import EventLog
import Foundation
import Testing

@testable import GrantLedger
@testable import GrantWorkflow

/// Command records written by builds before round 18, whose fingerprint held the command's secrets:
/// a retry sent before an upgrade is still answered after it.
@Suite("Command records of earlier builds")
struct LegacyCommandRecordTests {
    /// The canonical form of round 17, written here from the line's JSON independently of the engine:
    /// members sorted by key, `null` members and the top level's `id` and `at` dropped, every value
    /// tagged and length-prefixed, text as given, secrets included.
    static func roundSeventeenFingerprint(of line: String) throws -> [UInt8] {
        func text(_ tag: Character, _ string: String, _ bytes: inout [UInt8]) {
            bytes.append(tag.asciiValue!)
            CanonicalEncoder.appendLength(string.utf8.count, to: &bytes)
            bytes.append(contentsOf: string.utf8)
        }
        func walk(_ value: Any, _ bytes: inout [UInt8], top: Bool) {
            switch value {
            case let string as String: text("s", string, &bytes)
            case let object as [String: Any]:
                let members = object.filter { !($0.value is NSNull) && !(top && ($0.key == "id" || $0.key == "at")) }
                    .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                bytes.append(UInt8(ascii: "{"))
                CanonicalEncoder.appendLength(members.count, to: &bytes)
                for member in members {
                    text("k", member.key, &bytes)
                    walk(member.value, &bytes, top: false)
                }
            case let array as [Any]:
                bytes.append(UInt8(ascii: "["))
                CanonicalEncoder.appendLength(array.count, to: &bytes)
                for element in array { walk(element, &bytes, top: false) }
            default:
                Issue.record("the test's lines hold only objects, arrays and text")
            }
        }
        var bytes: [UInt8] = []
        walk(try JSONSerialization.jsonObject(with: Data(line.utf8)), &bytes, top: true)
        return Array(SHA256.hash(data: bytes))
    }

    static func admin(password: String) -> String {
        line(
            "createAdminAccount",
            [
                "id": "adm-9", "accountId": "UA9", "role": "unitAdmin", "unitId": "U1", "username": "ua9",
                "password": password, "name": "北大社科处",
            ], by: "N0")
    }

    @Test("a retry of a command with a password, recorded before round 18, is answered; another password conflicts")
    func retryAcrossTheUpgrade() async throws {
        let dir = TemporaryDirectory()
        let first: CommandOutcome
        do {
            let ledger = try openTestLedger(dir.path)
            for text in Scenario.standard { await ledger.expectAccepted(text) }
            first = await ledger.expectAccepted(Self.admin(password: "First1234"))
            ledger.close()
        }
        // The record as round 17 wrote it: one fingerprint, of the line with its password.
        let legacy = try Self.roundSeventeenFingerprint(of: Self.admin(password: "First1234"))
        do {
            var options = EventStoreOptions()
            options.extraDatabases = ["models", "outbox", "credentials", "attachments", "ledger", "subjects"]
            let store = try EventStore(path: dir.path, options: options)
            defer { store.close() }
            _ = try store.writeSync { txn in
                let bytes = try #require(try txn.commandResult("adm-9"))
                let stored = try #require(CommandOutcome.stored(bytes, commandId: "adm-9"))
                #expect(stored.publicFingerprint != nil, "this build writes the second fingerprint")
                #expect(stored.fingerprint != legacy, "the two forms differ for a command with a password")
                try txn.recordCommand(
                    "adm-9", result: stored.outcome.storedForm(fingerprint: legacy, publicFingerprint: nil))
            }
        }
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        let retry = await ledger.expectAccepted(Self.admin(password: "First1234"))
        #expect(retry.deduplicated)
        #expect(retry.jsonLine.contains(#""replayed":true"#))
        #expect(retry.position == first.position)
        // That form held the password: another one is another command.
        await ledger.expectRejected(Self.admin(password: "Second1234"), "idempotencyConflict")
        // A record of this build ignores the password (docs/decisions.md), and holds no legacy form.
        await ledger.expectAccepted(
            line(
                "createAdminAccount",
                [
                    "id": "adm-10", "accountId": "UA10", "role": "unitAdmin", "unitId": "U1", "username": "ua10",
                    "password": "First1234", "name": "北大社科处",
                ], by: "N0"))
        let other = await ledger.expectAccepted(
            line(
                "createAdminAccount",
                [
                    "id": "adm-10", "accountId": "UA10", "role": "unitAdmin", "unitId": "U1", "username": "ua10",
                    "password": "Second1234", "name": "北大社科处",
                ], by: "N0"))
        #expect(other.deduplicated)
    }
}
