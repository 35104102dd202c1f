internal import CLMDB
internal import CStoreGuard
internal import Dispatch
internal import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// `open(2)`, the platform's, under a name no method of the environment shadows.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags, mode)
    #else
    Darwin.open(path, flags, mode)
    #endif
}

/// `close(2)`, the platform's.
private func closeFile(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// Paths (canonical) of the stores open in this process: LMDB must not open one environment twice in a
/// process (closing the second would drop the first's POSIX locks).
private let openStorePaths = Mutex<Set<String>>([])

/// One queued write. `run` executes the caller's body in a child transaction and says whether to commit
/// it and how to answer the caller once the batch is durable; it may run more than once (the whole batch
/// is re-run after the map grows). `fail` answers the caller when the batch failed as a whole.
struct WriteJob: Sendable {
    /// Whether the body needs a child transaction of its own. An `AppendRequest` checks everything before
    /// it writes, so it can run straight in the batch transaction (no child, no page copies); so can a
    /// body queued with ``WriteIsolation/rerunIfFailedAfterWriting``. If such a body still fails after
    /// writing (an LMDB error, or a throw after its first write), the batch is re-run with every job in a
    /// child transaction.
    let isolated: Bool
    let run: @Sendable (borrowing WriteTransaction) -> JobOutcome
    let fail: @Sendable (EventLogError) -> Void
}

/// What a job's body did: commit its child transaction or not, and the answer to send after the commit.
struct JobOutcome: Sendable {
    let succeeded: Bool
    let answer: @Sendable () -> Void
}

/// The writer's queue, guarded by a mutex.
private struct WriteQueue {
    var jobs: [WriteJob] = []
    var writerIdle = false
    var closing = false
}

/// Starts a detached pthread running `body`; returns `pthread_create`'s result.
func startDetachedThread(_ body: @escaping () -> Void) -> Int32 {
    let start = Unmanaged.passRetained(ThreadStart(body))
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let rc = pthread_create(&thread, nil, { raw in runThreadStart(raw) }, start.toOpaque())
    guard rc == 0 else {
        start.release()
        return rc
    }
    #if canImport(Darwin)
    pthread_detach(thread!)
    #else
    pthread_detach(thread)
    #endif
    return 0
}

/// A closure for a new pthread.
private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// The writer thread's entry point (the argument is an unmanaged, retained `ThreadStart`).
private func runThreadStart(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue().body()
    return nil
}

@inline(__always)
private func currentThreadToken() -> UInt {
    #if canImport(Darwin)
    UInt(bitPattern: pthread_self())
    #else
    UInt(pthread_self())
    #endif
}

/// The owner of the `MDB_env`: opening, the map lock, read transactions, and the single writer thread
/// that runs every write transaction with group commit.
///
/// `@unchecked Sendable` because it wraps C state the compiler cannot check, and shares it safely:
/// - `MDB_env` is thread-safe for what is done here; read transactions use `MDB_NOTLS`, so they may be
///   begun on any thread and each is used by one thread only (inside a synchronous closure);
/// - write transactions exist only on the writer thread (begun and committed there: LMDB's writer mutex
///   is owned by the thread that took it), and `WriterContext` is touched only by that thread;
/// - `mdb_env_set_mapsize` (growth, adopting another process's growth) and `mdb_env_close` run only
///   while holding `mapLock` exclusively; every transaction holds it shared;
/// - every other mutable state is in `Mutex`/`Atomic` values.
final class StoreEnvironment: @unchecked Sendable {
    let env: OpaquePointer
    let path: String
    let options: EventStoreOptions
    let dbs: StoreDatabases
    let commits = CommitSignal()

    private let mapLock: UnsafeMutablePointer<pthread_rwlock_t>
    private let queue = Mutex(WriteQueue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let writerThreadToken = Atomic<UInt>(0)
    /// Jobs queued and not yet taken, readable without the queue's lock (for the writer's short spin).
    private let queuedJobs = Atomic<Int>(0)
    /// Answers large batches off the writer thread, so the next batch starts at once.
    private let answerQueue = DispatchQueue(label: "EventLog.answers")
    /// Marks `answerQueue`, so `close()` called there (a store released by an answer) does not wait for
    /// the writer, which waits for that queue.
    private static let answerQueueKey = DispatchSpecificKey<Bool>()
    private let closedFlag = Atomic<Bool>(false)
    /// Batches committed so far (for tests and diagnostics).
    let committedBatches = Atomic<Int>(0)
    /// How many times the writer waited for a batch to fill (``EventStoreOptions/groupCommitLinger``).
    let lingers = Atomic<Int>(0)
    /// Set by ``close()``: a batch waiting to fill stops waiting.
    private let closeRequested = Atomic<Bool>(false)

    /// Writes waiting for the writer (for tests and diagnostics).
    var queuedWriteCount: Int { queue.withLock { $0.jobs.count } }

    private init(env: OpaquePointer, path: String, options: EventStoreOptions, dbs: StoreDatabases) {
        self.env = env
        self.path = path
        self.options = options
        self.dbs = dbs
        mapLock = .allocate(capacity: 1)
        pthread_rwlock_init(mapLock, nil)
        answerQueue.setSpecific(key: Self.answerQueueKey, value: true)
    }

    deinit {
        pthread_rwlock_destroy(mapLock)
        mapLock.deallocate()
    }

    var isClosed: Bool { closedFlag.load(ordering: .acquiring) }

    /// Whether the caller runs on the writer thread (inside a write body).
    var isWriterThread: Bool { writerThreadToken.load(ordering: .relaxed) == currentThreadToken() }

    // MARK: Opening

    static func open(path: String, options: EventStoreOptions) throws(EventLogError) -> StoreEnvironment {
        guard options.mapSize > 0, options.maxReaders > 0, options.maxBatch > 0, options.streamIndexInterval > 0 else {
            throw .invalid("mapSize, maxReaders, maxBatch and streamIndexInterval must be positive")
        }
        guard options.groupCommitLinger >= .zero, options.groupCommitLinger <= .seconds(1) else {
            throw .invalid("groupCommitLinger must be between zero and one second")
        }
        guard Set(options.extraDatabases).count == options.extraDatabases.count,
            options.extraDatabases.allSatisfy({ !$0.isEmpty && !StoreDatabases.reservedNames.contains($0) })
        else { throw .invalid("extra database names must be unique, non-empty, and not events/streams/commands/meta") }
        try makeDirectories(path)
        let canonical = try canonicalPath(path)
        restrictToOwner(folder: canonical, files: ["data.mdb", "lock.mdb"])
        let inserted = openStorePaths.withLock { $0.insert(canonical).inserted }
        guard inserted else {
            throw EventLogError(code: .alreadyOpen, message: "\(canonical) is already open in this process")
        }
        var envPointer: OpaquePointer?
        do throws(EventLogError) {
            var rc = mdb_env_create(&envPointer)
            guard rc == 0, let env = envPointer else { throw .lmdb(rc, "mdb_env_create") }
            // A program that installs the store guard (the command line) ends with a coded message
            // when LMDB stops on a damaged page; otherwise LMDB aborts as always. EINVAL when the
            // library was built without assertions, which leaves nothing to catch.
            _ = mdb_env_set_assert(env, gl_store_guard_lmdb_assert)
            rc = mdb_env_set_maxdbs(env, MDB_dbi(4 + options.extraDatabases.count))
            guard rc == 0 else { throw .lmdb(rc, "mdb_env_set_maxdbs") }
            rc = mdb_env_set_mapsize(env, options.mapSize)
            guard rc == 0 else { throw .lmdb(rc, "mdb_env_set_mapsize") }
            rc = mdb_env_set_maxreaders(env, options.maxReaders)
            guard rc == 0 else { throw .lmdb(rc, "mdb_env_set_maxreaders") }
            try allocateLockFile(canonical + "/lock.mdb", maxReaders: options.maxReaders)
            let flags = LMDBFlags.noTLS | (options.durability == .relaxed ? LMDBFlags.noMetaSync : 0)
            // Owner only: the store holds password hashes, reset tokens and personal data.
            rc = mdb_env_open(env, canonical, flags, 0o600)
            guard rc == 0 else { throw .lmdb(rc, "mdb_env_open \(canonical)") }
            try checkFileHoldsItsPages(env, file: canonical + "/data.mdb")
            // Free the reader slots of processes that died with a read transaction open.
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)
            let dbs = try openDatabases(env, extra: options.extraDatabases)
            let environment = StoreEnvironment(env: env, path: canonical, options: options, dbs: dbs)
            try environment.startWriter()
            return environment
        } catch {
            if let envPointer { mdb_env_close(envPointer) }
            _ = openStorePaths.withLock { $0.remove(canonical) }
            throw error
        }
    }

    /// Creates a missing `lock.mdb` with its blocks allocated, at the size LMDB would give it
    /// (`maxReaders - 1` reader slots of 64 bytes and its 192-byte header; LMDB keeps a file at least
    /// that large as it is). LMDB makes it a sparse file and writes it through a memory map: on a full
    /// file system the first write into the map killed the process with SIGBUS. Allocating first
    /// turns that into an error: `io`, "no space left on device".
    private static func allocateLockFile(_ path: String, maxReaders: UInt32) throws(EventLogError) {
        var info = stat()
        guard stat(path, &info) != 0 else { return }
        let fd = openFile(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }  // another process made it meanwhile; LMDB opens it.
        let size = off_t(Int(max(maxReaders, 1)) - 1) * 64 + 192
        let rc = posix_fallocate(fd, 0, size)
        closeFile(fd)
        guard rc == 0 else {
            unlink(path)
            throw .io(rc, "allocate \(path)")
        }
    }

    /// Refuses a `data.mdb` shorter than the pages its newest meta page says are in use (a copy cut
    /// short, a file truncated): LMDB does not check, and reading a page past the end of the file
    /// kills the process with SIGBUS instead of answering.
    private static func checkFileHoldsItsPages(_ env: OpaquePointer, file: String) throws(EventLogError) {
        var info = MDB_envinfo()
        var pages = MDB_stat()
        guard mdb_env_info(env, &info) == 0, mdb_env_stat(env, &pages) == 0 else { return }
        var fileInfo = stat()
        guard stat(file, &fileInfo) == 0 else { return }
        let needed = (UInt64(info.me_last_pgno) + 1) * UInt64(pages.ms_psize)
        guard UInt64(fileInfo.st_size) >= needed else {
            throw .corrupted(
                "\(file) holds \(fileInfo.st_size) bytes, but the store's pages in use end at byte \(needed): "
                    + "the file is truncated (restore it from a backup)")
        }
    }

    /// Creates the named databases and checks the format, growing the map if even that does not fit.
    private static func openDatabases(_ env: OpaquePointer, extra: [String]) throws(EventLogError) -> StoreDatabases {
        while true {
            var txn: OpaquePointer?
            var rc = mdb_txn_begin(env, nil, 0, &txn)
            if rc == MDB_MAP_RESIZED {
                _ = mdb_env_set_mapsize(env, 0)
                continue
            }
            guard rc == 0, let txn else { throw .lmdb(rc, "mdb_txn_begin") }
            var dbs = StoreDatabases()
            rc = mdb_dbi_open(txn, "events", LMDBFlags.create, &dbs.events)
            if rc == 0 { rc = mdb_dbi_open(txn, "streams", LMDBFlags.create, &dbs.streams) }
            if rc == 0 { rc = mdb_dbi_open(txn, "commands", LMDBFlags.create, &dbs.commands) }
            if rc == 0 { rc = mdb_dbi_open(txn, "meta", LMDBFlags.create, &dbs.meta) }
            for name in extra where rc == 0 {
                var dbi: MDB_dbi = 0
                rc = mdb_dbi_open(txn, name, LMDBFlags.create, &dbi)
                dbs.extra[name] = dbi
            }
            var formatFound: UInt32?
            if rc == 0 {
                let reader = LogReader(txn: txn, dbs: dbs)
                do throws(EventLogError) {
                    if let bytes = try reader.lookup(dbs.meta, StoreDatabases.metaFormatKey), bytes.count == 4 {
                        formatFound = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
                    }
                } catch {
                    mdb_txn_abort(txn)
                    throw error
                }
                if formatFound == nil {
                    var format = StoreDatabases.storeFormatVersion.littleEndian
                    rc = StoreDatabases.metaFormatKey.withUnsafeBytes { keyBytes in
                        withUnsafeMutableBytes(of: &format) { valueBytes in
                            var key = MDB_val(keyBytes)
                            var value = MDB_val(UnsafeRawBufferPointer(valueBytes))
                            return mdb_put(txn, dbs.meta, &key, &value, 0)
                        }
                    }
                }
            }
            if let formatFound, formatFound != StoreDatabases.storeFormatVersion {
                mdb_txn_abort(txn)
                throw EventLogError(code: .unsupportedFormat, message: "store format \(formatFound) is not supported")
            }
            if rc == MDB_MAP_FULL {
                mdb_txn_abort(txn)
                try grow(env)
                continue
            }
            guard rc == 0 else {
                mdb_txn_abort(txn)
                throw .lmdb(rc, "open databases")
            }
            rc = mdb_txn_commit(txn)
            if rc == MDB_MAP_FULL {
                try grow(env)
                continue
            }
            guard rc == 0 else { throw .lmdb(rc, "commit database creation") }
            return dbs
        }
    }

    /// Doubles the map. The caller guarantees no transaction of this process is open.
    private static func grow(_ env: OpaquePointer) throws(EventLogError) {
        var info = MDB_envinfo()
        var rc = mdb_env_info(env, &info)
        guard rc == 0 else { throw .lmdb(rc, "mdb_env_info") }
        let current = info.me_mapsize
        guard current < Int.max / 2 else { throw .lmdb(MDB_MAP_FULL, "grow map") }
        rc = mdb_env_set_mapsize(env, current * 2)
        guard rc == 0 else { throw .lmdb(rc, "mdb_env_set_mapsize") }
    }

    /// Grows the map while no transaction of this process is open.
    private func growMap() throws(EventLogError) {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        guard !isClosed else { throw EventLogError(code: .closed, message: "the store is closed") }
        try Self.grow(env)
    }

    /// Adopts the larger map another process set (`MDB_MAP_RESIZED`).
    private func adoptResizedMap() {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        if !isClosed { _ = mdb_env_set_mapsize(env, 0) }
    }

    /// The current size of this process's memory map, in bytes.
    var mapSize: Int {
        pthread_rwlock_rdlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        var info = MDB_envinfo()
        guard !isClosed, mdb_env_info(env, &info) == 0 else { return 0 }
        return info.me_mapsize
    }

    // MARK: Reading

    /// Runs `body` in a read-only transaction (MDB_NOTLS), aborted when `body` returns.
    func withReadTransaction<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        // The writer thread already holds the map lock shared for its whole batch.
        let onWriter = isWriterThread
        while true {
            if !onWriter { pthread_rwlock_rdlock(mapLock) }
            if isClosed {
                if !onWriter { pthread_rwlock_unlock(mapLock) }
                throw EventLogError(code: .closed, message: "the store is closed")
            }
            var txn: OpaquePointer?
            var rc = mdb_txn_begin(env, nil, LMDBFlags.readOnly, &txn)
            if rc == MDB_READERS_FULL {
                var dead: Int32 = 0
                _ = mdb_reader_check(env, &dead)
                rc = mdb_txn_begin(env, nil, LMDBFlags.readOnly, &txn)
            }
            if rc == MDB_MAP_RESIZED, !onWriter {
                pthread_rwlock_unlock(mapLock)
                adoptResizedMap()
                continue
            }
            guard rc == 0, let txn else {
                if !onWriter { pthread_rwlock_unlock(mapLock) }
                throw EventLogError.lmdb(rc, "begin read transaction")
            }
            defer {
                mdb_txn_abort(txn)
                if !onWriter { pthread_rwlock_unlock(mapLock) }
            }
            return try body(txn)
        }
    }

    /// A compacted, consistent copy into `path` (an empty or new folder), while writers go on.
    ///
    /// The copy is written to `data.mdb.partial` and becomes `data.mdb` only once it is whole and
    /// synced (a hard link, which never replaces a `data.mdb` that appeared meanwhile, then the
    /// folder synced): a backup killed halfway leaves no `data.mdb` that would open as a store and
    /// fault on its missing pages. A `data.mdb.partial` left by such a backup is replaced.
    func backup(to path: String) throws(EventLogError) {
        try makeDirectories(path)
        pthread_rwlock_rdlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        guard !isClosed else { throw EventLogError(code: .closed, message: "the store is closed") }
        // The copy's file is created owner-only before a byte is written (`mdb_env_copy2` would create
        // it with the process's default mode and leave a moment when others could read it).
        let file = path + "/data.mdb"
        let partial = file + ".partial"
        unlink(partial)
        let fd = openFile(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(errno, "create \(partial)") }
        let rc = mdb_env_copyfd2(env, fd, LMDBFlags.compact)
        let synced = rc == 0 ? fsync(fd) : 0
        let failure = errno
        closeFile(fd)
        guard rc == 0 else {
            unlink(partial)
            throw .lmdb(rc, "mdb_env_copyfd2 \(path)")
        }
        guard synced == 0 else {
            unlink(partial)
            throw .io(failure, "fsync \(partial)")
        }
        guard link(partial, file) == 0 else {
            let failure = errno
            unlink(partial)
            throw .io(failure, "link \(file)")
        }
        unlink(partial)
        let folder = openFile(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            closeFile(folder)
        }
        restrictToOwner(folder: path, files: ["data.mdb"])
    }

    // MARK: The writer

    private func startWriter() throws(EventLogError) {
        let rc = startDetachedThread { [self] in writerMain() }
        guard rc == 0 else { throw .io(rc, "start the writer thread") }
    }

    /// Queues a write for the writer thread.
    func enqueue(_ job: WriteJob) throws(EventLogError) {
        let (accepted, signal) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.closing else { return (false, false) }
            queue.jobs.append(job)
            queuedJobs.add(1, ordering: .relaxed)
            guard queue.writerIdle else { return (true, false) }
            queue.writerIdle = false
            return (true, true)
        }
        guard accepted else { throw EventLogError(code: .closed, message: "the store is closed") }
        if signal { wake.signal() }
    }

    /// Stops accepting writes, lets the writer finish the queued ones, then closes the environment.
    /// Returns once it is closed, except on the writer thread itself (which closes after its batch) and
    /// on the queue that answers callers (which the writer drains before closing).
    func close() {
        closeRequested.store(true, ordering: .relaxed)
        let signal = queue.withLock { queue -> Bool in
            queue.closing = true
            defer { queue.writerIdle = false }
            return queue.writerIdle
        }
        if signal { wake.signal() }
        guard !isWriterThread, DispatchQueue.getSpecific(key: Self.answerQueueKey) == nil else { return }
        finished.wait()
        finished.signal()
    }

    private func writerMain() {
        writerThreadToken.store(currentThreadToken(), ordering: .relaxed)
        let context = WriterContext(dbs: dbs, indexInterval: UInt64(options.streamIndexInterval))
        var previous = 0
        while let (batch, intake) = nextBatch(after: &previous) {
            previous = runBatch(batch, context, intake: intake)
        }
        answerQueue.sync {}
        pthread_rwlock_wrlock(mapLock)
        closedFlag.store(true, ordering: .releasing)
        mdb_env_close(env)
        pthread_rwlock_unlock(mapLock)
        _ = openStorePaths.withLock { $0.remove(path) }
        commits.signal()
        finished.signal()
    }

    private enum NextStep: Sendable {
        case run([WriteJob], intake: Int)
        case spin
        case wait
        case stop
    }

    /// How long the writer keeps looking for more work before it sleeps: a caller that appends again as
    /// soon as it is answered is then picked up without a wake-up.
    private static let spinDuration = Duration.microseconds(50)

    /// How long the writer may sleep between batches and still wait for the next batch to fill: the
    /// writers of the last batch come back within this if they come back at once.
    private static let lingerAfterSleep = Duration.milliseconds(1)

    /// Takes up to `maxBatch` queued writes, sleeping while there are none; nil once closing and drained.
    ///
    /// `previous` is the size of the batch before (0 once the writer slept long). After a batch of at
    /// least ``EventStoreOptions/lingerMinimumBatch`` writes, when fewer are queued, `intake` is that
    /// size: the batch then takes in the writers it just answered as they come back, up to
    /// ``EventStoreOptions/groupCommitLinger`` (``runBatchOnce(_:_:intake:)``), so that batches stay full.
    private func nextBatch(after previous: inout Int) -> ([WriteJob], intake: Int)? {
        let maxBatch = options.maxBatch
        let linger = options.groupCommitLinger
        var mayRest = true
        var mayLinger = linger > .zero && previous >= EventStoreOptions.lingerMinimumBatch
        while true {
            let step = queue.withLock { queue -> NextStep in
                if queue.jobs.isEmpty {
                    if queue.closing { return .stop }
                    if mayRest { return .spin }
                    queue.writerIdle = true
                    return .wait
                }
                let target = min(previous, maxBatch)
                let intake = mayLinger && queue.jobs.count < target && !queue.closing ? target : 0
                if queue.jobs.count <= maxBatch {
                    var batch: [WriteJob] = []
                    swap(&batch, &queue.jobs)
                    queuedJobs.subtract(batch.count, ordering: .relaxed)
                    return .run(batch, intake: intake)
                }
                let batch = Array(queue.jobs.prefix(maxBatch))
                queue.jobs.removeFirst(maxBatch)
                queuedJobs.subtract(maxBatch, ordering: .relaxed)
                return .run(batch, intake: 0)
            }
            switch step {
            case .run(let batch, let intake):
                if intake > 0 { lingers.add(1, ordering: .relaxed) }
                return (batch, intake)
            case .spin:
                mayRest = false
                let clock = ContinuousClock()
                let deadline = clock.now.advanced(by: Self.spinDuration)
                while queuedJobs.load(ordering: .relaxed) == 0, clock.now < deadline {}
            case .wait:
                // Whoever comes after a long sleep is not one of the last batch's writers coming back.
                let clock = ContinuousClock()
                let slept = clock.now
                wake.wait()
                if clock.now - slept > Self.lingerAfterSleep {
                    previous = 0
                    mayLinger = false
                }
            case .stop: return nil
            }
        }
    }

    private enum Answer: Sendable {
        case outcome(JobOutcome)
        case failure(WriteJob, EventLogError)

        func deliver() {
            switch self {
            case .outcome(let outcome): outcome.answer()
            case .failure(let job, let error): job.fail(error)
            }
        }
    }

    /// Runs a batch (taking in more queued writes while it is short of `intake`, up to the linger);
    /// returns how many writes it held.
    @discardableResult
    private func runBatch(_ jobs: [WriteJob], _ context: WriterContext, intake: Int = 0) -> Int {
        var jobs = jobs
        guard runBatchOnce(&jobs, context, intake: intake) else { return jobs.count }
        // The batch dirtied more pages than one LMDB transaction may hold: commit it in halves.
        let middle = jobs.count / 2
        runBatch(Array(jobs[..<middle]), context)
        runBatch(Array(jobs[middle...]), context)
        return jobs.count
    }

    /// Takes up to `count` queued writes without waiting; nil once the store is closing.
    private func takeQueued(upTo count: Int) -> [WriteJob]? {
        guard !closeRequested.load(ordering: .relaxed) else { return nil }
        guard count > 0, queuedJobs.load(ordering: .relaxed) > 0 else { return [] }
        return queue.withLock { queue -> [WriteJob]? in
            guard !queue.closing else { return nil }
            let taken = min(count, queue.jobs.count)
            guard taken > 0 else { return [] }
            let jobs = Array(queue.jobs.prefix(taken))
            queue.jobs.removeFirst(taken)
            queuedJobs.subtract(taken, ordering: .relaxed)
            return jobs
        }
    }

    private func failAll(_ jobs: [WriteJob], _ error: EventLogError) {
        for job in jobs { job.fail(error) }
    }

    /// Runs one batch in one write transaction, each job in a child transaction; commits once (one sync)
    /// and then answers every caller. Returns true when the batch must be split.
    private func runBatchOnce(_ jobs: inout [WriteJob], _ context: WriterContext, intake: Int) -> Bool {
        var answers: [Answer] = []
        answers.reserveCapacity(jobs.count)
        var isolateAll = false
        let clock = ContinuousClock()
        // The first attempt may take in more writes, up to `intake` in all, until the linger runs out:
        // the writers of the batch before, coming back one by one, join this one as they arrive, while
        // the transaction is open, instead of waiting a whole commit for the next.
        var intakeDeadline = intake > jobs.count ? clock.now.advanced(by: options.groupCommitLinger) : nil
        let maxBatch = options.maxBatch
        while true {
            pthread_rwlock_rdlock(mapLock)
            var parentPointer: OpaquePointer?
            var rc = mdb_txn_begin(env, nil, 0, &parentPointer)
            if rc == MDB_MAP_RESIZED {
                pthread_rwlock_unlock(mapLock)
                adoptResizedMap()
                continue
            }
            guard rc == 0, let parent = parentPointer else {
                pthread_rwlock_unlock(mapLock)
                failAll(jobs, .lmdb(rc, "begin write transaction"))
                return false
            }
            // Another process may have appended since our last batch: always re-read the head.
            do throws(EventLogError) {
                try context.loadHead(LogReader(txn: parent, dbs: dbs))
            } catch {
                mdb_txn_abort(parent)
                pthread_rwlock_unlock(mapLock)
                failAll(jobs, error)
                return false
            }
            let startPosition = context.headPosition
            answers.removeAll(keepingCapacity: true)
            var retry: RetryReason?
            var fatal: EventLogError?
            var index = 0
            while true {
                if index == jobs.count {
                    guard let deadline = intakeDeadline, jobs.count < min(intake, maxBatch),
                        let more = takeQueued(upTo: min(intake, maxBatch) - jobs.count)
                    else { break }
                    if more.isEmpty {
                        guard clock.now < deadline else { break }
                        continue
                    }
                    jobs += more
                }
                let job = jobs[index]
                index += 1
                if !job.isolated, !isolateAll {
                    let saved = context.saveHead()
                    context.beginChild()
                    let outcome = job.run(WriteTransaction(txn: parent, context: context))
                    if let needed = context.retry {
                        retry = needed
                        break
                    }
                    if context.failure != nil
                        || (!outcome.succeeded && (context.headPosition != saved.0 || context.wrote))
                    {
                        retry = .isolate
                        break
                    }
                    answers.append(.outcome(outcome))
                    continue
                }
                var childPointer: OpaquePointer?
                rc = mdb_txn_begin(env, parent, 0, &childPointer)
                guard rc == 0, let child = childPointer else {
                    fatal = .lmdb(rc, "begin child transaction")
                    break
                }
                let saved = context.saveHead()
                context.beginChild()
                let outcome = job.run(WriteTransaction(txn: child, context: context))
                if let needed = context.retry {
                    mdb_txn_abort(child)
                    retry = needed
                    break
                }
                if let failure = context.failure {
                    // A failed LMDB write: the child may hold half a change, whatever the body returned.
                    mdb_txn_abort(child)
                    context.restoreHead(saved)
                    answers.append(.failure(job, failure))
                    continue
                }
                if outcome.succeeded {
                    rc = mdb_txn_commit(child)
                    if rc == MDB_MAP_FULL {
                        retry = .grow
                        break
                    }
                    if rc != 0 {
                        fatal = .lmdb(rc, "commit child transaction")
                        break
                    }
                } else {
                    mdb_txn_abort(child)
                    context.restoreHead(saved)
                }
                answers.append(.outcome(outcome))
            }
            intakeDeadline = nil
            if retry == nil, fatal == nil, context.headPosition != startPosition {
                do throws(EventLogError) {
                    if context.headPosition - context.indexedThrough >= context.indexInterval {
                        try context.indexPendingEvents(parent)
                    }
                    try context.writeMetaHead(parent)
                } catch {
                    switch error.lmdbCode {
                    case MDB_MAP_FULL: retry = .grow
                    case MDB_TXN_FULL: retry = .split
                    default: fatal = error
                    }
                }
            }
            if let fatal {
                mdb_txn_abort(parent)
                pthread_rwlock_unlock(mapLock)
                failAll(jobs, fatal)
                return false
            }
            if let retry {
                mdb_txn_abort(parent)
                pthread_rwlock_unlock(mapLock)
                switch retry {
                case .isolate:
                    isolateAll = true
                    continue
                case .grow:
                    do throws(EventLogError) {
                        try growMap()
                    } catch {
                        failAll(jobs, error)
                        return false
                    }
                    continue
                case .split:
                    if jobs.count > 1 { return true }
                    failAll(jobs, .lmdb(MDB_TXN_FULL, "one write is too large for a transaction"))
                    return false
                }
            }
            rc = mdb_txn_commit(parent)
            pthread_rwlock_unlock(mapLock)
            if rc == MDB_MAP_FULL {
                do throws(EventLogError) {
                    try growMap()
                } catch {
                    failAll(jobs, error)
                    return false
                }
                continue
            }
            if rc == MDB_TXN_FULL, jobs.count > 1 { return true }
            guard rc == 0 else {
                failAll(jobs, .lmdb(rc, "commit"))
                return false
            }
            committedBatches.add(1, ordering: .relaxed)
            if context.headPosition != startPosition { commits.signal() }
            if answers.count <= 4 {
                for answer in answers { answer.deliver() }
            } else {
                let batchAnswers = answers
                answerQueue.async { for answer in batchAnswers { answer.deliver() } }
            }
            return false
        }
    }
}

