import Foundation
import GrantLedgerDemo
import GrantWorkflow
import Testing

@testable import GrantLedgerCLI

/// `grantledger bench`: one run measures raw LMDB and the engine on the same disk and cleans up.
@Suite("grantledger bench")
struct BenchCommandTests {
    @Test("--quick --format json prints every documented key, with positive rates, and leaves nothing behind")
    func quickJSON() throws {
        let dir = TemporaryDirectory()
        let result = try runCLI(["bench", "--quick", "--format", "json", "--dir", dir.path], store: dir.child("s"))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let raw = try #require(json["raw"] as? [String: Any])
        let engine = try #require(json["engine"] as? [String: Any])
        let ratios = try #require(json["ratios"] as? [String: Any])
        for key in ["singleCommitsPerSecond", "batchedPutsPerSecond", "scanRecordsPerSecond"] {
            #expect((raw[key] as? Int ?? 0) > 0, "raw.\(key)")
        }
        for key in [
            "oneClientCommandsPerSecond", "clients64CommandsPerSecond", "clients64RegisterProjectPerSecond",
            "pipelinedCommandsPerSecond", "rebuildEventsPerSecond", "verifyEventsPerSecond",
        ] {
            #expect((engine[key] as? Int ?? 0) > 0, "engine.\(key)")
        }
        #expect((engine["events"] as? Int ?? 0) > 20_000)
        #expect(
            Set(ratios.keys)
                == [
                    "oneClientToRawSingle", "clients64ToRawSingle", "clients64RegisterProjectToRawSingle",
                    "pipelinedToRawBatched", "rebuildToRawScan", "verifyToRawScan",
                ])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "the temporary store is removed")
    }

    @Test("the registrations' ID numbers are distinct, valid resident ID numbers (scripts/bulk-lines.py's)")
    func registrationIdNumbers() throws {
        // The values scripts/bulk-lines.py's resident_id gives for the same serials.
        #expect(SyntheticLines.residentIdNumber(0) == "110108195001010003")
        #expect(SyntheticLines.residentIdNumber(59_999) == "110108195003019992")
        #expect(SyntheticLines.residentIdNumber(1_234_567) == "110108195305195676")
        let numbers = (0..<3_000).map(SyntheticLines.residentIdNumber)
        #expect(Set(numbers).count == numbers.count)
        #expect(BenchCommand.registerProjectLine(7).contains(SyntheticLines.residentIdNumber(21)))
        // Both forms of the line decode: without a time (the bench) and with one (LedgerBenchmarks).
        let timed = SyntheticLines.registerProject(
            index: 7, firstPerson: 21, unitId: "U1", at: "2026-01-05T09:00:00+08:00")
        #expect(throws: Never.self) { try CommandDecoder.decode(BenchCommand.registerProjectLine(7)) }
        #expect(try CommandDecoder.decode(timed).at != nil)
    }

    @Test("bench refuses CSV and an unusable folder")
    func refusals() throws {
        let dir = TemporaryDirectory()
        #expect(try runCLI(["bench", "--quick", "--format", "csv"], store: dir.child("s")).status != 0)
        let missing = try runCLI(["bench", "--quick", "--dir", dir.child("no/such/folder")], store: dir.child("s"))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot make a temporary folder"))
    }
}
