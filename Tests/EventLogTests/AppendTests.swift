import CLMDB
import Testing

@testable import EventLog

@Suite("Appending")
struct AppendTests {
    @Test func positionsAreGaplessFromOneAndStreamVersionsCountPerStream() async throws {
        try await withStore { store, _ in
            let first = try await store.append([sampleEvent(0), sampleEvent(1)], to: "a")
            let second = try await store.append([sampleEvent(2)], to: "b")
            let third = try await store.append([sampleEvent(3)], to: "a")
            #expect(first.firstPosition == 1 && first.lastPosition == 2)
            #expect(first.streams == [AppendedStream(stream: "a", version: 2, positions: [1, 2])])
            #expect(second.firstPosition == 3 && second.streams[0].version == 1)
            #expect(third.streams == [AppendedStream(stream: "a", version: 3, positions: [4])])
            let a = try store.readStream("a")
            #expect(a.map(\.streamVersion) == [1, 2, 3])
            #expect(a.map(\.position) == [1, 2, 4])
            #expect(try store.streamVersion("a") == 3)
            #expect(try store.streamVersion("b") == 1)
            #expect(try store.streamVersion("c") == nil)
            #expect(try store.head().position == 4)
        }
    }

    @Test func everyFieldOfAnEventIsStoredAndReadBack() async throws {
        try await withStore { store, _ in
            let event = NewEvent(
                type: "ProjectRegistered", schemaVersion: 3, payload: [0, 1, 2, 255], time: -42,
                commandId: "cmd-7", actor: "", causationId: "cause-1", correlationId: "corr-1")
            _ = try await store.append([event], to: "project-1")
            let bare = NewEvent(type: "Noted", payload: [], time: 1_700_000_000_123)
            _ = try await store.append(AppendRequest(commandId: "request-1", stream: "project-1", events: [bare]))
            let events = try store.readAll()
            #expect(events.count == 2)
            let stored = events[0]
            #expect(stored.position == 1 && stored.stream == "project-1" && stored.streamVersion == 1)
            #expect(stored.type == "ProjectRegistered" && stored.schemaVersion == 3 && stored.time == -42)
            #expect(stored.commandId == "cmd-7" && stored.actor == "" && stored.causationId == "cause-1")
            #expect(stored.correlationId == "corr-1" && stored.payload == [0, 1, 2, 255])
            #expect(stored.digest.count == 32 && stored.digest != [UInt8](repeating: 0, count: 32))
            let second = events[1]
            #expect(second.commandId == "request-1", "an event without a command id takes the request's")
            #expect(second.actor == nil && second.causationId == nil && second.correlationId == nil)
            #expect(second.payload.isEmpty && second.time == 1_700_000_000_123)
            #expect(second.digest != stored.digest)
        }
    }

    @Test func headNamesTheNewestEventAndStartsEmpty() async throws {
        try await withStore { store, _ in
            let empty = try store.head()
            #expect(empty == Head(position: 0, digest: [UInt8](repeating: 0, count: 32), time: 0))
            _ = try await store.append([sampleEvent(0, time: 5), sampleEvent(1, time: 9)], to: "s")
            let head = try store.head()
            let newest = try #require(try store.readAll(direction: .backward, limit: 1).first)
            #expect(head.position == 2 && head.time == 9 && head.digest == newest.digest)
        }
    }

