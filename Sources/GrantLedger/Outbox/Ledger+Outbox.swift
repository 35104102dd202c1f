internal import EventLog
public import GrantWorkflow

/// What one delivery run did (``Ledger/deliverPendingNotifications(to:limit:)``).
public struct OutboxDeliveryReport: Sendable, Hashable {
    /// Notifications delivered and recorded.
    public var delivered = 0
    /// Failed attempts that will be retried after a backoff.
    public var failed = 0
    /// Notifications dead-lettered by this run: their last allowed attempt failed.
    public var deadLettered = 0
    /// The earliest retry still waiting when the run ended, if any: when the next run has work.
    public var nextAttemptAt: Timestamp?

    /// An empty report.
    public init() {}

    /// Every attempt the run made.
    public var attempted: Int { delivered + failed + deadLettered }
}

extension Ledger {
    /// The outbox, oldest first: all of it, or only the pending notifications (`undeliveredOnly`),
    /// only the dead letters (`deadOnly`), or both of those. Secret parameters are included while
    /// stored; ``OutboxNotification/json`` leaves them out.
    public func outboxNotifications(
        undeliveredOnly: Bool = false, deadOnly: Bool = false, limit: Int = .max
    ) throws(LedgerError) -> [OutboxNotification] {
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access in
                    var result: [OutboxNotification] = []
                    guard undeliveredOnly || deadOnly else {
                        try access.scan(dbs.outbox, prefix: OutboxKey.entryPrefix) { _, value in
                            result.append(try OutboxNotification(encoded: Array(value)))
                            return result.count < limit
                        }
                        return result
                    }
                    var sequences: [UInt64] = []
                    if undeliveredOnly { sequences += try Outbox.sequences(in: OutboxKey.pendingPrefix, access, dbs) }
                    if deadOnly { sequences += try Outbox.sequences(in: OutboxKey.deadPrefix, access, dbs) }
                    for sequence in sequences.sorted().prefix(limit) {
                        if let bytes = try access.get(dbs.outbox, OutboxKey.entry(sequence)) {
                            result.append(try OutboxNotification(encoded: bytes))
                        }
                    }
                    return result
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// `query outbox`: the delivery queue. The operator sees every notification, an account only
    /// its own; nobody ever sees a secret parameter such as a reset token (R-ACC-7, R-ACC-8).
    public func outbox(
        undeliveredOnly: Bool = false, deadOnly: Bool = false, as viewer: Viewer
    ) throws(LedgerError) -> JSONValue {
        let all = try outboxNotifications(undeliveredOnly: undeliveredOnly, deadOnly: deadOnly)
        switch viewer {
        case .everything:
            return .array(all.map(\.json))
        case .account(let id):
            _ = try withModels { models, _ in try Visibility(viewer, directory: models) }
            return .array(all.filter { $0.recipient == id }.map(\.json))
        }
    }

    /// Hands every due notification (pending, and past any retry wait) to `delivery` in outbox
    /// order, secrets included, and records each outcome (R-NTF-1).
    ///
    /// A delivery that returns is recorded as delivered and its secrets leave the store. One that
    /// throws is retried after a backoff that doubles with each failure
    /// (`WorkflowPolicy.deliveryRetrySeconds`, at most
    /// `WorkflowPolicy.maximumDeliveryRetrySeconds`), and after
    /// `WorkflowPolicy.maximumDeliveryAttempts` failures it is dead-lettered; either way the
    /// notifications behind it are still delivered. A crash between a delivery and its record
    /// delivers that notification again on the next run: at least once, never zero times.
    ///
    /// Makes at most `limit` attempts; stops early, between notifications, when the task is
    /// cancelled. Throws only when the store fails.
    @discardableResult
    public func deliverPendingNotifications(
        to delivery: some NotificationDelivery, limit: Int = .max
    ) async throws(LedgerError) -> OutboxDeliveryReport {
        var report = OutboxDeliveryReport()
        let dbs = dbs
        let pending: [UInt64]
        do {
            pending = try store.read { txn in
                try txn.withUnsafeAccess { access in try Outbox.sequences(in: OutboxKey.pendingPrefix, access, dbs) }
            }
        } catch {
            throw Self.ledgerError(error)
        }
        var start = 0
        while start < pending.count {
            let chunk = Array(pending[start..<min(start + 256, pending.count)])
            start += chunk.count
            let now = options.clock()
            for notification in try notifications(chunk) where notification.isPending {
                if !notification.isDue(at: now) || report.attempted >= limit || Task.isCancelled {
                    // Left for a later run: remember when that run has work.
                    if let next = notification.isDue(at: now) ? now : notification.nextAttemptAt {
                        report.nextAttemptAt = min(report.nextAttemptAt ?? next, next)
                    }
                    continue
                }
                do {
                    try await delivery.deliver(notification)
                } catch {
                    let recorded = try await recordFailedDelivery(
                        notification.sequence, reason: String(describing: error), at: options.clock())
                    if let recorded, recorded.isDead {
                        report.deadLettered += 1
                    } else {
                        report.failed += 1
                        if let next = recorded?.nextAttemptAt {
                            report.nextAttemptAt = min(report.nextAttemptAt ?? next, next)
                        }
                    }
                    continue
                }
                try await markDelivered(notification.sequence, at: options.clock())
                report.delivered += 1
            }
        }
        return report
    }

    /// The stored notifications with these sequence numbers (missing ones skipped).
    private func notifications(_ sequences: [UInt64]) throws(LedgerError) -> [OutboxNotification] {
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access in
                    try sequences.compactMap { sequence in
                        try access.get(dbs.outbox, OutboxKey.entry(sequence)).map(OutboxNotification.init(encoded:))
                    }
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Records that the notification with `sequence` was delivered, and removes its secrets from
    /// the store (R-ACC-7). Idempotent: a second call keeps the first time. Delivering a
    /// dead-lettered notification (by hand) records it as delivered too.
    public func markDelivered(_ sequence: UInt64, at time: Timestamp) async throws(LedgerError) {
        try await updateNotification(sequence) { entry in
            guard entry.deliveredAt == nil else { return false }
            entry.deliveredAt = time
            entry.nextAttemptAt = nil
            entry.parameters = entry.publicParameters
            return true
        }
    }

    /// Records a failed delivery attempt of the notification with `sequence`: it is retried after
    /// the policy's backoff, or dead-lettered (and its secrets removed) when this was its last
    /// allowed attempt. Returns the notification as stored now; nil when there is none, and an
    /// already delivered or dead one is left as it is.
    @discardableResult
    public func recordFailedDelivery(
        _ sequence: UInt64, reason: String, at time: Timestamp
    ) async throws(LedgerError) -> OutboxNotification? {
        let policy = options.policy
        return try await updateNotification(sequence) { entry in
            guard entry.isPending else { return false }
            entry.attempts += 1
            // A host's error may quote what it failed to send: never keep a secret in it.
            var scrubbed = reason
            for (name, value) in entry.parameters
            where OutboxNotification.secretParameters.contains(name) && !value.isEmpty {
                scrubbed = scrubbed.replacing(value, with: "[\(name)]")
            }
            entry.lastError = String(scrubbed.prefix(500))
            if entry.attempts >= policy.maximumDeliveryAttempts {
                entry.deadAt = time
                entry.nextAttemptAt = nil
                entry.parameters = entry.publicParameters
            } else {
                entry.nextAttemptAt = Timestamp(
                    epochMilliseconds: time.epochMilliseconds + Self.retryDelay(afterFailures: entry.attempts, policy))
            }
            return true
        }
    }

    /// The wait after the `failures`-th failed attempt, in milliseconds: the policy's first retry
    /// delay, doubled for each further failure, capped at its maximum.
    static func retryDelay(afterFailures failures: Int, _ policy: WorkflowPolicy) -> Int64 {
        let base = Int64(max(policy.deliveryRetrySeconds, 0)) * 1000
        let cap = Int64(max(policy.maximumDeliveryRetrySeconds, 0)) * 1000
        let doublings = min(max(failures - 1, 0), 40)
        let (delay, overflow) = base.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow ? cap : min(delay, cap)
    }

    /// Reads, changes and writes back one notification in a write transaction, keeping the
    /// pending and dead indexes in step. `change` returns false to leave it untouched.
    @discardableResult
    private func updateNotification(
        _ sequence: UInt64, _ change: @escaping @Sendable (inout OutboxNotification) -> Bool
    ) async throws(LedgerError) -> OutboxNotification? {
        let dbs = dbs
        do {
            return try await store.write { txn in
                try txn.withUnsafeAccess { access -> OutboxNotification? in
                    guard let bytes = try access.get(dbs.outbox, OutboxKey.entry(sequence)) else { return nil }
                    var entry = try OutboxNotification(encoded: bytes)
                    guard change(&entry) else { return entry }
                    try access.put(dbs.outbox, OutboxKey.entry(sequence), entry.encoded)
                    if !entry.isPending { _ = try access.delete(dbs.outbox, OutboxKey.pending(sequence)) }
                    if entry.isDead && !entry.isDelivered {
                        try access.put(dbs.outbox, OutboxKey.dead(sequence), [])
                    } else {
                        _ = try access.delete(dbs.outbox, OutboxKey.dead(sequence))
                    }
                    return entry
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Delivers due notifications as they come, until the task is cancelled: a run of
    /// ``deliverPendingNotifications(to:limit:)``, then a wait for a new event in the log (from
    /// this process or another, through `EventStore.subscribe(from:)`), for the next retry, or
    /// for `pollInterval`, whichever comes first. The poll finds notifications queued by commands
    /// that append no event (a password reset). `onRun` receives each run's report.
    public func followOutbox(
        to delivery: some NotificationDelivery, pollInterval: Duration = .seconds(1),
        onRun: @escaping @Sendable (OutboxDeliveryReport) -> Void = { _ in }
    ) async throws(LedgerError) {
        while !Task.isCancelled {
            let from = try head().position + 1
            let report = try await deliverPendingNotifications(to: delivery)
            onRun(report)
            if Task.isCancelled { break }
            var wait = pollInterval
            if let next = report.nextAttemptAt {
                let untilNext = Duration.milliseconds(
                    max(next.epochMilliseconds - options.clock().epochMilliseconds, 10))
                wait = min(wait, untilNext)
            }
            await waitForEvent(after: from, timeout: wait)
        }
    }

    /// Returns when an event at `position` or later exists, after `timeout`, or on cancellation.
    private func waitForEvent(after position: UInt64, timeout: Duration) async {
        let subscription = store.subscribe(from: position)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var events = subscription.makeAsyncIterator()
                _ = try? await events.next()
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            _ = await group.next()
            group.cancelAll()
        }
    }
}
