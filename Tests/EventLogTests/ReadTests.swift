import Testing

@testable import EventLog

@Suite("Reading")
struct ReadTests {
    @Test func aStreamIsReadFromAVersionAndKeptApartFromStreamsSharingItsPrefix() async throws {
        try await withStore { store, _ in
            for index in 0..<5 {
                _ = try await store.append([sampleEvent(index)], to: "a")
                _ = try await store.append([sampleEvent(index)], to: "ab")
            }
            _ = try await store.append([sampleEvent(9)], to: "a\u{1}")
            let tail = try store.readStream("a", from: 3)
            #expect(tail.map(\.streamVersion) == [3, 4, 5])
            #expect(tail.map(\.position) == [5, 7, 9])
            #expect(tail.allSatisfy { $0.stream == "a" })
            #expect(try store.readStream("a", from: 2, limit: 2).map(\.streamVersion) == [2, 3])
            #expect(try store.readStream("ab").count == 5)
            #expect(try store.streamVersion("a") == 5)
            #expect(try store.streamVersion("a\u{1}") == 1)
            #expect(try store.readStream("nope").isEmpty)
        }
    }

    @Test func streamReadsAndVersionChecksSpanTheBulkIndexAndTheNewestEvents() async throws {
        try await withStore(EventStoreOptions(streamIndexInterval: 5)) { store, _ in
            var expected: [String: [UInt64]] = [:]
            for index in 0..<23 {
                let stream = "s\(index % 3)"
                let count = index % 4 == 0 ? 2 : 1
                let result = try await store.append((0..<count).map { sampleEvent(index * 10 + $0) }, to: stream)
                expected[stream, default: []] += result.streams[0].positions
            }
            let indexed = try store.read { txn in try txn.reader.indexedThrough() }
            let head = try store.head().position
            #expect(indexed > 0 && indexed < head, "some events indexed in bulk, some not yet")
            for (stream, positions) in expected {
                #expect(try store.readStream(stream).map(\.position) == positions)
                #expect(try store.readStream(stream).map(\.streamVersion) == Array(1...UInt64(positions.count)))
                for from in 1...positions.count {
                    #expect(
                        try store.readStream(stream, from: UInt64(from)).map(\.position)
                            == Array(positions[(from - 1)...]))
                }
                #expect(try store.readStream(stream, from: 2, limit: 2).map(\.position) == Array(positions[1...2]))
                #expect(try store.streamVersion(stream) == UInt64(positions.count))
                let version = UInt64(positions.count)
                await #expect(throws: EventLogError.self) {
                    try await store.append([sampleEvent(0)], to: stream, expectedVersion: .exact(version - 1))
                }
            }
            let next = try await store.append(
                [sampleEvent(0)], to: "s1", expectedVersion: .exact(UInt64(expected["s1"]!.count)))
            #expect(next.streams[0].version == UInt64(expected["s1"]!.count + 1))
            #expect(try store.verify().isValid)
        }
    }

    @Test func theWholeLogReadsForwardsAndBackwards() async throws {
        try await withStore { store, _ in
            try await appendMany(store, 10)
            #expect(try store.readAll(from: 8).map(\.position) == [8, 9, 10])
            #expect(try store.readAll(direction: .backward, limit: 3).map(\.position) == [10, 9, 8])
            #expect(try store.readAll(from: 5, direction: .backward).map(\.position) == [5, 4, 3, 2, 1])
            #expect(try store.readAll(from: 0, direction: .backward).isEmpty)
            #expect(try store.readAll(from: 11).isEmpty)
            #expect(try store.readAll(limit: 0).isEmpty)
        }
    }

    @Test func aTimeRangeSelectsEventsByTheirTime() async throws {
        try await withStore { store, _ in
            for index in 0..<6 {
                _ = try await store.append([sampleEvent(index, time: Int64(index) * 1000)], to: "s")
            }
            let range = try store.readEvents(inTimeRange: 2000..<4000)
            #expect(range.map(\.time) == [2000, 3000])
            #expect(try store.readEvents(inTimeRange: 0..<10_000, limit: 2).map(\.position) == [1, 2])
            #expect(try store.readEvents(inTimeRange: 10_000..<20_000).isEmpty)
        }
    }

    @Test func aBorrowingScanSeesPayloadsInPlaceAndStopsWhenAsked() async throws {
        try await withStore { store, _ in
            try await appendMany(store, 20, to: "x", payloadSize: 400)
            _ = try await store.append([sampleEvent(99)], to: "y")
            var bytes = 0
            var visited = 0
            var streamY = 0
            try store.read { txn in
                try txn.scan { view in
                    bytes += view.payload.count
                    visited += 1
                    if view.streamEquals("y") { streamY += 1 }
                    let typeMatches = view.typeEquals("Happened")
                    #expect(typeMatches)
                    return true
                }
            }
            #expect(visited == 21 && streamY == 1 && bytes == 20 * 400 + "event 99".utf8.count)
            var seen: [UInt64] = []
            try store.read { txn in
                try txn.scan(from: 5) { view in
                    seen.append(view.position)
                    return seen.count < 3
                }
            }
            #expect(seen == [5, 6, 7])
            let copied = try store.read { txn in try txn.withRecord(at: 3) { $0.recordedEvent() } }
            #expect(copied == (try store.readAll(from: 3, limit: 1).first))
            #expect(try store.read { txn in try txn.withRecord(at: 99) { $0.position } } == nil)
        }
    }
}
