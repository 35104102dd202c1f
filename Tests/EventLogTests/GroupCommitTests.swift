import Foundation
import Synchronization
import Testing

@testable import EventLog

@Suite("Group commit and write transactions")
struct GroupCommitTests {
    @Test(arguments: [1024, 7])
    func manyConcurrentAppendersAreAllAnsweredWithGaplessPositions(indexInterval: Int) async throws {
        try await withStore(EventStoreOptions(streamIndexInterval: indexInterval)) { store, _ in
            let callers = 200
            let positions = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for index in 0..<callers {
                    group.addTask {
                        try await store.append([sampleEvent(index)], to: "stream-\(index % 10)").firstPosition
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(positions.sorted() == Array(1...UInt64(callers)))
            #expect(store.core.committedBatches.load(ordering: .relaxed) <= callers)
            let report = try store.verify()
            #expect(report.isValid && report.eventCount == UInt64(callers))
            for index in 0..<10 { #expect(try store.streamVersion("stream-\(index)") == 20) }
        }
    }

    /// A write that holds the writer thread, once it runs, until `queued` more writes are queued (they
    /// then share the next batch); it appends one event to `blocker`. Returns when it holds the writer.
    static func holdWriter(_ store: EventStore, until queued: Int) async throws -> Task<[UInt64], any Error> {
        let started = Atomic<Bool>(false)
        let core = store.core
        let blocker = Task {
            try await store.write { txn in
                started.store(true, ordering: .relaxed)
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                while core.queuedWriteCount < queued, ContinuousClock.now < deadline { usleep(1000) }
                return try txn.append([sampleEvent(0)], to: "blocker")
            }
        }
        while !started.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(1)) }
        return blocker
    }

    /// Counts answered writes.
    final class Tally: Sendable {
        let count = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
    }

    /// Queues, from this thread and without waiting, a write that runs `hold` and then appends one event
    /// to `stream`; `done` counts it once it is durable.
    static func enqueueAppend(
        _ core: StoreEnvironment, _ stream: String, _ done: Tally, hold: @escaping @Sendable () -> Void = {}
    ) throws {
        try core.enqueue(
            WriteJob(
                isolated: true,
                run: { txn in
                    hold()
                    do {
                        _ = try txn.append([sampleEvent(0)], to: stream)
                        return JobOutcome(succeeded: true) { done.count.add(1, ordering: .relaxed) }
                    } catch {
                        return JobOutcome(succeeded: false) { done.failed.add(1, ordering: .relaxed) }
                    }
                },
                fail: { _ in done.failed.add(1, ordering: .relaxed) }))
    }

    /// Polls until `condition` holds (at most 30 s); whether it did.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            usleep(1000)
        }
        return true
    }

    /// Commits a batch of ten and queues three more while it commits, so that the writer, with a
    /// linger, holds the three waiting for the batch to fill. A blocker holds the writer until ten writes
    /// are queued behind it: nine appends to `first` and a write that, once it runs, holds the writer
    /// again until three appends to `later` are queued. Returns once the blocker and the ten are
    /// answered (`first` counts eleven); `later` counts the three.
    static func batchOfTenThenThree(_ core: StoreEnvironment) throws -> (first: Tally, later: Tally) {
        let first = Tally()
        let blocking = Atomic<Bool>(false)
        try enqueueAppend(core, "blocker", first) {
            blocking.store(true, ordering: .relaxed)
            _ = eventually { core.queuedWriteCount >= 10 }
        }
        #expect(eventually { blocking.load(ordering: .relaxed) })
        for _ in 0..<9 { try enqueueAppend(core, "first", first) }
        let holding = Atomic<Bool>(false)
        try enqueueAppend(core, "first", first) {
            holding.store(true, ordering: .relaxed)
            _ = eventually { core.queuedWriteCount >= 3 }
        }
        #expect(eventually { holding.load(ordering: .relaxed) })
        // Three writers come back while the batch of ten commits: fewer than ten, so the writer waits.
        let later = Tally()
        for _ in 0..<3 { try enqueueAppend(core, "later", later) }
        #expect(eventually { first.count.load(ordering: .relaxed) == 11 })
        return (first, later)
    }

    /// Synchronous on purpose: every write is queued from the test's own thread, so that no scheduling
    /// of tasks can stretch the moments that matter past the linger.
    @Test func afterAFullBatchTheWriterWaitsForAsManyWritesBeforeItCommitsAgain() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(
            path: folder.path + "/store", options: EventStoreOptions(groupCommitLinger: .seconds(1)))
        defer { store.close() }
        let core = store.core
        let (first, later) = try Self.batchOfTenThenThree(core)
        let batchesAfterTheTen = core.committedBatches.load(ordering: .relaxed)
        usleep(100_000)
        #expect(later.count.load(ordering: .relaxed) == 0, "the three wait for the batch to fill")
        #expect(core.committedBatches.load(ordering: .relaxed) == batchesAfterTheTen)
        #expect(core.lingers.load(ordering: .relaxed) == 1)
        // Seven more make ten: the writer commits them all at once, before the linger runs out.
        for _ in 0..<7 { try Self.enqueueAppend(core, "later", later) }
        #expect(Self.eventually { later.count.load(ordering: .relaxed) == 10 })
        #expect(
            core.committedBatches.load(ordering: .relaxed) == batchesAfterTheTen + 1,
            "the three and the seven share one commit")
        // After the writer slept, a lone append does not wait, though the batch before held ten.
        usleep(100_000)
        let alone = Tally()
        try Self.enqueueAppend(core, "alone", alone)
        #expect(Self.eventually { alone.count.load(ordering: .relaxed) == 1 })
        #expect(core.lingers.load(ordering: .relaxed) == 1, "no linger after the writer slept")
        #expect(first.failed.load(ordering: .relaxed) + later.failed.load(ordering: .relaxed) == 0)
        #expect(try store.streamVersion("first") == 10)
        #expect(try store.streamVersion("later") == 10)
        #expect(try store.verify().isValid)
    }

    @Test func closingWhileABatchWaitsToFillCommitsAndAnswersWhatItHolds() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        let store = try EventStore(path: path, options: EventStoreOptions(groupCommitLinger: .seconds(1)))
        let core = store.core
        let (_, later) = try Self.batchOfTenThenThree(core)
        #expect(later.count.load(ordering: .relaxed) == 0, "the three wait for the batch to fill")
        // Closing ends the wait (not the linger's second): the three commit and are answered before the
        // store closes.
        let closing = ContinuousClock.now
        store.close()
        #expect(ContinuousClock.now - closing < .milliseconds(900))
        #expect(later.count.load(ordering: .relaxed) == 3)
        #expect(later.failed.load(ordering: .relaxed) == 0)
        let reopened = try EventStore(path: path)
        defer { reopened.close() }
        #expect(try reopened.streamVersion("later") == 3)
        #expect(try reopened.verify().isValid)
    }

    @Test func oneWriterAtATimeNeverWaitsForABatchToFill() async throws {
        try await withStore(EventStoreOptions(groupCommitLinger: .seconds(1))) { store, _ in
            for index in 0..<20 { _ = try await store.append([sampleEvent(index)], to: "one") }
            #expect(store.core.lingers.load(ordering: .relaxed) == 0)
            #expect(store.core.committedBatches.load(ordering: .relaxed) >= 20)
            #expect(try store.streamVersion("one") == 20)
        }
    }

    @Test func aThrowingWriteInABatchLeavesNoTraceWhileItsNeighboursCommit() async throws {
        try await withStore(EventStoreOptions(extraDatabases: ["projections"])) { store, _ in
            let projections = try store.database("projections")
            let core = store.core
            // The blocker holds the writer thread until three more writes are queued: they then share a batch.
            let blocker = try await Self.holdWriter(store, until: 3)
            let batchesBefore = core.committedBatches.load(ordering: .relaxed)
            async let failing: [UInt64] = store.write { txn in
                _ = try txn.append([sampleEvent(1), sampleEvent(2)], to: "failing")
                try txn.put(projections, Array("failing".utf8), [1])
                throw ExpectedFailure()
            }
            async let left = store.write { txn in try txn.append([sampleEvent(3)], to: "left") }
            async let right = store.write { txn in
                try txn.put(projections, Array("right".utf8), [2])
                return try txn.append([sampleEvent(4)], to: "right")
            }
            #expect(try await blocker.value == [1])
            do {
                _ = try await failing
                Issue.record("the failing write must throw")
            } catch {
                #expect(error is ExpectedFailure)
            }
            let leftPositions = try await left
            let rightPositions = try await right
            #expect(Set(leftPositions + rightPositions) == [2, 3])
            #expect(
                core.committedBatches.load(ordering: .relaxed) == batchesBefore + 2,
                "the blocker's batch, then one for all three")
            #expect(try store.streamVersion("failing") == nil)
            try store.read { txn throws in
                #expect(try txn.get(projections, Array("failing".utf8)) == nil)
                #expect(try txn.get(projections, Array("right".utf8)) == [2])
            }
            #expect(try store.head().position == 3)
            #expect(try store.verify().isValid)
        }
    }

    /// Where a write queued without a child transaction throws.
    enum FailurePoint: CaseIterable, Sendable {
        case beforeWriting, afterAPut, afterAnAppend
    }

    @Test(arguments: FailurePoint.allCases)
    func aWriteWithoutAChildTransactionThatThrowsLeavesNoTrace(failing point: FailurePoint) async throws {
        try await withStore(EventStoreOptions(extraDatabases: ["projections"])) { store, _ in
            let projections = try store.database("projections")
            let failingRuns = Atomic<Int>(0)
            let core = store.core
            let isolation = WriteIsolation.rerunIfFailedAfterWriting
            // The blocker holds the writer thread until three more writes are queued: they then share a batch.
            let blocker = try await Self.holdWriter(store, until: 3)
            let batchesBefore = core.committedBatches.load(ordering: .relaxed)
            async let left = store.write(isolation: isolation) { txn in
                try txn.put(projections, Array("left".utf8), [1])
                return try txn.append([sampleEvent(1)], to: "left")
            }
            async let failing: Int = store.write(isolation: isolation) { txn in
                failingRuns.add(1, ordering: .relaxed)
                switch point {
                case .beforeWriting: break
                case .afterAPut: try txn.put(projections, Array("failing".utf8), [9])
                case .afterAnAppend: _ = try txn.append([sampleEvent(2)], to: "failing")
                }
                throw ExpectedFailure()
            }
            async let right = store.write(isolation: isolation) { txn in
                try txn.put(projections, Array("right".utf8), [2])
                return try txn.append([sampleEvent(3)], to: "right")
            }
            #expect(try await blocker.value == [1])
            do {
                _ = try await failing
                Issue.record("the failing write must throw")
            } catch {
                #expect(error is ExpectedFailure)
            }
            let positions = try await left + right
            #expect(Set(positions) == [2, 3])
            #expect(core.committedBatches.load(ordering: .relaxed) == batchesBefore + 2)
            // Nothing to undo: it ran once, without a child. Written, then thrown: the batch ran again with
            // every job in a child transaction.
            #expect(failingRuns.load(ordering: .relaxed) == (point == .beforeWriting ? 1 : 2))
            #expect(try store.streamVersion("failing") == nil)
            try store.read { txn throws in
                #expect(try txn.get(projections, Array("failing".utf8)) == nil)
                #expect(try txn.get(projections, Array("left".utf8)) == [1])
                #expect(try txn.get(projections, Array("right".utf8)) == [2])
            }
            #expect(try store.head().position == 3)
            #expect(try store.verify().isValid)
        }
    }

    @Test func aWriteSeesEarlierWritesOfItsBatchAndItsOwnAppends() async throws {
        try await withStore { store, _ in
            let result = try await store.write { txn in
                let before = txn.head.position
                let positions = try txn.append([sampleEvent(0), sampleEvent(1)], to: "s", expectedVersion: .noStream)
                let version = try txn.streamVersion("s")
                let record = try txn.record(at: positions[1])
                return (before, positions, version, record?.streamVersion, txn.head.position)
            }
            #expect(result.0 == 0 && result.1 == [1, 2] && result.2 == 2 && result.3 == 2 && result.4 == 2)
        }
    }

    @Test func writeSyncServesSynchronousCallersAndRefusesToRunInsideAWrite() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path)
        defer { store.close() }
        let positions = try store.writeSync { txn in try txn.append([sampleEvent(0)], to: "cli") }
        #expect(positions == [1])
        let result = try store.appendSync(AppendRequest(commandId: "c", stream: "cli", events: [sampleEvent(1)]))
        #expect(result.firstPosition == 2)
        do {
            _ = try store.writeSync { _ in try store.writeSync { _ in 1 } }
            Issue.record("a nested writeSync must fail")
        } catch let error as EventLogError {
            #expect(error.code == .reentrantWrite)
        }
    }

    @Test func namedDatabasesCommitWithTheEventsAndSupportGetPutScanDeleteDrop() async throws {
        try await withStore(EventStoreOptions(extraDatabases: ["projections", "outbox"])) { store, _ in
            let projections = try store.database("projections")
            let outbox = try store.database("outbox")
            #expect(throws: EventLogError.self) { try store.database("events") }
            try await store.write { txn in
                _ = try txn.append([sampleEvent(0)], to: "s")
                try txn.put(projections, Array("p/1".utf8), [1])
                try txn.put(projections, "p/2".utf8, [2, 2])
                try txn.put(projections, "q/1".utf8, [3])
                try txn.put(outbox, "n1".utf8, Array("hello".utf8))
            }
            try store.read { txn in
                #expect(try txn.get(projections, "p/2".utf8) == [2, 2])
                #expect(
                    try txn.withValue(outbox, "n1".utf8) { $0.map { String(decoding: $0, as: UTF8.self) } } == "hello")
                var keys: [String] = []
                try txn.scan(projections, prefix: "p/".utf8) { key, _ in
                    keys.append(String(decoding: key, as: UTF8.self))
                    return true
                }
                #expect(keys == ["p/1", "p/2"])
                var all = 0
                try txn.scan(projections) { _, _ in
                    all += 1
                    return true
                }
                #expect(all == 3)
            }
            let deleted = try await store.write { txn in
                (try txn.delete(projections, "p/1".utf8), try txn.delete(projections, "p/9".utf8))
            }
            #expect(deleted == (true, false))
            try await store.write { txn in try txn.dropAll(projections) }
            try store.read { txn throws in
                #expect(try txn.get(projections, "p/2".utf8) == nil)
                #expect(try txn.get(outbox, "n1".utf8) != nil)
            }
            await #expect(throws: EventLogError.self) {
                try await store.write { txn in try txn.put(projections, [UInt8](), [1]) }
            }
        }
    }

    @Test func commandResultsRecordedByTheLayerAboveAreFoundOnRetry() async throws {
        try await withStore { store, _ in
            try await store.write { txn in
                #expect(try txn.commandResult("approve-1") == nil)
                _ = try txn.append([sampleEvent(0)], to: "s")
                try txn.recordCommand("approve-1", result: [42])
            }
            let found = try await store.write { txn in try txn.commandResult("approve-1") }
            #expect(found == [42])
        }
    }
}