    @Test func wrongExpectedVersionNamesTheStreamAndItsActualVersion() async throws {
        try await withStore { store, _ in
            _ = try await store.append([sampleEvent(0), sampleEvent(1)], to: "s", expectedVersion: .noStream)
            do {
                _ = try await store.append([sampleEvent(2)], to: "s", expectedVersion: .exact(1))
                Issue.record("expected a conflict")
            } catch let error as EventLogError {
                #expect(error.code == .wrongExpectedVersion)
                #expect(error.stream == "s" && error.actualVersion == 2 && error.expectedVersion == .exact(1))
            }
            await #expect(throws: EventLogError.self) {
                try await store.append([sampleEvent(3)], to: "s", expectedVersion: .noStream)
            }
            do {
                _ = try await store.append([sampleEvent(4)], to: "missing", expectedVersion: .exact(0))
                Issue.record("expected a conflict")
            } catch let error as EventLogError {
                #expect(error.code == .wrongExpectedVersion && error.stream == "missing" && error.actualVersion == nil)
            }
            let ok = try await store.append([sampleEvent(5)], to: "s", expectedVersion: .exact(2))
            #expect(ok.streams[0].version == 3)
        }
    }

    @Test func aConflictOnOneStreamRollsBackTheWholeRequest() async throws {
        try await withStore { store, _ in
            _ = try await store.append([sampleEvent(0)], to: "b")
            let request = AppendRequest(
                commandId: "multi",
                appends: [
                    StreamAppend(stream: "a", expectedVersion: .noStream, events: [sampleEvent(1), sampleEvent(2)]),
                    StreamAppend(stream: "b", expectedVersion: .noStream, events: [sampleEvent(3)]),
                ])
            do {
                _ = try await store.append(request)
                Issue.record("expected a conflict")
            } catch let error as EventLogError {
                #expect(error.code == .wrongExpectedVersion && error.stream == "b" && error.actualVersion == 1)
            }
            #expect(try store.head().position == 1)
            #expect(try store.streamVersion("a") == nil)
            #expect(try store.read { txn in try txn.commandResult("multi") } == nil)
            #expect(try store.verify().isValid)
            // The same request with the right expectation goes through whole, positions in request order.
            var fixed = request
            fixed.appends[1].expectedVersion = .exact(1)
            let result = try await store.append(fixed)
            #expect(result.firstPosition == 2 && result.lastPosition == 4)
            #expect(result.streams.map(\.positions) == [[2, 3], [4]])
        }
    }

    @Test func oneRequestMayAppendToAStreamTwiceWithVersionsCountingTheFirstPart() async throws {
        try await withStore { store, _ in
            let request = AppendRequest(appends: [
                StreamAppend(stream: "s", expectedVersion: .noStream, events: [sampleEvent(0), sampleEvent(1)]),
                StreamAppend(stream: "t", expectedVersion: .noStream, events: [sampleEvent(2)]),
                StreamAppend(stream: "s", expectedVersion: .exact(2), events: [sampleEvent(3)]),
            ])
            let result = try await store.append(request)
            #expect(result.streams.map(\.version) == [2, 1, 3])
            #expect(result.streams.map(\.positions) == [[1, 2], [3], [4]])
            var wrong = request
            wrong.appends = [
                StreamAppend(stream: "u", events: [sampleEvent(4)]),
                StreamAppend(stream: "s", expectedVersion: .exact(3), events: [sampleEvent(5)]),
                StreamAppend(stream: "s", expectedVersion: .exact(3), events: [sampleEvent(6)]),
            ]
            do {
                _ = try await store.append(wrong)
                Issue.record("expected a conflict")
            } catch let error as EventLogError {
                #expect(error.code == .wrongExpectedVersion && error.stream == "s" && error.actualVersion == 4)
            }
            #expect(try store.head().position == 4)
            #expect(try store.streamVersion("u") == nil)
            #expect(try store.verify().isValid)
        }
    }

    @Test func theSameCommandIdTwiceReturnsTheFirstResultAndWritesOnce() async throws {
        try await withStore { store, _ in
            let request = AppendRequest(commandId: "cmd-1", stream: "s", events: [sampleEvent(0), sampleEvent(1)])
            let first = try await store.append(request)
            let retry = try await store.append(request)
            #expect(!first.deduplicated && retry.deduplicated)
            #expect(retry.firstPosition == first.firstPosition && retry.streams == first.streams)
            #expect(try store.head().position == 2)
            // Even a different body under the same command id writes nothing.
            let other = try await store.append(AppendRequest(commandId: "cmd-1", stream: "t", events: [sampleEvent(9)]))
            #expect(other.deduplicated && other.streams == first.streams)
            #expect(try store.head().position == 2)
            let stored = try #require(try store.read { txn in try txn.commandResult("cmd-1") })
            #expect(AppendResult(encoded: stored) == first)
        }
    }

    @Test func concurrentRetriesOfOneCommandWriteOnce() async throws {
        try await withStore { store, _ in
            let request = AppendRequest(commandId: "same", stream: "s", events: [sampleEvent(0)])
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<20 { group.addTask { try await store.append(request) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.deduplicated }.count == 1)
            #expect(Set(results.map(\.firstPosition)) == [1])
            #expect(try store.head().position == 1)
        }
    }

    @Test func invalidStreamIdsAndEmptyRequestsAreRejected() async throws {
        try await withStore { store, _ in
            for stream in ["", "a\u{0}b", String(repeating: "x", count: 501)] {
                do {
                    _ = try await store.append([sampleEvent(0)], to: stream)
                    Issue.record("accepted stream id of \(stream.utf8.count) bytes")
                } catch let error as EventLogError {
                    #expect(error.code == .invalidArgument)
                }
            }
            do {
                _ = try await store.append([], to: "s")
                Issue.record("accepted an empty request")
            } catch let error as EventLogError {
                #expect(error.code == .invalidArgument)
            }
            _ = try await store.append([sampleEvent(0)], to: String(repeating: "y", count: 500))
            #expect(try store.head().position == 1)
        }
    }

    @Test func streamTailEntriesRoundTripThroughTheirCompactBytes() {
        for tail in [
            StreamTail(version: 1, position: 1, first: 1), StreamTail(version: 300, position: 70_000, first: 69_001),
            StreamTail(version: .max, position: .max, first: 0),
        ] {
            let bytes = tail.withEncoded { Array($0.bytes) }
            #expect(bytes.count <= 30)
            #expect(bytes.withUnsafeBytes { StreamTail($0) } == tail)
            #expect(Array(bytes.dropLast()).withUnsafeBytes { StreamTail($0) } == nil)
        }
        #expect(StreamTail(version: 5, position: 1_000, first: 990).withEncoded { $0.mv_size } == 4)
    }

    @Test func appendResultRoundTripsThroughItsBytes() {
        let result = AppendResult(
            firstPosition: 7, lastPosition: 9,
            streams: [
                AppendedStream(stream: "a", version: 2, positions: [7, 8]),
                AppendedStream(stream: "流", version: 1, positions: [9]),
            ])
        #expect(AppendResult(encoded: result.encoded()) == result)
        #expect(AppendResult(encoded: Array(result.encoded().dropLast())) == nil)
        #expect(AppendResult(encoded: []) == nil)
    }
}
