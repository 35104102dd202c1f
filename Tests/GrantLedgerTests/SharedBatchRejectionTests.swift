import Foundation
import Synchronization
import Testing

@testable import EventLog
@testable import GrantLedger
@testable import GrantWorkflow

/// Commands run in their group-commit batch's own transaction, without a child transaction each
/// (`WriteIsolation.rerunIfFailedAfterWriting`): a command rejected in the middle of a batch, right
/// after commands whose writes it sees, must still leave no trace (R-LOG-1).
@Suite("Rejected commands inside a shared batch (R-LOG-1)")
struct SharedBatchRejectionTests {
    /// Queues every line from this thread (so they share batches) and waits for all the answers.
    func submitAll(_ ledger: Ledger, _ lines: [String]) async -> [CommandOutcome] {
        let answers = Mutex<[Int: CommandOutcome]>([:])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for (index, text) in lines.enumerated() {
                ledger.submit(line: Array(text.utf8)) { outcome in
                    let finished = answers.withLock { answers -> Bool in
                        answers[index] = outcome
                        return answers.count == lines.count
                    }
                    if finished { done.resume() }
                }
            }
        }
        return answers.withLock { answers in lines.indices.map { answers[$0]! } }
    }

    @Test func rejectedCommandsBetweenAcceptedOnesOfTheirBatchLeaveNoTrace() async throws {
        let dir = TemporaryDirectory()
        let original = dir.path + "/original"
        do {
            let ledger = try openTestLedger(original)
            for text in Scenario.standard { await ledger.expectAccepted(text) }
            ledger.close()
        }
        // Two copies of the same store: one gets the accepted commands with rejected ones between them,
        // the other the accepted commands only.
        for copy in ["mixed", "clean"] {
            try FileManager.default.createDirectory(atPath: dir.path + "/" + copy, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: original + "/data.mdb", toPath: dir.path + "/\(copy)/data.mdb")
        }
        var accepted: [String] = []
        var mixed: [String] = []
        for index in 0..<150 {
            let province = line("createProvince", ["provinceId": "PX\(index)", "name": "省\(index)"], by: "N0")
            let unit = line(
                "createUnit", ["unitId": "UX\(index)", "name": "单位\(index)", "provinceId": "PX\(index)"], by: "N0")
            accepted += [province, unit]
            mixed += [
                province,
                // Each refused after the writes of the command before it, in the same batch.
                line("createProvince", ["provinceId": "PX\(index)", "name": "重复"], by: "N0"),
                unit,
                line("createUnit", ["unitId": "UY\(index)", "name": "无省", "provinceId": "PZ\(index)"], by: "N0"),
                line("createProvince", ["provinceId": "PY\(index)", "name": "越权"], by: "L1"),
            ]
        }
        let ledger = try openTestLedger(dir.path + "/mixed")
        defer { ledger.close() }
        let batchesBefore = ledger.store.core.committedBatches.load(ordering: .relaxed)
        let outcomes = await submitAll(ledger, mixed)
        let batches = ledger.store.core.committedBatches.load(ordering: .relaxed) - batchesBefore
        for (index, outcome) in outcomes.enumerated() {
            let shouldPass = index % 5 == 0 || index % 5 == 2
            #expect(outcome.isAccepted == shouldPass, "\(mixed[index]) → \(outcome.jsonLine)")
            if !shouldPass { #expect(outcome.error?.code != .storage, "\(outcome.jsonLine)") }
        }
        #expect(batches < mixed.count / 5, "the commands shared batches (\(batches) for \(mixed.count))")

        let clean = try openTestLedger(dir.path + "/clean")
        defer { clean.close() }
        let cleanOutcomes = await submitAll(clean, accepted)
        #expect(cleanOutcomes.allSatisfy { $0.isAccepted })
        // Everything the store holds (log, streams, meta, models, credentials, outbox, subjects) is what
        // the accepted commands alone make.
        let mixedSnapshot = try StoreSnapshot(ledger)
        let cleanSnapshot = try StoreSnapshot(clean)
        #expect(mixedSnapshot.head == cleanSnapshot.head)
        for name in cleanSnapshot.tables.keys.sorted() {
            #expect(mixedSnapshot.tables[name] == cleanSnapshot.tables[name], "database \(name) differs")
        }
        #expect(try ledger.checkModels().differences.isEmpty)
    }
}
