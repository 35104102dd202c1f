internal import EventLog

/// The named LMDB databases the engine keeps beside the event log, in the same environment, so
/// that everything a command changes commits or aborts together.
struct LedgerDatabases: Sendable {
    /// The names, in the order they are opened.
    static let names = ["models", "outbox", "credentials", "attachments", "ledger", "subjects"]

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
    /// Personal data's keys (R-LOG-6): the store secret, each subject's data key or the mark of its
    /// erasure, the keyed-hash lookups, occurrences and account links (``SubjectRecords``). Never in
    /// the event log; carried by backups with everything else.
    let subjects: Database
    /// Keyed hashes under the store secret, for the read models' lookups of personal values.
    private(set) var hasher: LookupHasher

    /// Opens the databases; makes the store secret at the first open.
    init(store: EventStore) throws {
        models = try store.database("models")
        outbox = try store.database("outbox")
        credentials = try store.database("credentials")
        attachments = try store.database("attachments")
        ledger = try store.database("ledger")
        let subjects = try store.database("subjects")
        self.subjects = subjects
        var secret = try store.read { txn in try txn.get(subjects, SubjectRecords.secret) } ?? []
        if secret.count != 32 {
            secret = try store.writeSync { txn in
                if let made = try txn.get(subjects, SubjectRecords.secret), made.count == 32 { return made }
                let made = SubjectKeyring.random(count: 32)
                try txn.put(subjects, SubjectRecords.secret, made)
                return made
            }
        }
        hasher = LookupHasher(secret: secret)
    }

    /// These databases, with a hasher that answers the ID numbers of `memo` from it.
    func using(_ memo: KeyedHashMemo?) -> LedgerDatabases {
        guard let memo else { return self }
        var copy = self
        copy.hasher = hasher.using(memo)
        return copy
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