/// Writer-thread state: the head as of the current (child) transaction and scratch space.
/// Touched only by the writer thread.
final class WriterContext {
    let dbs: StoreDatabases
    var headPosition: UInt64 = 0
    var headDigest = ChainDigest.genesis
    var headTime: Int64 = 0
    /// Position through which the `streams` index is complete, as of this transaction.
    var indexedThrough: UInt64 = 0
    /// Events appended between two bulk updates of the `streams` index.
    let indexInterval: UInt64
    /// Set when a write found the map full (grow and re-run) or the transaction full (split).
    fileprivate var retry: StoreEnvironment.RetryReason?
    /// Set when a write failed for another reason: the child is aborted whatever the body returns.
    var failure: EventLogError?
    /// Set by every write of the current job (put, delete, drop, append): a job that ran without a
    /// child transaction and failed after writing makes the batch re-run with every job isolated.
    var wrote = false

    init(dbs: StoreDatabases, indexInterval: UInt64) {
        self.dbs = dbs
        self.indexInterval = indexInterval
    }

    func loadHead(_ reader: LogReader) throws(EventLogError) {
        let state = try reader.headState()
        headPosition = state.position
        headDigest = state.digest
        headTime = state.time
        indexedThrough = try reader.indexedThrough()
    }

    func saveHead() -> (UInt64, ChainDigest, Int64) { (headPosition, headDigest, headTime) }

