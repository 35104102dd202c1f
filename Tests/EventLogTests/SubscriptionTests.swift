import Synchronization
import Testing

@testable import EventLog

@Suite("Subscriptions", .timeLimit(.minutes(2)))
struct SubscriptionTests {
    @Test func aSubscriptionCatchesUpThenStaysLiveWithoutSkippingOrRepeating() async throws {
        try await withStore { store, _ in
            try await appendMany(store, 300)
            var iterator = store.subscribe(from: 1).makeAsyncIterator()
            var positions: [UInt64] = []
            for _ in 0..<300 { positions.append(try #require(try await iterator.next()).position) }
            let writer = Task {
                for index in 0..<50 {
                    _ = try await store.append([sampleEvent(index), sampleEvent(index)], to: "live-\(index % 3)")
                }
            }
            for _ in 0..<100 { positions.append(try #require(try await iterator.next()).position) }
            try await writer.value
            #expect(positions == Array(1...400))
        }
    }

    @Test func aSubscriptionStartsAtTheGivenPosition() async throws {
        try await withStore { store, _ in
            try await appendMany(store, 10)
            var iterator = store.subscribe(from: 7).makeAsyncIterator()
            var positions: [UInt64] = []
            for _ in 0..<4 { positions.append(try #require(try await iterator.next()).position) }
            #expect(positions == [7, 8, 9, 10])
        }
    }

    @Test func closingTheStoreEndsAWaitingSubscription() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path)
        _ = try await store.append([sampleEvent(0)], to: "s")
        let received = Atomic<Int>(0)
        let subscriber = Task {
            var count = 0
            for try await _ in store.subscribe(from: 1) {
                count += 1
                received.store(count, ordering: .relaxed)
            }
            return count
        }
        // Close once the subscriber has caught up and is waiting for more.
        while received.load(ordering: .relaxed) < 1 { try await Task.sleep(for: .milliseconds(5)) }
        store.close()
        #expect(try await subscriber.value == 1)
    }

    @Test func cancellingTheTaskEndsASubscription() async throws {
        try await withStore { store, _ in
            let subscriber = Task {
                var count = 0
                for try await _ in store.subscribe(from: 1) { count += 1 }
                return count
            }
            try await Task.sleep(for: .milliseconds(20))
            subscriber.cancel()
            #expect(try await subscriber.value == 0)
        }
    }
}
