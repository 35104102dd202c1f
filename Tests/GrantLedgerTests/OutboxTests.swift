import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// What a test delivery saw, in order.
actor DeliveryRecord {
    private(set) var sequences: [UInt64] = []

    func append(_ sequence: UInt64) { sequences.append(sequence) }
}

/// A delivery that records every notification, and fails (throws) or "crashes" (closes the ledger so
/// that the delivery is never recorded) on the notification with sequence `stopAt`.
struct RecordingDelivery: NotificationDelivery {
    enum Stop {
        /// Throw: the host says the delivery failed.
        case fail
        /// Record the delivery, then die before the engine can record it: the ledger is closed.
        case crash(Ledger)
    }

    struct Failed: Error {}

    let record: DeliveryRecord
    var stopAt: UInt64?
    var stop: Stop = .fail

    func deliver(_ notification: OutboxNotification) async throws {
        guard notification.sequence == stopAt else {
            await record.append(notification.sequence)
            return
        }
        switch stop {
        case .fail:
            throw Failed()
        case .crash(let ledger):
            await record.append(notification.sequence)
            ledger.close()
        }
    }
}

@Suite("Outbox: delivery through NotificationDelivery (R-NTF-1)")
struct OutboxTests {
    /// A store with the standard world and a submitted change request: a dozen notifications.
    static func populatedStore(_ path: String) async throws -> Ledger {
        let ledger = try openTestLedger(path)
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Scenario.extensionRequest())
        await ledger.expectAccepted(Scenario.submit("CR-1"))
        await ledger.expectAccepted(Scenario.review("CR-1", by: "UA1"))
        return ledger
    }

    @Test("notifications are handed out in outbox order, each once, and are then recorded as delivered")
    func deliveredInOutboxOrder() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.populatedStore(dir.path)
        defer { ledger.close() }
        let queued = try ledger.outboxNotifications().map(\.sequence)
        #expect(queued.count >= 10)
        #expect(queued == queued.sorted())

        let record = DeliveryRecord()
        let report = try await ledger.deliverPendingNotifications(to: RecordingDelivery(record: record))

        #expect(report.delivered == queued.count)
        #expect(report.failed == 0 && report.deadLettered == 0 && report.nextAttemptAt == nil)
        #expect(await record.sequences == queued)
        #expect(try ledger.outboxNotifications(undeliveredOnly: true).isEmpty)
        let deliveredAt = try ledger.outboxNotifications().map(\.deliveredAt)
        #expect(deliveredAt.allSatisfy { $0 == Timestamp(iso8601: "2026-01-05T09:00:00+08:00") })
        #expect(try await ledger.deliverPendingNotifications(to: RecordingDelivery(record: record)).attempted == 0)
        #expect(await record.sequences == queued, "nothing is delivered twice")
    }

    @Test("R-NTF-1 a delivery that throws is retried later and does not hold up the notifications behind it")
    func failedDeliveryDoesNotBlock() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.populatedStore(dir.path)
        defer { ledger.close() }
        let queued = try ledger.outboxNotifications().map(\.sequence)
        let failing = queued[3]

        let record = DeliveryRecord()
        let report = try await ledger.deliverPendingNotifications(
            to: RecordingDelivery(record: record, stopAt: failing))

        #expect(report.delivered == queued.count - 1)
        #expect(report.failed == 1)
        #expect(await record.sequences == queued.filter { $0 != failing }, "every other one was delivered, in order")
        let stored = try #require(try ledger.outboxNotifications(undeliveredOnly: true).first)
        #expect(stored.sequence == failing)
        #expect(stored.attempts == 1)
        #expect(stored.lastError?.contains("Failed") == true)
        let now = try #require(Timestamp(iso8601: "2026-01-05T09:00:00+08:00"))
        #expect(stored.nextAttemptAt == Timestamp(epochMilliseconds: now.epochMilliseconds + 30_000))
        #expect(report.nextAttemptAt == stored.nextAttemptAt)
        // The fixed test clock never reaches the retry time: the next run has nothing due.
        #expect(try await ledger.deliverPendingNotifications(to: RecordingDelivery(record: record)).attempted == 0)
    }

    @Test("a crash between a delivery and its record delivers it again after reopening: at least once, never zero")
    func crashBetweenDeliveryAndRecord() async throws {
        let dir = TemporaryDirectory()
        let first = try await Self.populatedStore(dir.path)
        let queued = try first.outboxNotifications().map(\.sequence)
        let inFlight = queued[5]

        // The host delivers the sixth notification, then the process dies before the engine records it.
        let record = DeliveryRecord()
        let crashing = RecordingDelivery(record: record, stopAt: inFlight, stop: .crash(first))
        await #expect(throws: LedgerError.self) { try await first.deliverPendingNotifications(to: crashing) }
        #expect(await record.sequences == Array(queued[...5]))

        // The restarted process finds the in-flight notification still pending, and only it repeats.
        let second = try openTestLedger(dir.path)
        defer { second.close() }
        #expect(try second.outboxNotifications(undeliveredOnly: true).map(\.sequence) == Array(queued[5...]))
        let report = try await second.deliverPendingNotifications(to: RecordingDelivery(record: record))
        #expect(report.delivered == queued.count - 5)

        let deliveries = await record.sequences
        #expect(deliveries == Array(queued[...5]) + Array(queued[5...]))
        for sequence in queued {
            let times = deliveries.count { $0 == sequence }
            #expect(times == (sequence == inFlight ? 2 : 1), "notification \(sequence) delivered \(times) times")
        }
        #expect(try second.outboxNotifications(undeliveredOnly: true).isEmpty)
    }

    @Test("markDelivered is idempotent and keeps the first delivery time")
    func markDeliveredTwice() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.populatedStore(dir.path)
        defer { ledger.close() }
        let sequence = try #require(try ledger.outboxNotifications().first?.sequence)
        let first = try #require(Timestamp(iso8601: "2026-01-06T10:00:00+08:00"))
        let later = try #require(Timestamp(iso8601: "2026-01-07T10:00:00+08:00"))
        try await ledger.markDelivered(sequence, at: first)
        try await ledger.markDelivered(sequence, at: later)
        let stored = try ledger.outboxNotifications().first { $0.sequence == sequence }
        #expect(stored?.deliveredAt == first)
        #expect(try !ledger.outboxNotifications(undeliveredOnly: true).contains { $0.sequence == sequence })
    }

    @Test("outbox(undeliveredOnly:) is `query outbox --undelivered`: the pending part of the whole outbox")
    func undeliveredQueryEquivalence() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.populatedStore(dir.path)
        defer { ledger.close() }
        try await ledger.deliverPendingNotifications(to: RecordingDelivery(record: DeliveryRecord()), limit: 4)
        // Newer notifications queue behind the delivered ones.
        await ledger.expectAccepted(Scenario.review("CR-1", by: "PO1"))

        guard case .array(let all) = try ledger.outbox(as: .everything),
            case .array(let pending) = try ledger.outbox(undeliveredOnly: true, as: .everything)
        else {
            Issue.record("the outbox is not an array")
            return
        }
        #expect(all.count > pending.count)
        #expect(pending.count > 4)
        #expect(pending == all.filter { $0[member: "delivered"] == .bool(false) })
        #expect(pending == (try ledger.outboxNotifications(undeliveredOnly: true)).map(\.json))

        // The command line answers the same, from another process on the same store.
        let cli = try runCLI(["query", "outbox", "--undelivered", "--format", "json"], store: dir.path)
        #expect(cli.status == 0, "\(cli.stderr)")
        let cliRows = try #require(cli.json as? [[String: Any]])
        let libraryRows = try #require(
            try JSONSerialization.jsonObject(with: Data(JSONValue.array(pending).serialized().utf8)) as? [[String: Any]]
        )
        #expect((cliRows as NSArray).isEqual(to: libraryRows))
    }

    @Test("the OutboxWorker example appends each notification once to its log, across runs")
    func outboxWorkerExample() async throws {
        let dir = TemporaryDirectory()
        let store = dir.child("grants.store")
        let log = dir.child("deliveries.jsonl")
        let worker = URL(fileURLWithPath: try grantledgerExecutable()).deletingLastPathComponent()
            .appendingPathComponent("OutboxWorker").path
        let ledger = try await Self.populatedStore(store)
        let firstBatch = try ledger.outboxNotifications().map(\.id)
        ledger.close()

        // A log it cannot open: nothing is delivered, nothing is recorded.
        #expect(
            try exitStatus(of: worker, ["--store", store, "--log", dir.child("missing/deliveries.jsonl"), "--once"])
                == 2)
        #expect(try exitStatus(of: worker, ["--store", store, "--log", log, "--once"]) == 0)

        let reopened = try openTestLedger(store)
        #expect(try reopened.outboxNotifications(undeliveredOnly: true).isEmpty)
        await reopened.expectAccepted(Scenario.review("CR-1", by: "PO1"))
        let all = try reopened.outboxNotifications().map(\.id)
        reopened.close()
        #expect(all.count > firstBatch.count)

        #expect(try exitStatus(of: worker, [store, "--log", log, "--once"]) == 0)
        #expect(try exitStatus(of: worker, [store, "--log", log, "--once"]) == 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let ids = lines.compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["id"] as? String
        }
        #expect(ids == all)
    }
}