    func restoreHead(_ saved: (UInt64, ChainDigest, Int64)) {
        (headPosition, headDigest, headTime) = saved
    }

    func beginChild() {
        retry = nil
        failure = nil
        wrote = false
    }

    /// Records a failed LMDB write and returns the error to throw.
    func writeFailed(_ rc: Int32, _ operation: String) -> EventLogError {
        let error = EventLogError.lmdb(rc, operation)
        switch rc {
        case MDB_MAP_FULL: retry = .grow
        case MDB_TXN_FULL: retry = .split
        default: if failure == nil { failure = error }
        }
        return error
    }

    /// Writes one record at the next position; returns the position. The caller records the stream's tail.
    func appendRecord(
        txn: OpaquePointer, stream: UnsafeRawBufferPointer, version: UInt64, event: NewEvent, commandId: String?
    ) throws(EventLogError) -> UInt64 {
        guard let size = RecordLayout.size(streamBytes: stream.count, event: event, commandId: commandId) else {
            throw .invalid("an event field is too long (strings up to 65,535 bytes, payload up to 4 GiB)")
        }
        let position = headPosition + 1
        wrote = true
        var data = MDB_val(mv_size: size, mv_data: nil)
        let rc = withPositionKey(position) { key in
            mdb_put(txn, dbs.events, &key, &data, LMDBFlags.append | LMDBFlags.reserve)
        }
        guard rc == 0, let base = data.mv_data else { throw writeFailed(rc, "append event \(position)") }
        RecordLayout.encode(
            into: base, position: position, stream: stream, streamVersion: version, event: event, commandId: commandId)
        let canonicalCount = size - RecordLayout.digestSize
        let digest = headDigest.chained(with: UnsafeRawBufferPointer(start: base, count: canonicalCount))
        digest.store(to: base + canonicalCount)
        headPosition = position
        headDigest = digest
        headTime = event.time
        return position
    }

