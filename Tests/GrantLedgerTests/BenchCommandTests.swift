import Foundation
import GrantLedger
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
        let paired = try #require(json["paired"] as? [String: Any])
        #expect(paired["rounds"] as? Int == PairedBench.Sizes(quick: true).rounds)
        for key in [
            "rawSingleCommitsPerSecond", "rawNamedSingleCommitsPerSecond", "rawBatchedPutsPerSecond",
            "eventLogSingleEventsPerSecond",
            "eventLogBatchedEventsPerSecond", "eventLog64AppendersEventsPerSecond", "oneClientCommandsPerSecond",
        ] {
            #expect((paired[key] as? Int ?? 0) > 0, "paired.\(key)")
        }
        let pairedRatios = try #require(paired["ratios"] as? [String: String])
        #expect(
            Set(pairedRatios.keys)
                == [
                    "eventLogSingleToRawSingle", "eventLogSingleToRawNamedSingle", "eventLogBatchedToRawBatched",
                    "eventLog64ToOneAppender", "oneClientToRawSingle", "oneClientToRawNamedSingle",
                ])
        for (key, ratio) in pairedRatios { #expect((Double(ratio) ?? 0) > 0, "paired.ratios.\(key)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "the temporary store is removed")
    }

    @Test("the paired figures are medians of rates and of the ratios within each round")
    func pairedMedians() {
        func rates(_ perSecond: [Double]) -> [Rates] { perSecond.map { Rates(operations: Int($0), seconds: 1) } }
        var report = PairedBench.Report()
        // Three rounds in which raw drifts: the within-round ratios are 0.5, 0.8 and 0.9, so their median
        // is 0.8, while the ratio of the medians (3,000 / 4,000) would be 0.75.
        report.rawSingle = rates([2_000, 4_000, 5_000])
        report.rawNamedSingle = rates([1_250, 3_600, 5_000])
        report.eventLogSingle = rates([1_000, 3_200, 4_500])
        report.oneClient = rates([1_000, 2_000, 3_000])
        report.rawBatched = rates([100_000, 200_000])
        report.eventLogBatched = rates([50_000, 150_000])
        report.eventLog64 = rates([20_000, 64_000, 90_000])
        let rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.ratioKey, $0) })
        #expect(report.rounds == 3)
        #expect(rows["eventLogSingleToRawSingle"]?.ratio == 0.8)
        #expect(rows["eventLogSingleToRawSingle"]?.rate == 3_200)
        #expect(rows["eventLogSingleToRawSingle"]?.base == 4_000)
        #expect(rows["oneClientToRawSingle"]?.ratio == 0.5)
        // Against the named database: 0.8, 0.889 and 0.9 within the rounds.
        #expect(rows["eventLogSingleToRawNamedSingle"]?.ratio == 0.889)
        #expect(rows["eventLogSingleToRawNamedSingle"]?.base == 3_600)
        #expect(rows["oneClientToRawNamedSingle"]?.ratio == 0.6)
        // The event log's rate appears once among the JSON keys, though two rows compare it.
        let json = report.json()
        guard case .object(let object) = json else {
            Issue.record("the paired JSON is not an object")
            return
        }
        #expect(object.keys.filter { $0 == "eventLogSingleEventsPerSecond" }.count == 1)
        #expect(json[member: "rawNamedSingleCommitsPerSecond"] == .int(3_600))
        #expect(json[member: "eventLogSingleEventsPerSecond"] == .int(3_200))
        // An even count takes the mean of the middle two.
        #expect(rows["eventLogBatchedToRawBatched"]?.rate == 100_000)
        #expect(rows["eventLogBatchedToRawBatched"]?.ratio == 0.625)
        #expect(rows["eventLog64ToOneAppender"]?.ratio == 20)
        #expect(PairedBench.Report.median([]) == 0)
        #expect(report.table().contains("0.800×"))
    }

    @Test(
        "an interrupted bench removes its temporary stores and exits with 128 + the signal",
        arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) throws {
        // Synchronous on purpose: it polls on its own thread, which no busy task pool can hold back while
        // the run goes on.
        let dir = TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
        // The full run (not --quick) takes long enough to be interrupted while its stores are open.
        process.arguments = ["bench", "--dir", dir.path, "--store", dir.child("s")]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func engineStoreExists() -> Bool {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return runs.contains { run in
                FileManager.default.fileExists(atPath: dir.path + "/" + run + "/engine/data.mdb")
            }
        }
        var waited = 0
        while !engineStoreExists(), process.isRunning, waited < 600 {
            usleep(50_000)
            waited += 1
        }
        #expect(engineStoreExists(), "the run has opened the engine's store")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + signal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "nothing is left behind")
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("bench interrupted"))
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
