internal import EventLog
public import GrantWorkflow

extension Ledger {
    /// The outbox, oldest first; only the undelivered ones with `undeliveredOnly`.
    public func outboxNotifications(
        undeliveredOnly: Bool = false, limit: Int = .max
    ) throws(LedgerError)
        -> [OutboxNotification]
    {
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access in
                    var result: [OutboxNotification] = []
                    if undeliveredOnly {
                        var sequences: [UInt64] = []
                        try access.scan(dbs.outbox, prefix: OutboxKey.pendingPrefix) { key, _ in
                            if let sequence = BigEndian.value(UnsafeRawBufferPointer(rebasing: key[1...])) {
                                sequences.append(sequence)
                            }
                            return sequences.count < limit
                        }
                        for sequence in sequences {
                            if let bytes = try access.get(dbs.outbox, OutboxKey.entry(sequence)) {
                                result.append(try OutboxNotification(encoded: bytes))
                            }
                        }
                    } else {
                        try access.scan(dbs.outbox, prefix: OutboxKey.entryPrefix) { _, value in
                            result.append(try OutboxNotification(encoded: Array(value)))
                            return result.count < limit
                        }
                    }
                    return result
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// `query outbox`: the operator's view of the delivery queue. Accounts see only their own
    /// notifications, and never a reset token.
    public func outbox(undeliveredOnly: Bool = false, as viewer: Viewer) throws(LedgerError) -> JSONValue {
        let all = try outboxNotifications(undeliveredOnly: undeliveredOnly)
        switch viewer {
        case .everything:
            return .array(all.map(\.json))
        case .account(let id):
            _ = try withModels { models, _ in try Visibility(viewer, directory: models) }
            return .array(
                all.filter { $0.recipient == id }.map { notification in
                    var copy = notification
                    if copy.parameters["token"] != nil { copy.parameters["token"] = "••••••" }
                    return copy.json
                })
        }
    }

    /// Hands every undelivered notification, in outbox order, to `delivery`, and records each
    /// delivery once `deliver` returns (R-NTF-1). Stops at the first failure, which stays pending.
    ///
    /// A crash between a delivery and its record delivers that notification again on the next run:
    /// at least once, never zero times. Returns how many were delivered.
    @discardableResult
    public func deliverPendingNotifications(
        to delivery: some NotificationDelivery, limit: Int = .max
    ) async throws -> Int {
        var delivered = 0
        while delivered < limit {
            let batch = try outboxNotifications(undeliveredOnly: true, limit: min(256, limit - delivered))
            if batch.isEmpty { break }
            for notification in batch {
                try await delivery.deliver(notification)
                try await markDelivered(notification.sequence, at: options.clock())
                delivered += 1
            }
        }
        return delivered
    }

    /// Records that the notification with `sequence` was delivered (idempotent).
    public func markDelivered(_ sequence: UInt64, at time: Timestamp) async throws(LedgerError) {
        let dbs = dbs
        do {
            try await store.write { txn in
                try txn.withUnsafeAccess { access in
                    guard let bytes = try access.get(dbs.outbox, OutboxKey.entry(sequence)) else { return }
                    var entry = try OutboxNotification(encoded: bytes)
                    guard entry.deliveredAt == nil else { return }
                    entry.deliveredAt = time
                    try access.put(dbs.outbox, OutboxKey.entry(sequence), entry.encoded)
                    try access.delete(dbs.outbox, OutboxKey.pending(sequence))
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }
}