    /// Records a stream's newest version and position (and its first position after `meta/indexed`).
    func recordTail(txn: OpaquePointer, stream: UnsafeRawBufferPointer, tail: StreamTail) throws(EventLogError) {
        wrote = true
        let rc = withTailKey(bytes: stream) { key in
            tail.withEncoded { value in mdb_put(txn, dbs.meta, &key, &value, 0) }
        }
        guard rc == 0 else { throw writeFailed(rc, "record stream tail") }
    }

    /// Adds every event after `indexedThrough` to `streams`, clears the tail entries and moves
    /// `meta/indexed` to the head.
    func indexPendingEvents(_ txn: OpaquePointer) throws(EventLogError) {
        let reader = LogReader(txn: txn, dbs: dbs)
        let dbs = dbs
        var failure: EventLogError?
        do {
            try reader.scan(from: indexedThrough + 1, direction: .forward) { view in
                let position = view.position
                let rc = withStreamKey(bytes: view.streamBytes, version: view.streamVersion) { key in
                    withPositionKey(position) { value in mdb_put(txn, dbs.streams, &key, &value, LMDBFlags.noOverwrite)
                    }
                }
                guard rc == 0 else {
                    failure =
                        rc == MDB_KEYEXIST
                        ? .corrupted("the stream index already holds the version of position \(position)")
                        : .lmdb(rc, "index position \(position)")
                    return false
                }
                return true
            }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        if let failure { throw failure }
        var tailKeys: [[UInt8]] = []
        do {
            try reader.scan(dbs.meta, prefix: StoreDatabases.metaTailPrefix) { key, _ in
                tailKeys.append(Array(key))
                return true
            }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        for tailKey in tailKeys {
            let rc = tailKey.withUnsafeBytes { bytes in
                var key = MDB_val(bytes)
                return mdb_del(txn, dbs.meta, &key, nil)
            }
            guard rc == 0 else { throw .lmdb(rc, "clear stream tail") }
        }
        var indexed = headPosition.bigEndian
        let rc = StoreDatabases.metaIndexedKey.withUnsafeBytes { keyBytes in
            withUnsafeMutableBytes(of: &indexed) { valueBytes in
                var key = MDB_val(keyBytes)
                var value = MDB_val(UnsafeRawBufferPointer(valueBytes))
                return mdb_put(txn, dbs.meta, &key, &value, 0)
            }
        }
        guard rc == 0 else { throw .lmdb(rc, "write meta/indexed") }
        indexedThrough = headPosition
    }

    /// Stores the head (big-endian position ‖ digest ‖ little-endian time) in `meta`.
    func writeMetaHead(_ txn: OpaquePointer) throws(EventLogError) {
        let rc = withUnsafeTemporaryAllocation(byteCount: 48, alignment: 8) { buffer in
            let base = buffer.baseAddress!
            base.storeBytes(of: headPosition.bigEndian, as: UInt64.self)
            headDigest.store(to: base + 8)
            base.storeBytes(of: headTime.littleEndian, toByteOffset: 40, as: Int64.self)
            return StoreDatabases.metaHeadKey.withUnsafeBytes { keyBytes in
                var key = MDB_val(keyBytes)
                var value = MDB_val(UnsafeRawBufferPointer(buffer))
                return mdb_put(txn, dbs.meta, &key, &value, 0)
            }
        }
        guard rc == 0 else { throw .lmdb(rc, "write meta/head") }
    }
}

extension StoreEnvironment {
    /// Why a batch must be re-run.
    enum RetryReason {
        /// The map is full: abort, grow, re-run.
        case grow
        /// Too many dirty pages for one transaction: split the batch.
        case split
        /// A job that ran without a child transaction failed after writing: re-run, all jobs isolated.
        case isolate
    }
}

// MARK: File system

/// `mkdir -p`; the last folder (the store's) is the owner's only (0700).
func makeDirectories(_ path: String) throws(EventLogError) {
    var current = path.hasPrefix("/") ? "" : "."
    let components = path.split(separator: "/")
    for (index, component) in components.enumerated() {
        current += "/" + component
        if mkdir(current, index == components.count - 1 ? 0o700 : 0o755) != 0 {
            let error = errno
            guard error == EEXIST else { throw .io(error, "mkdir \(current)") }
        }
    }
}

/// Makes a store folder 0700 and its files 0600 when this process owns them: a store created by an
/// older version (0755/0644) is tightened at its next open. Best effort: a folder owned by someone
/// else keeps its mode (its owner chose it), and so does a folder that holds anything but the
/// store's files (a store opened in a shared folder such as `/tmp` must not close that folder).
func restrictToOwner(folder: String, files: [String]) {
    var info = stat()
    guard stat(folder, &info) == 0, info.st_uid == geteuid() else { return }
    if info.st_mode & 0o077 != 0, holdsOnly(files, folder: folder) { _ = chmod(folder, 0o700) }
    for file in files {
        let path = folder + "/" + file
        if stat(path, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 { _ = chmod(path, 0o600) }
    }
}

/// Whether `folder` holds nothing but (some of) `files`.
func holdsOnly(_ files: [String], folder: String) -> Bool {
    guard let directory = opendir(folder) else { return false }
    defer { closedir(directory) }
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != ".", name != "..", !files.contains(name) { return false }
    }
    return true
}

/// The absolute path with symbolic links resolved.
func canonicalPath(_ path: String) throws(EventLogError) -> String {
    guard let resolved = realpath(path, nil) else { throw .io(errno, "realpath \(path)") }
    defer { free(resolved) }
    return String(cString: resolved)
}
