internal import CLMDB

#if canImport(Glibc)
import Glibc
#endif

/// Copyable access to the named databases of an open transaction, for a layer above that must hand
/// the transaction to code it does not own (a protocol-based state view, say).
///
/// ``WriteTransaction`` and ``ReadTransaction`` are `~Copyable` so that they can never escape their
/// closure or cross an `await`. This value gives up that guarantee for the duration of
/// ``WriteTransaction/withUnsafeAccess(_:)``: it is valid only inside that closure, on that thread.
/// Using it afterwards is a programming error (LMDB would see a finished transaction).
public struct TransactionAccess {
    let reader: LogReader
    let context: WriterContext?

    /// Whether writes are allowed (false for a read transaction).
    public var isWritable: Bool { context != nil }

    /// The value stored under `key`, copied out.
    public func get(_ db: Database, _ key: some Collection<UInt8>) throws(EventLogError) -> [UInt8]? {
        try reader.get(db.dbi, key)
    }

    /// Calls `body` with the stored bytes of `key` (nil when absent), valid only inside `body`.
    public func withValue<R>(
        _ db: Database, _ key: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try body(reader.lookup(db.dbi, key))
    }

    /// Visits the pairs whose key starts with `prefix`, in key order, until `body` returns false.
    public func scan(
        _ db: Database, prefix: some Collection<UInt8> = [UInt8](),
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try reader.scan(db.dbi, prefix: prefix, body)
    }

    /// Visits the pairs whose key starts with `prefix`, in key order from the first key at or after
    /// `start`, until `body` returns false.
    public func scan(
        _ db: Database, from start: some Collection<UInt8>, prefix: some Collection<UInt8>,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try reader.scan(db.dbi, from: start, prefix: prefix, body)
    }

    /// The stream of the event at `position`, or nil when there is none.
    public func stream(at position: UInt64) throws -> String? {
        try reader.withRecord(at: position) { view in view.stream }
    }

    /// How many entries `db` holds (LMDB's `mdb_stat`: no scan).
    public func entryCount(_ db: Database) throws(EventLogError) -> Int {
        var stat = MDB_stat()
        let rc = mdb_stat(reader.txn, db.dbi, &stat)
        guard rc == 0 else { throw .lmdb(rc, "mdb_stat") }
        return Int(stat.ms_entries)
    }

    /// Drops this process's page mappings of the store's data file (`madvise(MADV_DONTNEED)`): the
    /// pages stay in the operating system's page cache and fault back in when read again, but a long
    /// pass over the log (a rebuild) stops counting every page it read as resident. Safe while this
    /// transaction is open: it holds the map lock, so the map cannot move. Linux only; a no-op
    /// elsewhere.
    public func releaseMappedPages() {
        #if os(Linux)
        var folder: UnsafePointer<CChar>?
        guard mdb_env_get_path(mdb_txn_env(reader.txn), &folder) == 0, let folder,
            let resolved = realpath(folder, nil)
        else { return }
        let file = " " + String(cString: resolved) + "/data.mdb"
        free(resolved)
        guard let maps = fopen("/proc/self/maps", "r") else { return }
        defer { fclose(maps) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, maps) > 0, let line {
            let text = String(cString: line).dropLast()  // the newline
            guard text.hasSuffix(file), let dash = text.firstIndex(of: "-"),
                let space = text[dash...].firstIndex(of: " "),
                let start = UInt(text[..<dash], radix: 16),
                let end = UInt(text[text.index(after: dash)..<space], radix: 16), end > start,
                let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            _ = madvise(address, Int(end - start), MADV_DONTNEED)
        }
        #endif
    }

    /// Stores `value` under `key` (write transactions only). With `append`, `key` must sort after
    /// every key of `db` (LMDB's `MDB_APPEND`: no search, pages filled instead of split in halves);
    /// a key out of order throws.
    public func put(
        _ db: Database, _ key: some Collection<UInt8>, _ value: some Collection<UInt8>, append: Bool = false
    ) throws(EventLogError) {
        guard let context else { throw .invalid("put in a read transaction") }
        context.wrote = true
        let txn = reader.txn
        let flags: UInt32 = append ? UInt32(MDB_APPEND) : 0
        let rc = withContiguousBytes(key) { keyBytes in
            withContiguousBytes(value) { valueBytes in
                var key = MDB_val(keyBytes)
                var value = MDB_val(valueBytes)
                return mdb_put(txn, db.dbi, &key, &value, flags)
            }
        }
        guard rc == 0 else {
            if rc == MDB_BAD_VALSIZE { throw .invalid("a key must be 1 to 511 bytes") }
            if rc == MDB_KEYEXIST { throw .invalid("an appended key must sort after every stored key") }
            throw context.writeFailed(rc, "mdb_put")
        }
    }

    /// Removes `key`; returns whether it was present (write transactions only).
    @discardableResult
    public func delete(_ db: Database, _ key: some Collection<UInt8>) throws(EventLogError) -> Bool {
        guard let context else { throw .invalid("delete in a read transaction") }
        context.wrote = true
        let txn = reader.txn
        let rc = withContiguousBytes(key) { keyBytes in
            var key = MDB_val(keyBytes)
            return mdb_del(txn, db.dbi, &key, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        guard rc == 0 else {
            if rc == MDB_BAD_VALSIZE { throw .invalid("a key must be 1 to 511 bytes") }
            throw context.writeFailed(rc, "mdb_del")
        }
        return true
    }
}

extension WriteTransaction {
    /// Runs `body` with a copyable ``TransactionAccess`` to this transaction; see its caveats.
    public func withUnsafeAccess<R>(_ body: (TransactionAccess) throws -> R) rethrows -> R {
        try body(TransactionAccess(reader: reader, context: context))
    }
}

extension ReadTransaction {
    /// Runs `body` with a read-only ``TransactionAccess`` to this transaction; see its caveats.
    public func withUnsafeAccess<R>(_ body: (TransactionAccess) throws -> R) rethrows -> R {
        try body(TransactionAccess(reader: reader, context: nil))
    }
}
