internal import Dispatch
internal import EventLog
internal import GrantWorkflow
internal import Synchronization

/// The figures whose ratio to raw LMDB matters most, measured in rounds that alternate raw and
/// measured blocks in one process (`grantledger bench`, the `paired` part).
///
/// A disk's sync latency drifts by 20 % or more within minutes, so a raw rate measured seconds before
/// the engine's can make the ratio anything from 0.6 to 1. Here the first rounds each run, back to
/// back and in rotating order: raw single durable commits (to the unnamed database, and to a named one
/// as the event log's layout has), the event log appending one event per durable commit, and the
/// engine's one client. The next rounds each run raw commits of 1,000 puts and
/// the event log appending 1,000 events per commit (in alternating order), then 64 concurrent
/// appenders on the event log, compared with the one appender of the same round number. Each ratio is
/// the median over the rounds of the ratio within a round; each rate is the median of the rounds'
/// rates. Raw values and event payloads are 400 bytes, as in `Benchmarks/Peers/lmdb_peer.c`.
struct PairedBench {
    struct Sizes {
        var rounds: Int
        /// Commits per single-commit block (raw, event log and the engine's one client alike).
        var singleBlock: Int
        /// Commits of 1,000 per batched block.
        var batchedCommits: Int
        /// Appends of each of the 64 appenders per round.
        var appendsPerAppender: Int

        init(quick: Bool) {
            rounds = quick ? 7 : 15
            singleBlock = quick ? 50 : 100
            batchedCommits = quick ? 8 : 20
            appendsPerAppender = quick ? 40 : 150
        }
    }

    static let batch = 1_000
    static let appenders = 64
    static let payload = [UInt8](repeating: 0x78, count: 400)

    /// What the rounds measured, one entry per round.
    struct Report {
        var rawSingle: [Rates] = []
        /// Raw single commits to a named database, as the event log's and the peers' layout.
        var rawNamedSingle: [Rates] = []
        var eventLogSingle: [Rates] = []
        var oneClient: [Rates] = []
        var rawBatched: [Rates] = []
        var eventLogBatched: [Rates] = []
        var eventLog64: [Rates] = []

        var rounds: Int { rawSingle.count }

        /// The median of `values` (the mean of the middle two for an even count); 0 for none.
        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }

        static func medianRate(_ rates: [Rates]) -> Double { median(rates.map(\.perSecond)) }

        /// The median over the rounds of `measured / base` within each round, to three decimals.
        static func medianRatio(_ measured: [Rates], _ base: [Rates]) -> Double {
            let ratios = zip(measured, base).compactMap { pair -> Double? in
                pair.1.perSecond > 0 ? pair.0.perSecond / pair.1.perSecond : nil
            }
            return (median(ratios) * 1000).rounded() / 1000
        }

        /// (key, label, rate, base label, base rate, ratio key, ratio) for each figure.
        var rows:
            [(
                key: String, label: String, rate: Double, baseLabel: String, base: Double, ratioKey: String,
                ratio: Double
            )]
        {
            [
                (
                    "eventLogSingleEventsPerSecond", "event log, 1 event per durable commit",
                    Self.medianRate(eventLogSingle), "raw single commits/s", Self.medianRate(rawSingle),
                    "eventLogSingleToRawSingle", Self.medianRatio(eventLogSingle, rawSingle)
                ),
                (
                    "eventLogSingleEventsPerSecond", "event log, 1 event per durable commit",
                    Self.medianRate(eventLogSingle), "raw single commits/s, named database",
                    Self.medianRate(rawNamedSingle), "eventLogSingleToRawNamedSingle",
                    Self.medianRatio(eventLogSingle, rawNamedSingle)
                ),
                (
                    "eventLogBatchedEventsPerSecond", "event log, 1,000 events per durable commit",
                    Self.medianRate(eventLogBatched), "raw puts/s, 1,000 per commit", Self.medianRate(rawBatched),
                    "eventLogBatchedToRawBatched", Self.medianRatio(eventLogBatched, rawBatched)
                ),
                (
                    "eventLog64AppendersEventsPerSecond", "event log, 64 appenders, events/s",
                    Self.medianRate(eventLog64), "event log, 1 appender", Self.medianRate(eventLogSingle),
                    "eventLog64ToOneAppender", Self.medianRatio(eventLog64, eventLogSingle)
                ),
                (
                    "oneClientCommandsPerSecond", "one client, durable commands/s", Self.medianRate(oneClient),
                    "raw single commits/s", Self.medianRate(rawSingle), "oneClientToRawSingle",
                    Self.medianRatio(oneClient, rawSingle)
                ),
                (
                    "oneClientCommandsPerSecond", "one client, durable commands/s", Self.medianRate(oneClient),
                    "raw single commits/s, named database", Self.medianRate(rawNamedSingle),
                    "oneClientToRawNamedSingle", Self.medianRatio(oneClient, rawNamedSingle)
                ),
            ]
        }

        func json() -> JSONValue {
            func number(_ value: Double) -> JSONValue { .int(UInt64(max(0, value.rounded()))) }
            var fields: [(String, JSONValue)] = [
                ("rounds", .int(UInt64(rounds))),
                ("rawSingleCommitsPerSecond", number(Self.medianRate(rawSingle))),
                ("rawNamedSingleCommitsPerSecond", number(Self.medianRate(rawNamedSingle))),
                ("rawBatchedPutsPerSecond", number(Self.medianRate(rawBatched))),
            ]
            // Two rows compare the event log's and the client's rates: `.object` keeps each key's first.
            for row in rows { fields.append((row.key, number(row.rate))) }
            let ratios: [(String, JSONValue)] = rows.map { ($0.ratioKey, .string(String($0.ratio))) }
            fields.append(("ratios", .object(ratios)))
            return .object(fields)
        }

