internal import CLMDB
internal import Dispatch
internal import Synchronization

/// An embedded, append-only, hash-chained event store on LMDB.
///
/// - Positions are global, gapless from 1, and equal commit order; each stream has versions from 1.
/// - Every record carries SHA-256(previous digest ‖ its canonical bytes), so ``verify(progress:eachRecord:)`` can
///   prove the log unchanged.
/// - One writer thread runs every write transaction. Concurrent ``append(_:)`` and ``write(isolation:_:)`` calls
///   are queued and committed together (group commit: one sync for the batch); each caller is answered
///   only after its batch is durable. Each caller's work runs in its own child transaction (or, for
///   bodies that check before they write, straight in the batch's transaction with a re-run in child
///   transactions if one throws after writing: ``WriteIsolation``), so one rejected write leaves no
///   trace while its neighbours commit.
/// - Reads are short synchronous closures over `MDB_NOTLS` read transactions.
/// - Several processes may share a store: LMDB serialises their writers, and heads and versions are
///   read inside the write transaction.
///
/// One store per folder per process: opening a folder that is already open here throws
/// ``EventLogError/Code/alreadyOpen``. The store closes when ``close()`` is called or the last reference
/// goes away.
public final class EventStore: Sendable {
    let core: StoreEnvironment

    /// The store folder (absolute, symbolic links resolved).
    public var path: String { core.path }
    /// The options the store was opened with.
    public var options: EventStoreOptions { core.options }

    /// Opens the store in `path`, creating the folder and the databases when missing.
    ///
    /// Clears reader slots left by dead processes (`mdb_reader_check`) and starts the writer thread.
    public init(path: String, options: EventStoreOptions = .init()) throws(EventLogError) {
        core = try StoreEnvironment.open(path: path, options: options)
    }

    deinit { core.close() }

    /// Finishes the queued writes, stops the writer thread and closes the environment. Later calls throw
    /// ``EventLogError/Code/closed``; subscriptions end. Safe to call more than once.
    public func close() { core.close() }

    // MARK: Writing

    /// Appends a request's events atomically; returns where they landed.
    ///
    /// Answered after the commit is durable (per ``EventStoreOptions/durability``). Throws
    /// ``EventLogError/Code/wrongExpectedVersion`` naming the stream and its actual version when any
    /// stream's expectation fails; then nothing of the request is written. A request whose command id was
    /// already committed writes nothing and returns the first result with `deduplicated` set.
    public func append(_ request: AppendRequest) async throws(EventLogError) -> AppendResult {
        let result = await submit(isolated: false) { txn throws(EventLogError) in try txn.append(request) }
        return try Self.eventLogResult(result)
    }

    /// Appends events to one stream; see ``append(_:)``.
    public func append(
        _ events: [NewEvent], to stream: String, expectedVersion: ExpectedVersion = .any, commandId: String? = nil
    ) async throws(EventLogError) -> AppendResult {
        try await append(
            AppendRequest(commandId: commandId, stream: stream, expectedVersion: expectedVersion, events: events))
    }

    /// Runs `body` on the writer thread inside a child transaction of the current group-commit batch and
    /// returns its result once the whole batch committed durably.
    ///
    /// If `body` throws, only its child transaction is rolled back and the error is rethrown here; the
    /// other writes of the batch commit. `body` is synchronous and must be quick: every other writer waits
    /// for it. It may run more than once (when the map had to grow, the batch is re-run), so keep it free
    /// of side effects outside the transaction. Do not call the store's blocking APIs that write from it.
    ///
    /// With `isolation` ``WriteIsolation/rerunIfFailedAfterWriting`` the body runs without a child
    /// transaction of its own; see ``WriteIsolation``.
    public func write<R: Sendable>(
        isolation: WriteIsolation = .childTransaction,
        _ body: @escaping @Sendable (borrowing WriteTransaction) throws -> R
    ) async throws -> R {
        try await submit(isolated: isolation == .childTransaction, body).get()
    }

    /// ``write(isolation:_:)`` for synchronous code (a command-line tool): blocks the calling thread until the batch
    /// committed. Do not call it from Swift concurrency's cooperative threads, nor from inside a write.
    public func writeSync<R: Sendable>(_ body: @escaping @Sendable (borrowing WriteTransaction) throws -> R) throws -> R
    {
        try writeSync(isolated: true, body)
    }

    private func writeSync<R: Sendable>(
        isolated: Bool, _ body: @escaping @Sendable (borrowing WriteTransaction) throws -> R
    ) throws -> R {
        guard !core.isWriterThread else {
            throw EventLogError(code: .reentrantWrite, message: "writeSync called from inside a write")
        }
        let box = Mutex<Result<R, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        try core.enqueue(
            WriteJob(
                isolated: isolated,
                run: { txn in
                    do {
                        let value = try body(txn)
                        return JobOutcome(succeeded: true) {
                            box.withLock { $0 = .success(value) }
                            done.signal()
                        }
                    } catch {
                        return JobOutcome(succeeded: false) {
                            box.withLock { $0 = .failure(error) }
                            done.signal()
                        }
                    }
                },
                fail: { error in
                    box.withLock { $0 = .failure(error) }
                    done.signal()
                }))
        done.wait()
        return try box.withLock { $0 }!.get()
    }

