public import EventLog
public import GrantWorkflow

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// How a ``Ledger`` opens its store and runs commands.
public struct LedgerOptions: Sendable {
    /// The workflow's policy settings (approval chains, extension limits, lockout …).
    public var policy: WorkflowPolicy
    /// `durable` (default): every answered command is on disk. `relaxed`: see `Durability` in EventLog.
    public var durability: Durability
    /// The initial LMDB map size in bytes (address space; grows by itself).
    public var mapSize: Int
    /// Most commands committed together by group commit.
    public var maxBatch: Int
    /// How long a group commit may wait to fill after a commit of 8 or more commands (0…1 s; zero
    /// never waits): `EventStoreOptions.groupCommitLinger` in EventLog. Default: 100 µs.
    public var groupCommitLinger: Duration = EventStoreOptions().groupCommitLinger
    /// The ledger's clock: the time of every command (R-LOG-4), unless ``trustCommandTime``.
    public var clock: @Sendable () -> Timestamp
    /// Trusted command time: each command's `at` is its time, and only a time earlier than the newest
    /// event is refused (`clockSkew`). For importing history, demos and scenario tests; only the
    /// operator, who holds the store's files, chooses it. Off by default: the ledger stamps commands
    /// from ``clock`` and refuses an `at` farther from it than the policy's tolerance.
    public var trustCommandTime: Bool
    /// The source of salts, reset tokens and generated ids.
    public var randomBytes: @Sendable (Int) -> [UInt8]
    /// Input limits of the command decoder (docs/cli.md).
    public var inputLimits: InputLimits
    /// Whether personal fields are sealed under their subjects' keys (R-LOG-6). Always, except in the
    /// benchmarks that measure what sealing costs (BENCHMARKS.md): off, events are written in the
    /// layout of stores made before sealing (personal fields plain, no subject keys), which every
    /// ledger still opens, and which `grantledger migrate --encrypt-personal-data` seals.
    @_spi(Benchmarking) public var sealsPersonalData = true

    /// Options with the spec's defaults.
    public init(
        policy: WorkflowPolicy = .standard,
        durability: Durability = .durable,
        mapSize: Int = 64 << 30,
        maxBatch: Int = 1024,
        clock: @escaping @Sendable () -> Timestamp = LedgerOptions.systemClock,
        randomBytes: @escaping @Sendable (Int) -> [UInt8] = LedgerOptions.systemRandomBytes,
        inputLimits: InputLimits = .standard,
        trustCommandTime: Bool = false
    ) {
        self.trustCommandTime = trustCommandTime
        self.policy = policy
        self.durability = durability
        self.mapSize = mapSize
        self.maxBatch = maxBatch
        self.clock = clock
        self.randomBytes = randomBytes
        self.inputLimits = inputLimits
    }

    /// The system's wall clock, to the millisecond.
    public static let systemClock: @Sendable () -> Timestamp = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(epochMilliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Cryptographically secure random bytes from the system.
    public static let systemRandomBytes: @Sendable (Int) -> [UInt8] = { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
