import GrantLedger

@testable import EventLog

/// Every byte a command could change: the log's head and every key and value of every database of
/// the environment (events, stream index, command records, log meta, read models, outbox,
/// credentials, attachments and the ledger's bookkeeping), for "nothing changed" tests (R-LOG-1).
struct StoreSnapshot: Equatable {
    let head: Head
    let tables: [String: [[UInt8]: [UInt8]]]

    init(_ ledger: Ledger) throws {
        let store = ledger.store
        let dbs = store.core.dbs
        var handles = [
            Database(name: "events", dbi: dbs.events), Database(name: "streams", dbi: dbs.streams),
            Database(name: "commands", dbi: dbs.commands), Database(name: "meta", dbi: dbs.meta),
        ]
        for (name, dbi) in dbs.extra { handles.append(Database(name: name, dbi: dbi)) }
        head = try ledger.head()
        tables = try store.read { txn in
            try txn.withUnsafeAccess { access in
                var tables: [String: [[UInt8]: [UInt8]]] = [:]
                for handle in handles {
                    var table: [[UInt8]: [UInt8]] = [:]
                    try access.scan(handle) { key, value in
                        table[Array(key)] = Array(value)
                        return true
                    }
                    tables[handle.name] = table
                }
                return tables
            }
        }
    }
}
