internal import CLMDB

/// A handle on one of the named databases the layer above declared in
/// ``EventStoreOptions/extraDatabases`` (read models, outbox, credentials, attachments, ...).
///
/// Get one with ``EventStore/database(_:)``; use it inside ``EventStore/write(isolation:_:)`` or
/// ``EventStore/read(_:)``, so its changes commit or roll back together with the events.
public struct Database: Sendable, Hashable {
    /// The database's name.
    public let name: String
    let dbi: MDB_dbi

    init(name: String, dbi: MDB_dbi) {
        self.name = name
        self.dbi = dbi
    }
}
