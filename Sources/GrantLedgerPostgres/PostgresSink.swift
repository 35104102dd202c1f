internal import Dispatch
internal import EventLog
internal import Foundation
public import GrantLedger
internal import GrantWorkflow
internal import PostgresNIO
internal import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// What a sink run did.
public struct SinkReport: Sendable, Hashable {
    /// The checkpoint the run started from.
    public var startPosition: UInt64
    /// The checkpoint it ended at (the newest event copied).
    public var position: UInt64
    /// The digest at ``position``.
    public var digest: [UInt8]
    /// Events copied by this run.
    public var events: UInt64
    /// Transactions committed (one per batch).
    public var batches: Int
    /// Seconds spent copying (after the catch-up replay of the read models).
    public var seconds: Double
    /// In follow mode: for each event copied after the first catch-up, milliseconds from its commit to
    /// the commit of its batch in PostgreSQL.
    public var lagMilliseconds: [Double]

    /// Events copied per second.
    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
}

/// Copies a ledger's log, in position order, into a PostgreSQL replica (schema `grantledger`):
/// table `events` and the relational read tables, one PostgreSQL transaction per batch that also
/// moves the checkpoint (position and digest). A sink killed at any moment resumes from the
/// checkpoint with no gap and no duplicate.
///
/// On start it applies the schema migrations and checks that the digest stored at the checkpoint is
/// the log's at that position; otherwise it throws ``ReplicaError/Code/diverged``.
public struct PostgresSink: Sendable {
    /// The ledger whose log is copied.
    public let ledger: Ledger
    /// The replica.
    public let url: ReplicaURL
    /// Events per transaction.
    public let batchSize: Int
    /// For crash tests: a pause after a batch's rows are sent and before its commit, so that a kill
    /// lands in the middle of a batch. Nil (the default) in production.
    public var pauseBeforeCommit: Duration?
    /// For race tests: run after a batch's rows are rendered and before the subject keys are read
    /// for its end, so that a commit (an erasure, say) lands between the two. Nil in production.
    public var beforeBatchEnd: (@Sendable () async throws -> Void)?

    /// Events rendered and sent per `COPY` inside a batch's transaction: a quarter of the batch, at
    /// most 10,000.
    var chunkSize: Int { max(1, min(10_000, batchSize / 4)) }

    /// The rendered `events` rows that may wait for their `COPY` while the next chunk is rendered (about
    /// five chunks of the demo's events): enough to go on rendering while PostgreSQL copies a first
    /// batch's read tables, which takes several chunks' time.
    static let queuedRowBytes = 96 << 20

    /// Creates a sink; nothing happens until ``run(follow:until:progress:)``.
    public init(ledger: Ledger, url: ReplicaURL, batchSize: Int = 100_000) {
        self.ledger = ledger
        self.url = url
        self.batchSize = max(1, batchSize)
    }

