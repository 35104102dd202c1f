internal import EventLog

/// The named LMDB databases the engine keeps beside the event log, in the same environment, so
/// that everything a command changes commits or aborts together.
struct LedgerDatabases: Sendable {
    /// The names, in the order they are opened.
    static let names = ["models", "outbox", "credentials", "attachments", "ledger"]

    /// Read models: entities and their indexes (``ModelKey``).
    let models: Database
    /// Notifications waiting for, or done with, delivery (``Outbox``).
    let outbox: Database
    /// Password hashes, login attempts and reset tokens: never in the event log (R-ACC-8).
    let credentials: Database
    /// File contents by SHA-256 (R-ATT-1).
    let attachments: Database
    /// The engine's own bookkeeping: projection checkpoint and format, outbox sequence.
    let ledger: Database

    init(store: EventStore) throws(EventLogError) {
        models = try store.database("models")
        outbox = try store.database("outbox")
        credentials = try store.database("credentials")
        attachments = try store.database("attachments")
        ledger = try store.database("ledger")
    }
}

/// Keys of the `ledger` database.
enum LedgerMetaKey {
    /// The log position the read models reflect (big-endian UInt64).
    static let checkpoint = Array("checkpoint".utf8)
    /// The read-model format; a different one at open means a rebuild (big-endian UInt64).
    static let modelFormat = Array("modelFormat".utf8)
    /// The last outbox sequence number used (big-endian UInt64).
    static let outboxSequence = Array("outboxSequence".utf8)
}
