import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Testing

@Suite("Ledger: executing commands")
struct LedgerExecutionTests {
    @Test("a change request goes through every level and updates the project in the same commit (R-CHG-5, R-CHG-7)")
    func changeRequestThroughEveryLevel() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Scenario.extensionRequest())
        await ledger.expectAccepted(line("submitChangeRequest", ["requestId": "CR-1"], by: "L1"))
        await ledger.expectAccepted(Scenario.review("CR-1", by: "UA1"))
        await ledger.expectAccepted(Scenario.review("CR-1", by: "PO1"))
        let last = await ledger.expectAccepted(Scenario.review("CR-1", by: "N0"))
        #expect(last.events.contains("ChangeRequestTookEffect"))
        #expect(last.position == (try ledger.head().position))
        let report = try ledger.checkModels()
        #expect(report.differences.isEmpty, "\(report.differences)")
    }

    @Test("the ledger passes its group-commit linger to the event log, which refuses one out of range")
    func groupCommitLinger() throws {
        let dir = TemporaryDirectory()
        var options = LedgerOptions()
        #expect(options.groupCommitLinger == .microseconds(100))
        options.groupCommitLinger = .zero
        let ledger = try Ledger(path: dir.child("off"), options: options)
        #expect(ledger.store.options.groupCommitLinger == .zero)
        ledger.close()
        options.groupCommitLinger = .seconds(2)
        #expect(throws: LedgerError.self) { try Ledger(path: dir.child("too-long"), options: options) }
    }

    @Test("a rejected command leaves head, models and outbox as they were (R-LOG-1)")
    func rejectedCommandLeavesNoTrace() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Scenario.extensionRequest())
        let before = try ledger.head()
        await ledger.expectRejected(Scenario.extensionRequest("CR-2"), "duplicatePendingChange")
        await ledger.expectRejected("{not json", "invalidInput")
        #expect(try ledger.head() == before)
    }

    @Test("the same command id twice returns the first result and appends nothing (R-LOG-3)")
    func idempotentRetry() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let first = await ledger.expectAccepted(
            line(
                "draftChangeRequest",
                [
                    "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新题目"], "reason": "更准确",
                ], by: "L1", id: "cmd-1"))
        let head = try ledger.head()
        let second = await ledger.expectAccepted(
            line(
                "draftChangeRequest",
                [
                    "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新题目"], "reason": "更准确",
                ], by: "L1", id: "cmd-1"))
        #expect(second.jsonLine == first.jsonLine.dropLast() + #","replayed":true}"#)
        #expect(second.deduplicated)
        #expect(try ledger.head() == head)
    }
}
