// EventLog benchmarks: durable appends (1, 100, 1,000 events per commit), group commit with 1, 8 and 64
// concurrent appenders (steady state: the appenders run from setup to teardown and each run times the next
// 1,000 acknowledged appends; plus a burst of 1,000 from 64 fresh tasks), a full borrowing scan, reading
// one stream, and verify. 400-byte payloads as in Peers/lmdb_peer.c. Throughput is in events per second (each
// scaled iteration is one event).
import Benchmark
import EventLog
import Foundation
import Synchronization

let payload = [UInt8](repeating: 0x78, count: 400)

func event(_ index: Int) -> NewEvent {
    NewEvent(type: "Benchmarked", payload: payload, time: 1_700_000_000_000 + Int64(index))
}

/// A store in a temporary folder of its own, optionally filled with `prefill` events over `streams` streams.
final class Fixture: Sendable {
    let folder: String
    let store: EventStore

    init(prefill: Int = 0, streams: Int = 100) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-bench-\(UUID().uuidString)").path
        store = try EventStore(path: folder)
        var written = 0
        while written < prefill {
            let count = min(1000, prefill - written)
            let start = written
            _ = try await store.write { txn in
                for index in start..<(start + count) {
                    _ = try txn.append([event(index)], to: "stream-\(index % streams)")
                }
            }
            written += count
        }
    }

    func remove() {
        store.close()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// Holds a benchmark's fixture between its setup, runs and teardown.
final class FixtureSlot: Sendable {
    private let slot = Mutex<Fixture?>(nil)
    var fixture: Fixture? { slot.withLock { $0 } }
    func set(_ fixture: Fixture) { slot.withLock { $0 = fixture } }
    func clear() { slot.withLock { $0 }?.remove() }
}

/// Appenders that append one event at a time, each awaiting its own durable answer, from setup to
/// teardown; a benchmark run waits for the next N acknowledged appends (steady state, no ramp-up).
final class AppenderPool: Sendable {
    private struct State {
        var completed = 0
        var waiter: (target: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    private let running = Mutex<[Task<Void, Never>]>([])

    func start(_ appenders: Int, on store: EventStore) {
        let tasks = (0..<appenders).map { appender in
            Task.detached { [self] in
                let stream = "stream-\(appender)"
                var index = 0
                while !stopped.load(ordering: .relaxed) {
                    guard (try? await store.append([event(index)], to: stream)) != nil else { return }
                    index += 1
                    completed()
                }
            }
        }
        running.withLock { $0 = tasks }
    }

    private func completed() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.completed += 1
            guard let waiter = state.waiter, state.completed >= waiter.target else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns once `count` more appends have been acknowledged.
    func waitForAppends(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock { $0.waiter = ($0.completed + count, continuation) }
        }
    }

    func stop() async {
        stopped.store(true, ordering: .relaxed)
        for task in running.withLock({ $0 }) { await task.value }
    }
}

/// Hands out append indexes to concurrent appenders.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

func eventLogBenchmark(
    _ name: String, scalingFactor: BenchmarkScalingFactor, maxDuration: Duration = .seconds(3),
    maxIterations: Int = 100_000, prefill: Int = 0,
    _ body: @escaping @Sendable (Benchmark, EventStore) async throws -> Void
) {
    let slot = FixtureSlot()
    Benchmark(
        name,
        configuration: .init(
            metrics: [.wallClock, .throughput], scalingFactor: scalingFactor, maxDuration: maxDuration,
            maxIterations: maxIterations),
        closure: { benchmark in
            guard let fixture = slot.fixture else { return }
            try await body(benchmark, fixture.store)
        },
        setup: { slot.set(try await Fixture(prefill: prefill)) },
        teardown: { slot.clear() })
}

let benchmarks: @Sendable () -> Void = {
    eventLogBenchmark("Append: 1 event per durable commit", scalingFactor: .one) { benchmark, store in
        for index in benchmark.scaledIterations {
            blackHole(try await store.append([event(index)], to: "stream-\(index % 100)"))
        }
    }

    eventLogBenchmark("Append: 100 events per durable commit", scalingFactor: .kilo) { benchmark, store in
        for round in 0..<(benchmark.scaledIterations.count / 100) {
            let events = (0..<100).map { event(round * 100 + $0) }
            blackHole(try await store.append(events, to: "stream-\(round % 100)"))
        }
    }

    eventLogBenchmark("Append: 1,000 events per durable commit", scalingFactor: .kilo) { benchmark, store in
        let events = (0..<benchmark.scaledIterations.count).map(event)
        blackHole(try await store.append(events, to: "stream-1"))
    }

    for appenders in [1, 8, 64] {
        let slot = FixtureSlot()
        let pool = AppenderPool()
        Benchmark(
            "Group commit: \(appenders) concurrent appenders, steady",
            configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3)),
            closure: { benchmark in await pool.waitForAppends(benchmark.scaledIterations.count) },
            setup: {
                let fixture = try await Fixture()
                slot.set(fixture)
                pool.start(appenders, on: fixture.store)
            },
            teardown: {
                await pool.stop()
                slot.clear()
            })
    }

    for appenders in [64] {
        eventLogBenchmark("Group commit: \(appenders) concurrent appenders, burst of 1,000", scalingFactor: .kilo) {
            benchmark, store in
            let total = benchmark.scaledIterations.count
            let taken = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for appender in 0..<appenders {
                    group.addTask {
                        // Each appender awaits its own durable answer before taking the next append.
                        let stream = "stream-\(appender)"
                        while case let index = taken.next(), index < total {
                            blackHole(try await store.append([event(index)], to: stream))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    eventLogBenchmark(
        "Scan: whole log, borrowing", scalingFactor: .mega, maxDuration: .seconds(5), maxIterations: 20,
        prefill: 1_000_000
    ) { _, store in
        var bytes = 0
        try store.read { txn in
            try txn.scan { view in
                bytes &+= view.payload.count
                return true
            }
        }
        blackHole(bytes)
    }

    eventLogBenchmark(
        "Read: one stream of 1,000 events, copied", scalingFactor: .kilo, maxDuration: .seconds(3),
        prefill: 100_000
    ) { _, store in
        blackHole(try store.readStream("stream-42"))
    }

    eventLogBenchmark(
        "Verify: every digest recomputed", scalingFactor: .mega, maxDuration: .seconds(5), maxIterations: 10,
        prefill: 1_000_000
    ) { _, store in
        let report = try store.verify()
        precondition(report.isValid)
        blackHole(report)
    }
}
