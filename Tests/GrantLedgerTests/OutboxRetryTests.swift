import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Synchronization
import Testing

/// A clock a test moves by hand.
final class TestClock: Sendable {
    private let time: Mutex<Timestamp>

    init(_ iso8601: String = "2026-01-05T09:00:00+08:00") {
        time = Mutex(Timestamp(iso8601: iso8601) ?? Timestamp(epochMilliseconds: 0))
    }

    var now: Timestamp { time.withLock { $0 } }

    func advance(minutes: Int) { time.withLock { $0 = $0.adding(minutes: minutes) } }

    func set(_ timestamp: Timestamp) { time.withLock { $0 = timestamp } }
}

/// Opens a test ledger whose clock is `clock`.
func openLedger(_ path: String, clock: TestClock, policy: WorkflowPolicy = testPolicy) throws -> Ledger {
    var options = LedgerOptions(policy: policy)
    options.clock = { clock.now }
    return try Ledger(path: path, options: options)
}

/// A delivery that fails every notification of one recipient and template, and records the others.
struct SelectiveDelivery: NotificationDelivery {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "gateway refused" }
    }

    let record: DeliveryRecord
    let failingTemplate: String

    func deliver(_ notification: OutboxNotification) async throws {
        if notification.template == failingTemplate { throw Refused() }
        await record.append(notification.sequence)
    }
}

/// A delivery that keeps what it was handed, secrets included.
actor HandedOut: NotificationDelivery {
    private(set) var notifications: [OutboxNotification] = []

    func deliver(_ notification: OutboxNotification) async throws { notifications.append(notification) }

    /// The reset tokens handed out, in order.
    var tokens: [String] { notifications.compactMap { $0.parameters["token"] } }
}

@Suite("Outbox: retries with backoff, dead letters, old entries (R-NTF-1)")
struct OutboxRetryTests {
    @Test("R-NTF-1 the default policy dead-letters after 10 failed attempts")
    func defaultAttemptLimit() {
        #expect(WorkflowPolicy.standard.maximumDeliveryAttempts == 10)
        #expect(WorkflowPolicy.standard.maximumResetRequestsPerHour == 3)
    }

    @Test(
        "R-NTF-1 a failing notification is retried with doubling backoff and dead-lettered after N attempts, while later ones are delivered"
    )
    func deadLetterAfterAttempts() async throws {
        let dir = TemporaryDirectory()
        let clock = TestClock()
        let ledger = try openLedger(dir.path, clock: clock)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(line("requestPasswordReset", ["role": "leader", "username": "13800000001"]))
        let record = DeliveryRecord()
        let delivery = SelectiveDelivery(record: record, failingTemplate: "passwordReset")

        let first = try await ledger.deliverPendingNotifications(to: delivery)
        #expect(first.failed == 2, "the sms and the e-mail of the reset fail")
        #expect(first.delivered > 10)
        let resets = try ledger.outboxNotifications(undeliveredOnly: true).map(\.sequence)
        #expect(resets.count == 2)

        // Each retry waits twice as long as the one before: 30 s, 1 min, 2 min … capped at an hour.
        var expectedDelay: Int64 = 30_000
        for attempt in 2...10 {
            let waiting = try ledger.outboxNotifications(undeliveredOnly: true)
            let next = try #require(waiting.first?.nextAttemptAt)
            #expect(next.epochMilliseconds - clock.now.epochMilliseconds == expectedDelay, "before attempt \(attempt)")
            expectedDelay = min(expectedDelay * 2, 3_600_000)

            // Not due yet: nothing is tried, and the report says when to come back.
            let early = try await ledger.deliverPendingNotifications(to: delivery)
            #expect(early.attempted == 0)
            #expect(early.nextAttemptAt == next)

            // Meanwhile a new notification arrives and is delivered at once.
            clock.set(next)
            await ledger.expectAccepted(
                line(
                    "registerAccount",
                    [
                        "accountId": "X\(attempt)", "role": "expert", "username": "137000000" + String(attempt + 10),
                        "email": "x\(attempt)@example.cn", "name": "某某", "idType": "passport",
                        "idNumber": "P1234567\(attempt)", "unitId": "U2", "password": password, "agreedToTerms": true,
                    ]))
            let newest = try #require(try ledger.outboxNotifications().last?.sequence)
            let run = try await ledger.deliverPendingNotifications(to: delivery)
            #expect(run.failed + run.deadLettered == 2)
            #expect(run.deadLettered == (attempt == 10 ? 2 : 0))
            #expect(run.delivered >= 1)
            #expect(await record.sequences.last == newest, "the newer notification went out past the failing ones")
        }

        let dead = try ledger.outboxNotifications(deadOnly: true)
        #expect(dead.map(\.sequence) == resets)
        #expect(dead.allSatisfy { $0.attempts == 10 && $0.isDead && $0.lastError == "gateway refused" })
        #expect(dead.allSatisfy { $0.parameters["token"] == nil }, "a dead letter keeps no secret")
        #expect(try ledger.outboxNotifications(undeliveredOnly: true).isEmpty)
        let after = try await ledger.deliverPendingNotifications(to: delivery)
        #expect(after.attempted == 0 && after.nextAttemptAt == nil, "a dead letter is never tried again")

        guard case .array(let rows) = try ledger.outbox(deadOnly: true, as: .everything) else {
            Issue.record("not an array")
            return
        }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0[member: "dead"] == .bool(true) && $0[member: "attempts"] == .number("10") })
    }

    @Test("R-NTF-1 an outbox entry in the first stored layout (before retries) still decodes and delivers")
    func oldLayoutStillDecodes() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        for text in Scenario.organisation { await ledger.expectAccepted(text) }
        let sequence: UInt64 = 1_000_000
        let createdAt = try #require(Timestamp(iso8601: "2025-12-01T10:00:00+08:00"))
        var writer = BinaryWriter(capacity: 96)
        writer.writeVarint(sequence)
        writer.write("UA1")
        writer.write(NotificationChannel.sms)
        writer.write("reviewRequested")
        writer.write(["itemKind": "registration", "itemId": "L9"])
        writer.write(createdAt)
        writer.writeVarint(7)
        writer.write(Timestamp?.none)
        let entry = writer.bytes
        let outbox = try ledger.store.database("outbox")
        try await ledger.store.write { txn in
            try txn.withUnsafeAccess { access in
                try access.put(
                    outbox, [UInt8(ascii: "n")] + withUnsafeBytes(of: sequence.bigEndian) { Array($0) }, entry)
                try access.put(outbox, [UInt8(ascii: "u")] + withUnsafeBytes(of: sequence.bigEndian) { Array($0) }, [])
            }
        }
        ledger.close()

        let reopened = try openTestLedger(dir.path)
        defer { reopened.close() }
        let old = try #require(try reopened.outboxNotifications().first { $0.sequence == sequence })
        #expect(old.recipient == "UA1" && old.template == "reviewRequested" && old.position == 7)
        #expect(old.attempts == 0 && old.nextAttemptAt == nil && !old.isDead && !old.isDelivered)
        let record = DeliveryRecord()
        try await reopened.deliverPendingNotifications(to: RecordingDelivery(record: record))
        #expect(await record.sequences.contains(sequence))
        #expect(try reopened.outboxNotifications().first { $0.sequence == sequence }?.isDelivered == true)
    }
}

