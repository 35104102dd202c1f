internal import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw LMDB through its C API in this process: the ceiling the engine's figures are compared with
/// (`grantledger bench`). One environment in its own folder, default (durable) sync, one unnamed
/// database with 8-byte big-endian keys and values the size of a typical event record.
struct RawLMDBBench {
    let folder: String
    let valueSize: Int

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Commits per second, one put per durable commit.
    func singleCommits(_ count: Int) throws -> Rates {
        let environment = try RawEnvironment(folder: folder, name: "single", valueSize: valueSize)
        defer { environment.close() }
        return try environment.singleCommits(count)
    }

    /// Puts per second, `batch` puts per durable commit; then the cursor scan of what it wrote.
    func batchedCommitsAndScan(_ count: Int, batch: Int) throws -> (batched: Rates, scan: Rates) {
        let environment = try RawEnvironment(folder: folder, name: "batched", valueSize: valueSize)
        defer { environment.close() }
        let batched = try environment.batchedPuts(count, batch: batch)
        let scanStarted = BenchClock.now()
        let seen = try environment.scan()
        guard seen == count else { throw Failure(description: "the raw scan saw \(seen) of \(count) records") }
        return (batched, Rates(operations: count, seconds: BenchClock.now() - scanStarted))
    }
}

/// One raw LMDB environment in its own folder under the bench's, kept open across measurements so
/// that raw blocks can alternate with the engine's (``PairedBench``). Default (durable) sync, one
/// database with 8-byte big-endian keys appended in order: the unnamed one, or the named `database`
/// (as the event log's `events`, and `Benchmarks/Peers/lmdb_peer.c`'s). A commit to a named database
/// also rewrites the unnamed database's page that records it: one more dirty page per commit.
final class RawEnvironment {
    private let env: OpaquePointer
    private let dbi: MDB_dbi
    let valueSize: Int
    private var nextKey = 0
    private var closed = false

    init(folder: String, name: String, valueSize: Int, database: String? = nil) throws {
        let path = folder + "/" + name
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw RawLMDBBench.Failure(description: "mkdir \(path)")
        }
        var pointer: OpaquePointer?
        try Self.check(mdb_env_create(&pointer), "mdb_env_create")
        guard let env = pointer else { throw RawLMDBBench.Failure(description: "mdb_env_create gave no environment") }
        do {
            try Self.check(mdb_env_set_mapsize(env, 8 << 30), "mdb_env_set_mapsize")
            if database != nil { try Self.check(mdb_env_set_maxdbs(env, 1), "mdb_env_set_maxdbs") }
            try Self.check(mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o600), "mdb_env_open")
            var txn: OpaquePointer?
            try Self.check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
            var dbi: MDB_dbi = 0
            let opened = mdb_dbi_open(txn, database, database == nil ? 0 : UInt32(MDB_CREATE), &dbi)
            guard opened == 0 else {
                mdb_txn_abort(txn)
                try Self.check(opened, "mdb_dbi_open")
                throw RawLMDBBench.Failure(description: "mdb_dbi_open")
            }
            try Self.check(mdb_txn_commit(txn), "mdb_txn_commit")
            self.dbi = dbi
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.env = env
        self.valueSize = valueSize
    }

    func close() {
        guard !closed else { return }
        closed = true
        mdb_env_close(env)
    }

    deinit { close() }

    /// `count` durable commits of one put each; their rate.
    func singleCommits(_ count: Int) throws -> Rates {
        try batchedPuts(count, batch: 1)
    }

    /// `count` puts in durable commits of `batch` (the last may hold fewer); the rate of puts.
    func batchedPuts(_ count: Int, batch: Int) throws -> Rates {
        let started = BenchClock.now()
        let end = nextKey + count
        while nextKey < end {
            let last = min(nextKey + batch, end)
            try commit(keys: nextKey..<last)
            nextKey = last
        }
        return Rates(operations: count, seconds: BenchClock.now() - started)
    }

    private func commit(keys: Range<Int>) throws {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
        var value = [UInt8](repeating: 0x5A, count: valueSize)
        for index in keys {
            var key = UInt64(index).bigEndian
            let rc = withUnsafeMutableBytes(of: &key) { keyBytes in
                value.withUnsafeMutableBytes { valueBytes in
                    var mdbKey = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                    var mdbValue = MDB_val(mv_size: valueBytes.count, mv_data: valueBytes.baseAddress)
                    return mdb_put(txn, dbi, &mdbKey, &mdbValue, UInt32(MDB_APPEND))
                }
            }
            guard rc == 0 else {
                mdb_txn_abort(txn)
                throw RawLMDBBench.Failure(description: "mdb_put: \(String(cString: mdb_strerror(rc)))")
            }
        }
        try Self.check(mdb_txn_commit(txn), "mdb_txn_commit")
    }

    /// Reads every record with a cursor; how many there were.
    func scan() throws -> Int {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        defer { mdb_txn_abort(txn) }
        var cursor: OpaquePointer?
        try Self.check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var seen = 0
        var checksum = 0
        var op = MDB_FIRST
        while mdb_cursor_get(cursor, &key, &value, op) == 0 {
            seen += 1
            checksum &+= value.mv_size
            op = MDB_NEXT
        }
        guard checksum == seen * valueSize else {
            throw RawLMDBBench.Failure(description: "the raw scan read short values")
        }
        return seen
    }

    static func check(_ rc: Int32, _ what: String) throws {
        guard rc == 0 else {
            throw RawLMDBBench.Failure(description: "\(what): \(String(cString: mdb_strerror(rc)))")
        }
    }
}

/// A count of operations over a duration.
struct Rates {
    var operations: Int
    var seconds: Double
    var perSecond: Double { seconds > 0 ? Double(operations) / seconds : 0 }
}

/// A monotonic clock in seconds.
enum BenchClock {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