    /// Copies everything past the checkpoint; with `follow`, then stays live and copies each new
    /// commit (this process's or another's) until the task is cancelled or `until` (a position) is
    /// reached. `progress` is told the checkpoint after each batch.
    public func run(
        follow: Bool = false, until stopPosition: UInt64? = nil,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> SinkReport {
        let replica = try await ReplicaConnection.open(url)
        do {
            let report = try await run(replica, follow: follow, until: stopPosition, progress: progress)
            await replica.close()
            return report
        } catch {
            await replica.close()
            throw error
        }
    }

    private func run(
        _ replica: ReplicaConnection, follow: Bool, until stopPosition: UInt64?,
        progress: (@Sendable (UInt64) -> Void)?
    ) async throws -> SinkReport {
        try await replica.migrate()
        var (position, digest) = try await replica.checkpoint()
        try checkNotDiverged(position: position, digest: digest)
        // The rows must reach the checkpoint: a replica whose newest rows were deleted would otherwise
        // go on from the checkpoint with a gap in it, and report success.
        let newest = try ReplicaConnection.decode(
            try await replica.rows("SELECT coalesce(max(position), 0) FROM grantledger.events", "newest row").first,
            Int64.self, "newest row")
        guard UInt64(newest) == position else {
            throw ReplicaError(
                .corrupted,
                "the replica's newest row is at position \(newest), but its checkpoint says \(position): rows are "
                    + "missing or were added by hand; `replay verify --postgres` tells more",
                position: min(UInt64(max(newest, 0)) + 1, position))
        }
        // An initial sync builds the secondary indexes once, when it has caught up; a sink stopped
        // before that leaves them to the next one's catch-up.
        if position == 0 { try await replica.dropDeferredIndexes() }
        var indexesChecked = false
        func createIndexes() async throws {
            guard !indexesChecked else { return }
            indexesChecked = true
            try await replica.createDeferredIndexes()
        }
        // The workflow state at `prepared`; nil after a batch that did not evolve it (its read tables came
        // from the models), replayed from the log only if another batch follows.
        var state: WorkflowState? = try replayState(through: position)
        var subjects = SubjectSnapshot(sorted: try await replica.subjectRecords())
        var report = SinkReport(
            startPosition: position, position: position, digest: digest, events: 0, batches: 0, seconds: 0,
            lagMilliseconds: [])
        let started = Self.now()
        // An initial sync whose first batch reaches the log's head renders its read tables from the
        // store's own read models at that head (R-LOG-5: they equal the replay's state there), in the
        // background while the first events are rendered, and copies them after the first chunk of
        // events instead of after the last. The batch ends at exactly that head. When the models turn
        // out to be at another position (a commit came first, or they lag the log) or cannot be read,
        // the batch renders its tables at its end as any other.
        var tablesAhead: (position: UInt64, rows: Task<[TableRows]?, any Error>)?
        if position == 0 {
            let head = try ledger.head().position
            if head > 0, head <= UInt64(batchSize), stopPosition.map({ head <= $0 }) ?? true {
                let ledger = ledger
                // On one thread of its own (one lane), beside the events' rendering.
                tablesAhead = (
                    head,
                    Task {
                        try await Self.onThread {
                            // Models that cannot be read leave the tables to the replayed state, as when
                            // they are at another position: the replica never depends on them.
                            guard let models = try? ledger.readModelSnapshot(), models.position == head else {
                                return nil
                            }
                            return ReadTables.rows(for: models.allEntities, in: models, lanes: 1)
                        }
                    }
                )
            }
        }
        var caughtUp = false
        // A batch is one transaction, sent in chunks: while PostgreSQL copies chunk K, the sink reads,
        // decodes and renders chunk K+1, and the batch's read tables are built while its last chunk is
        // copied. The statements run in order on the one connection (each step awaits the one before);
        // a failed step rolls the transaction back and every step after it fails without running.
        var prepared = (position: position, digest: digest)
        var chain: Task<Void, any Error>?
        var inFlight: (task: Task<Double, any Error>, batch: BatchSummary)?
        let replicaConnection = replica
        let sink = self
        func enqueue(_ step: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
            let before = chain
            let task = Task {
                if let before { try await before.value }
                do {
                    try await step()
                } catch {
                    await replicaConnection.rollback()
                    throw error
                }
            }
            chain = task
            return task
        }
        func settle() async throws {
            guard let pending = inFlight else { return }
            inFlight = nil
            let batch = pending.batch
            let committed = try await pending.task.value
            position = batch.last.position
            digest = batch.last.digest
            report.events += UInt64(batch.count)
            report.batches += 1
            if batch.live {
                for time in batch.times { report.lagMilliseconds.append(max(0, committed * 1000 - Double(time))) }
            }
            progress?(position)
        }
        do {
            while !Task.isCancelled {
                if let stopPosition, prepared.position >= stopPosition { break }
                let ahead = tablesAhead
                tablesAhead = nil
                var tablesSent = false
                let end = ahead?.position ?? stopPosition
                let limit = end.map { Int(min(UInt64(batchSize), $0 - prepared.position)) } ?? batchSize
                var items = try readBatch(after: prepared.position, limit: min(limit, chunkSize))
                if items.isEmpty {
                    try await settle()
                    try await createIndexes()
                    caughtUp = true
                    if !follow { break }
                    try await waitForCommit(after: prepared.position)
                    continue
                }
                // A batch whose read tables come from the models does not evolve the state: nothing of
                // it is needed unless the models fail or another batch follows.
                var batch = BatchBuilder(
                    copied: prepared.position,
                    state: ahead == nil ? try state ?? replayState(through: prepared.position) : WorkflowState(),
                    live: caughtUp, evolves: ahead == nil)
                state = nil
                var chunks: [Task<Void, any Error>] = []
                // The chunks' `COPY` steps not yet awaited, with their rows' size.
                var copies: [(task: Task<Void, any Error>, bytes: Int)] = []
                // Opens the batch's transaction. The previous batch commits before this one begins (its
                // checkpoint is the one this transaction checks and moves), so while one is in flight
                // the first chunk is rendered first. In a catch-up the subject keys committed so far go
                // first, copied while the chunks are rendered; the batch's end sends what changed after
                // this (usually nothing). A live batch diffs the keys once, at its end, as the store
                // moves at every batch then.
                let live = caughtUp
                func open() async throws {
                    try await settle()
                    let expected = prepared
                    let keysTableEmpty = subjects.count == 0
                    let diff = live ? (next: subjects, changed: [], removed: []) : try subjects.diff(with: ledger)
                    subjects = diff.next
                    let (changed, removed) = (diff.changed, diff.removed)
                    // Rows rendered before this diff (a first chunk, when the previous batch was still in
                    // flight) may hold an erased subject's fields in plain.
                    let renderedThrough = batch.count == 0 ? batch.copied : batch.last.position
                    batch.marksCopied.append(
                        contentsOf: changed.compactMap { entry in
                            Ledger.erasureMark(key: entry.key, value: entry.value).map {
                                (subject: $0.subject, position: $0.position, renderedBefore: renderedThrough)
                            }
                        })
                    chunks.append(
                        enqueue {
                            try await sink.begin(on: replicaConnection, expecting: expected)
                            // The first batch of an initial sync loads empty tables: their primary keys are
                            // built once their rows are in (the events' after the last chunk).
                            let load = expected.position == 0 && keysTableEmpty && removed.isEmpty
                            if expected.position == 0 {
                                try await replicaConnection.initialSyncPrimaryKey(of: "grantledger.events", add: false)
                            }
                            if load {
                                try await replicaConnection.initialSyncPrimaryKey(
                                    of: "grantledger_keys.subject_records", add: false)
                            }
                            try await replicaConnection.writeSubjectRecords(
                                changed: changed, removed: removed, intoEmpty: keysTableEmpty)
                            if load {
                                try await replicaConnection.initialSyncPrimaryKey(
                                    of: "grantledger_keys.subject_records", add: true)
                            }
                        })
                }
                if inFlight == nil { try await open() }
                while true {
                    // Rendered on a thread of its own: see onThread(_:).
                    let handoff = Handoff(BatchBuilder(copied: 0, state: WorkflowState(), live: false))
                    swap(&handoff.value, &batch)
                    let chunk = items
                    let rows = try await Self.onThread { try handoff.value.add(chunk, ledger: ledger) }
                    swap(&handoff.value, &batch)
                    if chunks.isEmpty { try await open() }
                    let copy = enqueue {
                        try await replicaConnection.copyBinary("events", columns: Self.eventColumns, parts: rows)
                    }
                    chunks.append(copy)
                    copies.append((copy, rows.reduce(0) { $0 + $1.bytes.count }))
                    if let ahead, !tablesSent, let tables = try await ahead.rows.value {
                        // The read tables go after the first chunk; their deferred indexes are built with
                        // their rows, while the next chunks are rendered.
                        tablesSent = true
                        chunks.append(
                            enqueue {
                                try await Self.write(tables, deleting: false, on: replicaConnection)
                                try await replicaConnection.createDeferredIndexes(on: "projects")
                            })
                    }
                    // The rows queued or being copied stay under a budget while the next chunk is rendered
                    // (at least the last chunk's may wait).
                    var queued = copies.reduce(0) { $0 + $1.bytes }
                    while copies.count > 1, queued > Self.queuedRowBytes {
                        try await copies[0].task.value
                        queued -= copies.removeFirst().bytes
                    }
                    let remaining = limit - batch.count
                    if remaining <= 0 {
                        if tablesSent {
                            // The batch reached the models' head: the events' indexes are built in it.
                            chunks.append(enqueue { try await replicaConnection.createDeferredIndexes(on: "events") })
                        }
                        break
                    }
                    items = try readBatch(after: batch.last.position, limit: min(remaining, chunkSize))
                    if items.isEmpty {
                        if !live, !indexesChecked {
                            // The catch-up has reached the log's head: the events' deferred indexes are
                            // built now, in this batch's transaction, while the sink renders the read
                            // tables (PostgreSQL would otherwise wait idle, then build them after the
                            // commit). Rolled back with the batch if it fails; the read tables' indexes
                            // come after the commit, with their rows.
                            chunks.append(enqueue { try await replicaConnection.createDeferredIndexes(on: "events") })
                        }
                        break
                    }
                }
                if batch.copied == 0 {
                    chunks.append(
                        enqueue {
                            try await replicaConnection.initialSyncPrimaryKey(of: "grantledger.events", add: true)
                        })
                }
                if let beforeBatchEnd { try await beforeBatchEnd() }
                let finished = try batch.finish(ledger: ledger, subjects: &subjects, tablesSent: tablesSent)
                state = finished.state
                let before = chain
                let commit = Task {
                    if let before { try await before.value }
                    do {
                        return try await sink.finish(finished.part, on: replicaConnection)
                    } catch {
                        await replicaConnection.rollback()
                        throw error
                    }
                }
                chain = Task { _ = try await commit.value }
                inFlight = (commit, finished.summary)
                prepared = (finished.summary.last.position, finished.summary.last.digest)
            }
            try await settle()
            if !Task.isCancelled { try await createIndexes() }
        } catch {
            _ = try? await chain?.value
            throw error
        }
        report.position = position
        // An empty replica's checkpoint holds no digest: report the log's genesis digest then.
        report.digest = digest.isEmpty ? CanonicalRecord.genesisDigest : digest
        report.seconds = Self.now() - started
        return report
    }

    /// Runs `body` on a thread of its own and waits for it without holding one of the concurrency pool's
    /// threads (one per core): long synchronous work there (rendering a chunk on every core) left the
    /// statements queued behind it waiting for a thread, with PostgreSQL idle.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// A value lent to another thread for the length of one ``onThread(_:)`` call.
    final class Handoff<Value>: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Seconds since the Unix epoch, from the wall clock (event times are wall-clock milliseconds).
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Throws ``ReplicaError/Code/diverged`` unless the log holds `digest` at `position`.
    private func checkNotDiverged(position: UInt64, digest: [UInt8]) throws {
        guard position > 0 else { return }
        let head = try ledger.head()
        guard position <= head.position else {
            throw ReplicaError(
                .diverged,
                "the replica's checkpoint is at position \(position), past the log's head \(head.position)",
                position: position)
        }
        let stored = try ledger.store.read { txn in try txn.record(at: position)?.digest }
        guard stored == digest else {
            throw ReplicaError(
                .diverged,
                "the replica's digest at its checkpoint (position \(position)) is not the log's: it is a copy of another log",
                position: position)
        }
    }

    /// The workflow state after the events `1...position`, replayed from the log with the store's
    /// current subject keys (an erased subject's fields read as erased, as in a rebuild).
    private func replayState(through position: UInt64) throws -> WorkflowState {
        try Self.replayState(of: ledger, through: position)
    }

    fileprivate static func replayState(of ledger: Ledger, through position: UInt64) throws -> WorkflowState {
        var state = WorkflowState()
        var next: UInt64 = 1
        let decoder = ledger.replicaDecoder()
        while next <= position {
            let events = try ledger.store.read { txn in
                try txn.events(from: next, limit: Int(min(16_384, position - next + 1)))
            }
            if events.isEmpty { break }
            for event in events {
                Workflow.evolve(try decoder.domainEvent(of: event), inMemory: &state)
            }
            next = events.last!.position + 1
        }
        return state
    }

    /// One event of a batch: the copied-out event and its canonical bytes.
    struct Item {
        let event: RecordedEvent
        let canonical: [UInt8]
    }

    private func readBatch(after position: UInt64, limit: Int) throws -> [Item] {
        var items: [Item] = []
        items.reserveCapacity(min(limit, 65_536))
        try ledger.store.read { txn in
            try txn.scan(from: position + 1) { view in
                items.append(Item(event: view.recordedEvent(), canonical: Array(view.canonicalBytes)))
                return items.count < limit
            }
        }
        return items
    }

    /// Waits for a commit past `position`, through the log's cross-process subscription.
    private func waitForCommit(after position: UInt64) async throws {
        var iterator = ledger.store.subscribe(from: position + 1).makeAsyncIterator()
        _ = try await iterator.next()
    }

    /// What the run keeps of a batch until its commit: its size, its last event and its events' times.
    struct BatchSummary: Sendable {
        var count: Int
        var last: (position: UInt64, digest: [UInt8])
        var times: [Int64]
        var live: Bool
    }

    /// The end of a batch's transaction: the read tables' rows, the subject keys that changed, the
    /// payloads an erasure re-rendered, and the checkpoint it moves to.
    struct FinalPart: Sendable {
        /// The position of the batch's first event.
        var first: UInt64
        var last: (position: UInt64, digest: [UInt8])
        var tables: [TableRows]
        var rerendered: (positions: [Int64], payloads: [String])
        var changed: [(key: [UInt8], value: [UInt8])]
        var removed: [[UInt8]]
        /// Whether the replica's subject keys table is empty before this batch (the snapshot the diff
        /// was taken against is).
        var keysTableEmpty: Bool
        var erases: Bool
    }

    /// A batch being read and rendered chunk by chunk: the workflow state advanced past each chunk, the
    /// entities touched, the erasures met.
    struct BatchBuilder {
        /// The position through which rows were sent before this batch.
        let copied: UInt64
        var state: WorkflowState
        let live: Bool
        /// Whether ``state`` is evolved past each chunk (else it stays empty and ``finish(ledger:subjects:tablesSent:)``
        /// replays the state only if the batch's tables were not sent from the models).
        let evolves: Bool
        var count = 0
        var last: (position: UInt64, digest: [UInt8]) = (0, [])
        var times: [Int64] = []
        var dirty = DirtyEntities()
        /// Each erasure with the position through which rows were rendered before its chunk was read:
        /// those may hold the erased fields in plain and are re-rendered in this transaction.
        var erasures: [(erased: SubjectErased, renderedBefore: UInt64)] = []
        /// The erasure marks copied when the batch's transaction opened (a catch-up copies the keys
        /// then), each with the position through which rows were rendered before: an erasure among
        /// them whose event is past the batch is handled as one committed while the batch was rendered
        /// (see ``finish(ledger:subjects:tablesSent:)``), for those rows.
        var marksCopied: [(subject: String, position: UInt64, renderedBefore: UInt64)] = []

        init(copied: UInt64, state: WorkflowState, live: Bool, evolves: Bool = true) {
            self.copied = copied
            self.state = state
            self.live = live
            self.evolves = evolves
        }

        /// Decodes and renders a chunk (read after the chunks before it) and evolves the state past it;
        /// returns its `events` rows.
        mutating func add(_ items: [Item], ledger: Ledger) throws -> [BinaryCopyRows] {
            // Decoding and rendering are independent per event: done in parts on every core, each with a
            // decoder (one set of subject keys) of its own, made after the chunk was read, so an erasure
            // the chunk holds has destroyed its keys already and nothing of that subject is written plain.
            // Evolving the state stays sequential, in position order.
            let rendered = try PostgresSink.render(items, ledger: ledger)
            let before = count == 0 ? copied : last.position
            var rows: [BinaryCopyRows] = []
            for part in rendered {
                rows.append(part.rows)
                for (index, domain) in part.domains.enumerated() {
                    if case .subjectErased(let erased) = domain { erasures.append((erased, before)) }
                    if evolves { Workflow.evolve(domain, inMemory: &state) }
                    // A batch from the start writes every entity: nothing to mark.
                    if copied > 0 { dirty.mark(stream: items[part.start + index].event.stream) }
                }
            }
            count += items.count
            last = (items.last!.event.position, items.last!.event.digest)
            times.append(contentsOf: items.map(\.event.time))
            return rows
        }

        /// The rest of the batch's transaction, the state after it and what the run keeps until the
        /// commit; advances `subjects` past the batch.
        ///
        /// With `tablesSent`, the batch's read tables were copied at its start (from the read models at
        /// its last event) and are not rendered again. The state is nil when the batch did not evolve it
        /// and nothing here needed it.
        func finish(
            ledger: Ledger, subjects: inout SubjectSnapshot, tablesSent: Bool = false
        ) throws -> (part: FinalPart, state: WorkflowState?, summary: BatchSummary) {
            var working: WorkflowState? = evolves ? state : nil
            var dirty = dirty
            // The subject keys database as of now (at or past the batch's end): what changed since the
            // last batch. An erasure's key goes in the same transaction as its SubjectErased row.
            let keysTableEmpty = subjects.count == 0
            let (nextSubjects, changed, removed) = try subjects.diff(with: ledger)
            subjects = nextSubjects
            // An erasure committed while the batch's rows (or the batches' before it) were rendered,
            // its event past the batch: its mark goes to the replica in this transaction, so the rows
            // that held the subject's fields in plain are re-rendered now too, not when its event is
            // copied. Else the replica would hold plain values after its own keys say erased, and
            // `replay verify --postgres` would read them as changed.
            // Rows rendered after the keys were read need nothing: their decoder had no key already.
            var erasures = erasures
            let marks =
                marksCopied
                + changed.compactMap { entry in
                    Ledger.erasureMark(key: entry.key, value: entry.value).map {
                        (subject: $0.subject, position: $0.position, renderedBefore: last.position)
                    }
                }
            for mark in marks where mark.position > last.position && mark.renderedBefore > 0 {
                guard !erasures.contains(where: { $0.erased.subjects.contains(mark.subject) }),
                    try ledger.positionsHolding(subject: mark.subject).contains(where: { $0 <= mark.renderedBefore })
                else { continue }
                guard let event = try ledger.store.read({ txn in try txn.record(at: mark.position) }),
                    case .subjectErased(let erased) = try ledger.domainEvent(of: event)
                else {
                    throw LedgerError(
                        .corrupted,
                        "the erasure mark of subject \(mark.subject) names position \(mark.position), "
                            + "which holds no SubjectErased event")
                }
                erasures.append((erased, mark.renderedBefore))
            }
            var rerendered: (positions: [Int64], payloads: [String]) = ([], [])
            if !erasures.isEmpty {
                // Rendered with the keys the replica will hold after this batch, whatever was committed
                // since the diff.
                let decoder = ReplicaDecoder(subjectRecords: subjects.entries)
                // R-LOG-6: the rows already rendered that held the erased subjects' fields get their
                // payload re-rendered (now erased), and the read tables are taken from a replay without the
                // keys, as the engine's own rebuild would have them; all in this batch's transaction.
                var positions = Set<UInt64>()
                for (erased, renderedBefore) in erasures {
                    for subject in erased.subjects {
                        positions.formUnion(
                            try ledger.positionsHolding(subject: subject).filter { $0 <= renderedBefore })
                    }
                    for account in erased.accounts { dirty.mark(stream: StreamID.account(account)) }
                }
                for position in positions.sorted() {
                    guard let event = try ledger.store.read({ txn in try txn.record(at: position) }) else { continue }
                    dirty.mark(stream: event.stream)
                    rerendered.positions.append(Int64(position))
                    rerendered.payloads.append(try decoder.decoded(event).data.serialized())
                }
                working = try PostgresSink.replayState(of: ledger, through: last.position)
            }
            var tables: [TableRows] = []
            if !tablesSent {
                // The models failed a batch that did not evolve the state: it is replayed now.
                let state = try working ?? PostgresSink.replayState(of: ledger, through: last.position)
                working = state
                if copied == 0 {
                    // Every entity there is had an event in this batch.
                    dirty = DirtyEntities(every: state.projects, state.accounts, state.units, state.provinces)
                }
                tables = ReadTables.rows(for: dirty, in: state)
            }
            return (
                FinalPart(
                    first: copied + 1, last: last, tables: tables, rerendered: rerendered, changed: changed,
                    removed: removed,
                    keysTableEmpty: keysTableEmpty, erases: !erasures.isEmpty),
                working, BatchSummary(count: count, last: last, times: times, live: live)
            )
        }
    }

    /// A chunk of a batch, decoded and rendered: its first index in the batch, its domain events and
    /// its `events` rows.
    struct RenderedChunk: Sendable {
        let start: Int
        var domains: [DomainEvent] = []
        var rows = BinaryCopyRows()
    }

    /// Decodes and renders `batch` in chunks, one per core, each with its own decoder.
    fileprivate static func render(_ batch: [Item], ledger: Ledger) throws -> [RenderedChunk] {
        let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, batch.count / 256))
        let size = (batch.count + lanes - 1) / lanes
        let results = Mutex<[Result<RenderedChunk, any Error>?]>(Array(repeating: nil, count: lanes))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let start = lane * size
            var chunk = RenderedChunk(start: start)
            let end = min(start + size, batch.count)
            // Record bytes, a JSON payload about as long, and the other columns.
            chunk.rows = BinaryCopyRows(
                reservingCapacity: batch[start..<max(start, end)].reduce(0) { $0 + 2 * $1.canonical.count + 256 })
            let outcome: Result<RenderedChunk, any Error>
            do {
                let decoder = ledger.replicaDecoder()
                for item in batch[start..<max(start, end)] {
                    let event = item.event
                    let domain = try decoder.domainEvent(of: event)
                    chunk.domains.append(domain)
                    chunk.rows.row(fields: Self.eventColumns.count)
                    chunk.rows.int64(event.position)
                    chunk.rows.text(event.stream)
                    chunk.rows.int64(event.streamVersion)
                    chunk.rows.text(event.type)
                    chunk.rows.int32(event.schemaVersion)
                    chunk.rows.timestamp(epochMilliseconds: event.time)
                    chunk.rows.text(event.commandId)
                    chunk.rows.text(event.actor)
                    chunk.rows.text(event.causationId)
                    chunk.rows.text(event.correlationId)
                    // The `data` member of the event's JSON (`replay events --format json`), rendered
                    // straight into the row, members in encoding order (jsonb keeps none).
                    chunk.rows.jsonb { JSONTreeEncoder.writeData(of: domain, to: &$0, sortedKeys: false) }
                    chunk.rows.bytea(item.canonical)
                    chunk.rows.bytea(event.digest)
                }
                outcome = .success(chunk)
            } catch {
                outcome = .failure(error)
            }
            results.withLock { $0[lane] = outcome }
        }
        return try results.withLock { $0 }.map { try $0!.get() }
    }

    /// Opens a batch's transaction: the checkpoint, locked, must still be where this sink left it.
    private func begin(
        on replica: ReplicaConnection, expecting checkpoint: (position: UInt64, digest: [UInt8])
    ) async throws(ReplicaError) {
        try await replica.run("BEGIN", "BEGIN")
        let current = try await replica.checkpoint(lock: true)
        guard current.position == checkpoint.position, current.digest == checkpoint.digest else {
            throw ReplicaError(
                .conflict,
                "another sink moved the checkpoint to \(current.position) (this one was at \(checkpoint.position))")
        }
    }

    /// Ends a batch's transaction, whose events were copied: the subject keys, the re-rendered payloads,
    /// the read tables of the entities the batch touched, the checkpoint, the commit. Returns the
    /// wall-clock time of the commit.
    private func finish(_ batch: FinalPart, on replica: ReplicaConnection) async throws(ReplicaError) -> Double {
        try await replica.writeSubjectRecords(
            changed: batch.changed, removed: batch.removed, intoEmpty: batch.keysTableEmpty)
        if !batch.rerendered.positions.isEmpty {
            var binds = PostgresBindings()
            binds.append(batch.rerendered.positions)
            binds.append(batch.rerendered.payloads)
            try await replica.run(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE grantledger.events e SET payload = r.payload::jsonb
                        FROM unnest($1::bigint[], $2::text[]) AS r(position, payload)
                        WHERE e.position = r.position
                        """, binds: binds),
                "re-render erased payloads")
        }
        // A batch from position 0 finds the read tables empty (they only change with the checkpoint).
        try await Self.write(batch.tables, deleting: batch.first > 1, on: replica)
        if let pause = pauseBeforeCommit { try? await Task.sleep(for: pause) }
        try await replica.run(
            """
            UPDATE grantledger.checkpoint SET position = \(Int64(batch.last.position)),
                digest = \(ByteBuffer(bytes: batch.last.digest)), updated_at = now() WHERE id = 1
            """, "move checkpoint")
        try await replica.run("COMMIT", "COMMIT")
        let committed = Self.now()
        if batch.erases {
            // Old row versions of the destroyed keys and of the rewritten rows go now, not at the next
            // autovacuum.
            try await replica.run(
                """
                VACUUM grantledger_keys.subject_records, grantledger.events, grantledger.accounts, grantledger.projects,
                    grantledger.project_members, grantledger.change_requests, grantledger.decisions,
                    grantledger.closeouts, grantledger.budget_adjustments, grantledger.filings
                """, "vacuum after an erasure")
        }
        return committed
    }

    /// Writes a batch's read-table rows: each touched entity's old rows deleted (unless the tables are
    /// known to be empty), its new rows copied in.
    private static func write(
        _ tables: [TableRows], deleting: Bool, on replica: ReplicaConnection
    ) async throws(ReplicaError) {
        for table in tables where !table.keys.isEmpty {
            if deleting {
                try await replica.run(
                    PostgresQuery(
                        unsafeSQL: "DELETE FROM grantledger.\(table.table) WHERE \(table.keyColumn) = ANY($1)",
                        binds: Self.binds(table.keys)),
                    "delete from \(table.table)")
                try await replica.copy(table.table, columns: table.columns, rows: table.rows)
            } else {
                // Empty tables (a batch from position 0): the big ones get their primary key after their rows.
                try await replica.initialSyncPrimaryKey(of: "grantledger." + table.table, add: false)
                try await replica.copy(table.table, columns: table.columns, rows: table.rows)
                try await replica.initialSyncPrimaryKey(of: "grantledger." + table.table, add: true)
            }
        }
    }

    /// The columns of `events` the sink copies, in the order of its rows.
    static let eventColumns = [
        "position", "stream", "stream_version", "type", "schema_version", "time", "command_id", "actor",
        "causation_id", "correlation_id", "payload", "record", "digest",
    ]

    private static func binds(_ keys: [String]) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(keys)
        return binds
    }
}