@Suite("Outbox: reset tokens leave the store and never show (R-ACC-7, R-ACC-8)")
struct OutboxResetTokenTests {
    static let request = line("requestPasswordReset", ["role": "leader", "username": "13800000001"])
    static let unknown = line("requestPasswordReset", ["role": "leader", "username": "13899999999"])

    static func reset(_ token: String, _ newPassword: String = "NewSecret123") -> String {
        line("resetPassword", ["token": token, "newPassword": newPassword])
    }

    static func world(_ path: String, clock: TestClock) async throws -> Ledger {
        let ledger = try openLedger(path, clock: clock)
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        return ledger
    }

    /// The tokens of the stored, undelivered reset notifications, newest last (as the SMS reads).
    static func storedTokens(_ ledger: Ledger) throws -> [String] {
        try ledger.outboxNotifications().filter { $0.template == "passwordReset" }.compactMap { $0.parameters["token"] }
    }

    @Test("R-ACC-7 once delivered, the token is gone from the stored notification; the delivery got it")
    func tokenRemovedAfterDelivery() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path, clock: TestClock())
        defer { ledger.close() }
        await ledger.expectAccepted(Self.request)
        let token = try #require(try Self.storedTokens(ledger).first)

        let delivery = HandedOut()
        try await ledger.deliverPendingNotifications(to: delivery)
        #expect(await delivery.tokens == [token, token], "sms and e-mail carry the token to the person")

        let stored = try ledger.outboxNotifications().filter { $0.template == "passwordReset" }
        #expect(stored.count == 2)
        #expect(
            stored.allSatisfy { $0.isDelivered && $0.parameters["token"] == nil && $0.parameters["expiresAt"] != nil })
        #expect(try Self.storedTokens(ledger).isEmpty)
        // The delivered token still works: removing it from the outbox does not revoke it.
        await ledger.expectAccepted(Self.reset(token))
    }

    @Test("R-ACC-7 no query shows a token: not the operator's outbox, not the account's, not before delivery")
    func queryNeverShowsToken() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path, clock: TestClock())
        defer { ledger.close() }
        await ledger.expectAccepted(Self.request)
        let token = try #require(try Self.storedTokens(ledger).first)
        for value in [
            try ledger.outbox(as: .everything), try ledger.outbox(undeliveredOnly: true, as: .everything),
            try ledger.outbox(as: .account("L1")),
        ] {
            #expect(!value.serialized().contains(token))
        }
        guard case .array(let rows) = try ledger.outbox(undeliveredOnly: true, as: .everything) else {
            Issue.record("not an array")
            return
        }
        let reset = try #require(rows.first { $0[member: "template"] == .string("passwordReset") })
        #expect(reset[member: "params"]?[member: "token"] == nil)
        #expect(reset[member: "params"]?[member: "expiresAt"] != nil)
    }

    @Test("R-ACC-7 a delivery error that quotes the token is kept without it")
    func failureReasonScrubbed() async throws {
        struct Quoting: NotificationDelivery {
            struct Refused: Error, CustomStringConvertible {
                let description: String
            }

            func deliver(_ notification: OutboxNotification) async throws {
                if let token = notification.parameters["token"] { throw Refused(description: "cannot send \(token)") }
            }
        }
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path, clock: TestClock())
        defer { ledger.close() }
        await ledger.expectAccepted(Self.request)
        let token = try #require(try Self.storedTokens(ledger).first)
        let report = try await ledger.deliverPendingNotifications(to: Quoting())
        #expect(report.failed == 2)
        let waiting = try ledger.outboxNotifications(undeliveredOnly: true)
        #expect(waiting.allSatisfy { $0.lastError == "cannot send [token]" })
        #expect(!(try ledger.outbox(as: .everything)).serialized().contains(token))
    }

    @Test("R-ACC-7 a newer request revokes the earlier token: the superseded one is tokenInvalid")
    func supersededTokenRejected() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path, clock: TestClock())
        defer { ledger.close() }
        await ledger.expectAccepted(Self.request)
        let first = try #require(try Self.storedTokens(ledger).last)
        await ledger.expectAccepted(Self.request)
        let second = try #require(try Self.storedTokens(ledger).last)
        #expect(first != second)

        let refused = await ledger.expectRejected(Self.reset(first), "tokenInvalid")
        #expect(refused.error?.rule == "R-ACC-7")
        await ledger.expectAccepted(Self.reset(second))
        await ledger.expectAccepted(
            line("login", ["role": "leader", "username": "13800000001", "password": "NewSecret123"]))
    }

    @Test("R-ACC-7 a successful reset revokes its token and every earlier one; a new request works again")
    func tokenAfterResetRejected() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path, clock: TestClock())
        defer { ledger.close() }
        await ledger.expectAccepted(Self.request)
        let earlier = try #require(try Self.storedTokens(ledger).last)
        await ledger.expectAccepted(Self.request)
        let token = try #require(try Self.storedTokens(ledger).last)
        await ledger.expectAccepted(Self.reset(token))
        await ledger.expectRejected(Self.reset(token, "Another123"), "tokenInvalid")
        await ledger.expectRejected(Self.reset(earlier, "Another123"), "tokenInvalid")

        await ledger.expectAccepted(Self.request)
        let fresh = try #require(try Self.storedTokens(ledger).last)
        await ledger.expectAccepted(Self.reset(fresh, "Another123"))
        await ledger.expectAccepted(
            line("login", ["role": "leader", "username": "13800000001", "password": "Another123"]))
    }

    @Test("R-ACC-7 the 4th reset request within an hour sends nothing, revokes nothing and answers exactly as before")
    func throttle() async throws {
        let dir = TemporaryDirectory()
        let clock = TestClock()
        let ledger = try await Self.world(dir.path, clock: clock)
        defer { ledger.close() }
        var answers: [String] = []
        for _ in 1...3 {
            answers.append(await ledger.expectAccepted(Self.request).jsonLine)
            clock.advance(minutes: 10)
        }
        let sent = try ledger.outboxNotifications().count
        let third = try #require(try Self.storedTokens(ledger).last)
        #expect(try Self.storedTokens(ledger).count == 6, "three requests, each by sms and e-mail")

        let fourth = await ledger.expectAccepted(Self.request)
        let unknownAnswer = await ledger.expectAccepted(Self.unknown)
        #expect(fourth.jsonLine == answers[2], "the throttled answer is the same as an accepted one")
        #expect(fourth.jsonLine == unknownAnswer.jsonLine, "and the same as for an unknown username")
        #expect(fourth.events.isEmpty && fourth.result.isEmpty)
        #expect(try ledger.outboxNotifications().count == sent, "nothing is sent past the limit")

        // Nothing was revoked: the third token still resets the password.
        await ledger.expectAccepted(Self.reset(third))

        // An hour after the first request, one more may be sent.
        clock.advance(minutes: 30)
        await ledger.expectAccepted(Self.request)
        #expect(try ledger.outboxNotifications().count == sent + 2)
        await ledger.expectAccepted(Self.request)
        #expect(try ledger.outboxNotifications().count == sent + 2, "three requests within the hour again")
    }
}
