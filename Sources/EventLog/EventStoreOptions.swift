/// How much an acknowledged append survives.
public enum Durability: Sendable, Hashable {
    /// Every acknowledged append is on disk: LMDB syncs data and meta pages before a commit returns.
    /// Survives a process kill and an OS crash or power loss. The default.
    case durable
    /// `MDB_NOMETASYNC`: data pages are synced, the meta page that publishes a commit is written but not
    /// synced before the commit returns; the next commit's sync (or the OS) flushes it. A killed process
    /// loses nothing; an OS crash or power loss may lose the last commits (the store stays consistent and
    /// verifies, it only ends earlier). Roughly doubles single-commit throughput.
    case relaxed
}

/// Settings for opening an ``EventStore``.
public struct EventStoreOptions: Sendable {
    /// Initial size of the memory map in bytes: address space, not disk. The map grows by itself (doubling)
    /// when a write finds it full, so a small value only costs re-runs of the batch that found it full.
    /// Default: 64 GiB.
    public var mapSize: Int
    /// Durability of acknowledged appends. Default: ``Durability/durable``.
    public var durability: Durability
    /// Maximum number of concurrent read transactions, across all processes using the store. Default: 126.
    public var maxReaders: UInt32
    /// Names of the extra named databases the layer above needs (read models, outbox, ...), created at open
    /// and reached with ``EventStore/database(_:)``. Must not be `events`, `streams`, `commands` or `meta`.
    public var extraDatabases: [String]
    /// Maximum number of queued writes that share one commit (group commit). Default: 512.
    public var maxBatch: Int
    /// How many events may be appended before they are added to the `streams` index in bulk.
    ///
    /// Until then a stream's newest events are found through a small per-stream entry in `meta` and a short
    /// scan of the newest part of the log. Indexing in bulk keeps each group commit from dirtying one index
    /// page per stream it touches (with many active streams, most of a commit's pages), at the price of
    /// scanning up to this many recent events when a stream read reaches past the index. 1 indexes every
    /// commit. Default: 1,024.
    public var streamIndexInterval: Int
    /// How often an idle subscription looks for events appended by other processes. In-process commits
    /// wake subscriptions at once. Default: 50 ms.
    public var subscriptionPollInterval: Duration
    /// How long a group commit may wait to fill (at most 1 s; zero never waits).
    ///
    /// Writers that each await their own durable answer come back one by one after a commit: if the
    /// next batch is taken as soon as the first is queued, it commits a few of them and the rest wait
    /// for the commit after, so batches alternate between small and large. After a batch of at least
    /// ``lingerMinimumBatch`` writes, when fewer are queued, the writer therefore starts the next batch
    /// with those it has and takes in the others as they arrive, until it holds as many as the batch
    /// before or until this much time has passed; then it commits. It never waits after a smaller
    /// batch (one client's appends commit at once), nor after it had nothing to do and slept, nor once
    /// the store is closing. While a batch waits, its write transaction is open: a writer in another
    /// process waits for it too. Default: 100 µs, which let 64 concurrent appenders commit a third to
    /// a half more events per second on a disk that syncs in a few hundred microseconds
    /// (`BENCHMARKS.md`).
    public var groupCommitLinger: Duration
    /// The smallest batch after which the writer waits for the next one to fill
    /// (``groupCommitLinger``).
    public static let lingerMinimumBatch = 8

    /// Creates options; every parameter has a default.
    public init(
        mapSize: Int = 64 << 30,
        durability: Durability = .durable,
        maxReaders: UInt32 = 126,
        extraDatabases: [String] = [],
        maxBatch: Int = 512,
        streamIndexInterval: Int = 1024,
        subscriptionPollInterval: Duration = .milliseconds(50),
        groupCommitLinger: Duration = .microseconds(100)
    ) {
        self.mapSize = mapSize
        self.durability = durability
        self.maxReaders = maxReaders
        self.extraDatabases = extraDatabases
        self.maxBatch = maxBatch
        self.streamIndexInterval = streamIndexInterval
        self.subscriptionPollInterval = subscriptionPollInterval
        self.groupCommitLinger = groupCommitLinger
    }
}
