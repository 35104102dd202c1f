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
}