    /// ``append(_:)`` for synchronous code; see ``writeSync(_:)``.
    public func appendSync(_ request: AppendRequest) throws(EventLogError) -> AppendResult {
        do {
            return try writeSync(isolated: false) { (txn: borrowing WriteTransaction) throws(EventLogError) in
                try txn.append(request)
            }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
    }

    private func submit<R: Sendable>(
        isolated: Bool, _ body: @escaping @Sendable (borrowing WriteTransaction) throws -> R
    ) async -> Result<R, any Error> {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<R, any Error>, Never>) in
            let job = WriteJob(
                isolated: isolated,
                run: { txn in
                    do {
                        let value = try body(txn)
                        return JobOutcome(succeeded: true) { continuation.resume(returning: .success(value)) }
                    } catch {
                        return JobOutcome(succeeded: false) { continuation.resume(returning: .failure(error)) }
                    }
                },
                fail: { error in continuation.resume(returning: .failure(error)) })
            do {
                try core.enqueue(job)
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }

    private static func eventLogResult<R>(_ result: Result<R, any Error>) throws(EventLogError) -> R {
        switch result {
        case .success(let value): return value
        case .failure(let error as EventLogError): throw error
        case .failure(let error): throw EventLogError(code: .lmdb, message: "\(error)")
        }
    }

    // MARK: Reading

    /// Runs `body` in a read-only snapshot. Keep it short (a long reader keeps old pages from reuse and
    /// delays map growth); copy out what you need before it returns.
    public func read<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
        let dbs = core.dbs
        return try core.withReadTransaction { txn in try body(ReadTransaction(reader: LogReader(txn: txn, dbs: dbs))) }
    }

    /// The newest event's position (0 when empty), digest and time.
    public func head() throws(EventLogError) -> Head {
        try readTyped { txn throws(EventLogError) in try txn.head }
    }

    /// The stream's current version; nil when it has no events.
    public func streamVersion(_ stream: String) throws(EventLogError) -> UInt64? {
        try readTyped { txn throws(EventLogError) in try txn.streamVersion(stream) }
    }

    /// Up to `limit` events of `stream` from `version` (inclusive).
    public func readStream(
        _ stream: String, from version: UInt64 = 1, limit: Int = .max
    ) throws(EventLogError)
        -> [RecordedEvent]
    {
        try readTyped { txn throws(EventLogError) in try txn.stream(stream, from: version, limit: limit) }
    }

    /// Up to `limit` events of the whole log from `position` (inclusive), forwards or backwards.
    /// `readAll(direction: .backward, limit: 10)` gives the ten newest.
    public func readAll(
        from position: UInt64? = nil, direction: ScanDirection = .forward, limit: Int = .max
    )
        throws(EventLogError) -> [RecordedEvent]
    {
        try readTyped { txn throws(EventLogError) in try txn.events(from: position, direction: direction, limit: limit)
        }
    }

    /// Up to `limit` events whose time is in `range` (milliseconds since the Unix epoch), in position order.
    public func readEvents(inTimeRange range: Range<Int64>, limit: Int = .max) throws(EventLogError) -> [RecordedEvent]
    {
        try readTyped { txn throws(EventLogError) in try txn.events(inTimeRange: range, limit: limit) }
    }

    private func readTyped<R>(_ body: (borrowing ReadTransaction) throws(EventLogError) -> R) throws(EventLogError) -> R
    {
        do {
            return try read(body)
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
    }

    /// The handle of a named database declared in ``EventStoreOptions/extraDatabases``.
    public func database(_ name: String) throws(EventLogError) -> Database {
        guard let dbi = core.dbs.extra[name] else {
            throw EventLogError(code: .unknownDatabase, message: "no database '\(name)' was declared at open")
        }
        return Database(name: name, dbi: dbi)
    }

    // MARK: Subscribing, verifying, backing up

    /// Every event from `position` (inclusive; 0 or 1 for all), then each new one as it commits.
    public func subscribe(from position: UInt64) -> EventSubscription {
        EventSubscription(store: self, start: position)
    }

    /// Walks the log in one consistent snapshot and checks every position (gapless from 1), record, stream
    /// version, the head in `meta`, the `streams` index and its tail entries; then recomputes every
    /// SHA-256 digest link, on two threads (each record stores its digest, so links can be checked in any
    /// order). Reports the first bad position found.
    ///
    /// - Parameter progress: called on the calling thread with the number of records whose digest has
    ///   been checked so far (every 32,768 records or so) and once at the end.
    /// - Parameter eachRecord: called with every record whose digest link holds, on the verifying
    ///   thread that checked it (records in any order, two threads at once): a layer above checks
    ///   payloads in the same pass, in parallel. Not called for records after a bad link.
    public func verify(
        progress: ((UInt64) -> Void)? = nil, eachRecord: RecordCheck? = nil
    ) throws(EventLogError) -> VerifyReport {
        try core.verify(progress: progress, eachRecord: eachRecord)
    }

    /// Writes a consistent, compacted copy of the store into the folder `path` (created when missing; it
    /// must not already hold a store) while writers go on (`mdb_env_copyfd2` with `MDB_CP_COMPACT`), written
    /// as `data.mdb.partial` and linked as `data.mdb` once whole and synced.
    /// Open the copy with ``init(path:options:)``.
    public func backup(to path: String) throws(EventLogError) {
        try core.backup(to: path)
    }
}