        func table() -> String {
            var table = TextTable(columns: [
                TextTable.Column(header: "measure", alignRight: false),
                TextTable.Column(header: "rate", alignRight: true),
                TextTable.Column(header: "compared with", alignRight: true),
                TextTable.Column(header: "ratio", alignRight: true),
            ])
            for row in rows {
                table.append([
                    row.label, BenchReport.formatted(row.rate),
                    BenchReport.formatted(row.base) + " (" + row.baseLabel + ")",
                    String(format: "%.3f×", row.ratio),
                ])
            }
            return "interleaved with raw LMDB, medians of \(rounds) rounds (each ratio within a round):\n"
                + table.render()
        }
    }

    let sizes: Sizes
    let raw: RawEnvironment
    let rawNamed: RawEnvironment
    let store: EventStore
    private var appended = 0

    /// An environment opened before a later one fails is closed by its `deinit`.
    init(folder: String, sizes: Sizes) throws {
        self.sizes = sizes
        raw = try RawEnvironment(folder: folder, name: "paired", valueSize: Self.payload.count)
        rawNamed = try RawEnvironment(
            folder: folder, name: "paired-named", valueSize: Self.payload.count, database: "events")
        store = try EventStore(path: folder + "/eventlog")
    }

    func close() {
        store.close()
        raw.close()
        rawNamed.close()
    }

    /// Runs the rounds. `oneCommand` is one command of the engine's one client: submitted, and awaited
    /// until durable; `progress` hears each finished round.
    mutating func measure(oneCommand: () throws -> Void, progress: (Int) -> Void) throws -> Report {
        var report = Report()
        // Single commits first, in their own rounds, so that no batch's writes precede them. The order
        // within a round rotates, so that no figure always comes first or always follows another.
        for round in 0..<sizes.rounds {
            for part in 0..<4 {
                switch (part + round) % 4 {
                case 0: report.rawSingle.append(try raw.singleCommits(sizes.singleBlock))
                case 1: report.eventLogSingle.append(try eventLogSingle(sizes.singleBlock))
                case 2: report.rawNamedSingle.append(try rawNamed.singleCommits(sizes.singleBlock))
                default:
                    let started = BenchClock.now()
                    for _ in 0..<sizes.singleBlock { try oneCommand() }
                    report.oneClient.append(Rates(operations: sizes.singleBlock, seconds: BenchClock.now() - started))
                }
            }
            progress(round + 1)
        }
        for round in 0..<sizes.rounds {
            for part in 0..<2 {
                if (part + round) % 2 == 0 {
                    report.rawBatched.append(try raw.batchedPuts(sizes.batchedCommits * Self.batch, batch: Self.batch))
                } else {
                    let started = BenchClock.now()
                    for _ in 0..<sizes.batchedCommits { try appendSync(count: Self.batch) }
                    report.eventLogBatched.append(
                        Rates(operations: sizes.batchedCommits * Self.batch, seconds: BenchClock.now() - started))
                }
            }
            report.eventLog64.append(try eventLogConcurrent())
            progress(sizes.rounds + round + 1)
        }
        return report
    }

    private static func event(_ index: Int) -> NewEvent {
        NewEvent(type: "Benchmarked", payload: payload, time: 1_700_000_000_000 + Int64(index))
    }

    /// One appender awaiting each durable append, `count` times, as EventLogBenchmarks appends.
    private mutating func eventLogSingle(_ count: Int) throws -> Rates {
        let first = appended
        appended += count
        return try Self.runAsync { [store] in
            let started = BenchClock.now()
            for index in first..<(first + count) {
                _ = try await store.append([Self.event(index)], to: "stream-\(index % 100)")
            }
            return Rates(operations: count, seconds: BenchClock.now() - started)
        }
    }

    /// One durable commit of `count` events on one stream.
    private mutating func appendSync(count: Int) throws {
        let first = appended
        appended += count
        let events = (first..<(first + count)).map(Self.event)
        _ = try store.appendSync(AppendRequest(stream: "stream-batched", events: events))
    }

    /// 64 appenders at once, each awaiting its own durable appends; the rate of all their events.
    private mutating func eventLogConcurrent() throws -> Rates {
        let first = appended
        let perAppender = sizes.appendsPerAppender
        appended += Self.appenders * perAppender
        return try Self.runAsync { [store] in
            let started = BenchClock.now()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for appender in 0..<Self.appenders {
                    group.addTask {
                        for step in 0..<perAppender {
                            let index = first + appender * perAppender + step
                            _ = try await store.append([Self.event(index)], to: "appender-\(appender)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            return Rates(operations: Self.appenders * perAppender, seconds: BenchClock.now() - started)
        }
    }

    /// Runs `body` as a task and blocks this (non-cooperative) thread until it finishes.
    private static func runAsync<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) throws -> R {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Result<R, any Error>?>(nil)
        Task {
            do {
                let value = try await body()
                box.withLock { $0 = .success(value) }
            } catch {
                box.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0 }!.get()
    }
}
