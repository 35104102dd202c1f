internal import EventLog
internal import GrantWorkflow

/// The durable outbox: notifications queued in the command's transaction (R-NTF-1).
enum Outbox {
    static func enqueue(
        _ notifications: [Notification], time: Timestamp, position: UInt64, access: TransactionAccess,
        dbs: LedgerDatabases
    ) throws {
        guard !notifications.isEmpty else { return }
        var sequence = try access.get(dbs.ledger, LedgerMetaKey.outboxSequence).flatMap(BigEndian.value) ?? 0
        for notification in notifications {
            sequence += 1
            let entry = OutboxNotification(
                sequence: sequence, recipient: notification.recipient, channel: notification.channel,
                template: notification.template, parameters: notification.parameters, createdAt: time,
                position: position)
            try access.put(dbs.outbox, OutboxKey.entry(sequence), entry.encoded)
            try access.put(dbs.outbox, OutboxKey.pending(sequence), [])
        }
        try access.put(dbs.ledger, LedgerMetaKey.outboxSequence, BigEndian.bytes(sequence))
    }

    /// The sequence numbers of an index of the outbox (`u` pending, `d` dead), in order.
    static func sequences(in prefix: [UInt8], _ access: TransactionAccess, _ dbs: LedgerDatabases) throws -> [UInt64] {
        var sequences: [UInt64] = []
        try access.scan(dbs.outbox, prefix: prefix) { key, _ in
            if let sequence = BigEndian.value(UnsafeRawBufferPointer(rebasing: key[1...])) {
                sequences.append(sequence)
            }
            return true
        }
        return sequences
    }

    /// Why a notification to an erased person is dead: ``retire(recipients:time:access:dbs:)``.
    static let erasedRecipient = "the recipient's personal data was erased (R-LOG-6): nobody to deliver to"

    /// Dead-letters, in an erasure's transaction, every notification still waiting for one of the
    /// erased person's accounts, and removes its secrets (R-LOG-6, R-ACC-7): those accounts are
    /// closed for good and their phone and e-mail are gone, so nothing can be delivered, and a reset
    /// token must reach nobody after the erasure. Returns how many it retired.
    @discardableResult
    static func retire(
        recipients: Set<String>, time: Timestamp, access: TransactionAccess, dbs: LedgerDatabases
    ) throws -> Int {
        guard !recipients.isEmpty else { return 0 }
        var retired = 0
        for sequence in try sequences(in: OutboxKey.pendingPrefix, access, dbs) {
            guard let bytes = try access.get(dbs.outbox, OutboxKey.entry(sequence)) else { continue }
            var entry = try OutboxNotification(encoded: bytes)
            guard entry.isPending, recipients.contains(entry.recipient) else { continue }
            entry.deadAt = time
            entry.nextAttemptAt = nil
            entry.lastError = erasedRecipient
            entry.parameters = entry.publicParameters
            try access.put(dbs.outbox, OutboxKey.entry(sequence), entry.encoded)
            _ = try access.delete(dbs.outbox, OutboxKey.pending(sequence))
            try access.put(dbs.outbox, OutboxKey.dead(sequence), [])
            retired += 1
        }
        return retired
    }
}
