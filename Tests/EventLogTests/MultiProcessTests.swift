import Foundation
import Testing

@testable import EventLog

@Suite("Several processes", .serialized, .timeLimit(.minutes(5)))
struct MultiProcessTests {
    @Test(arguments: [1024, 37])
    func twoProcessesAppendingNeverLoseOrDuplicateAPositionAndVersionChecksHold(indexInterval: Int) async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        let count = 300
        let environment = ["EVENTLOG_TEST_INDEX_INTERVAL": "\(indexInterval)"]
        let first = try HelperProcess(["race", path, "\(count)", "A"], environment: environment)
        let second = try HelperProcess(["race", path, "\(count)", "B"], environment: environment)
        #expect(await first.wait() == 0)
        #expect(await second.wait() == 0)
        let wins = [first, second].map { helper -> Int in
            let line = helper.lines.last ?? ""
            return Int(line.split(separator: " ").first?.dropFirst("wins=".count) ?? "") ?? -1
        }
        let store = try EventStore(path: path)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.isValid, "\(report.reason ?? "")")
        #expect(report.eventCount == UInt64(2 * count + wins[0] + wins[1]))
        let shared = try store.readStream("shared")
        #expect(shared.count == 2 * count)
        #expect(shared.filter { $0.payload.starts(with: Array("A ".utf8)) }.count == count)
        // The two processes overlapped: each appended to `shared` both before and after the other's first.
        let positionsA = shared.filter { $0.payload.starts(with: Array("A ".utf8)) }.map(\.position)
        let positionsB = shared.filter { $0.payload.starts(with: Array("B ".utf8)) }.map(\.position)
        #expect(
            max(positionsA.min() ?? 0, positionsB.min() ?? 0) < min(positionsA.max() ?? 0, positionsB.max() ?? 0),
            "the two writers did not run at the same time")
        let contested = try store.readStream("contested")
        #expect(contested.map(\.streamVersion) == Array(1...UInt64(wins[0] + wins[1])), "one winner per version")
        #expect(contested.filter { $0.payload == Array("A".utf8) }.count == wins[0])
        #expect(Set(try store.readAll().map(\.position)).count == Int(report.eventCount))
    }

    @Test func aWriterKilledMidAppendLeavesAVerifiableStoreWithEveryAcknowledgedAppend() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        let helper = try HelperProcess(["append-forever", path]) { line, helper in
            if line == "300" { kill(helper.process.processIdentifier, SIGKILL) }
        }
        _ = await helper.wait()
        #expect(helper.process.terminationReason == .uncaughtSignal)
        let acknowledged = helper.lines.compactMap { UInt64($0) }
        #expect(acknowledged.count >= 300)
        #expect(acknowledged == Array(1...UInt64(acknowledged.count)))
        let store = try EventStore(path: path)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.isValid, "\(report.reason ?? "")")
        #expect(report.headPosition >= UInt64(acknowledged.count), "every acknowledged append is present")
        let next = try await store.append([sampleEvent(0)], to: "after-crash")
        #expect(next.firstPosition == report.headPosition + 1)
    }

    @Test func readerSlotsLeftByKilledProcessesAreFreedWhenTheTableIsFull() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        // The first opener sizes the reader table: two slots.
        var store = try EventStore(path: path, options: EventStoreOptions(maxReaders: 2))
        _ = try await store.append([sampleEvent(0)], to: "s")
        var holders: [HelperProcess] = []
        for _ in 0..<2 {
            let holder = try HelperProcess(["hold-reader", path])
            while holder.lines != ["reading"], holder.process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
            holders.append(holder)
        }
        for holder in holders {
            kill(holder.process.processIdentifier, SIGKILL)
            _ = await holder.wait()
            #expect(holder.lines == ["reading"])
        }
        // Both slots belong to dead processes: a read finds the table full, clears it, and goes on.
        #expect(try store.head().position == 1)
        store.close()
        store = try EventStore(path: path, options: EventStoreOptions(maxReaders: 2))
        defer { store.close() }
        #expect(try store.readAll().count == 1)
    }

    @Test func aSubscriptionSeesAnotherProcessesAppends() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        let store = try EventStore(path: path, options: EventStoreOptions(subscriptionPollInterval: .milliseconds(10)))
        defer { store.close() }
        _ = try await store.append([sampleEvent(0)], to: "local")
        var iterator = store.subscribe(from: 1).makeAsyncIterator()
        #expect(try await iterator.next()?.stream == "local")
        let helper = try HelperProcess(["append", path, "20", "remote"])
        var remote: [RecordedEvent] = []
        for _ in 0..<20 { remote.append(try #require(try await iterator.next())) }
        #expect(await helper.wait() == 0)
        #expect(remote.map(\.position) == Array(2...21))
        #expect(remote.allSatisfy { $0.stream == "remote" })
    }

    @Test func anotherProcessGrowingTheMapIsAdopted() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        let store = try EventStore(path: path, options: EventStoreOptions(mapSize: 64 << 10))
        defer { store.close() }
        _ = try await store.append([sampleEvent(0)], to: "local")
        // The helper opens with the default (large) map and writes well past this process's map.
        let helper = try HelperProcess(["append", path, "600", "remote"])
        #expect(await helper.wait() == 0)
        #expect(try store.readStream("remote").count == 600)
        let next = try await store.append([sampleEvent(1)], to: "local")
        #expect(next.firstPosition == 602)
        #expect(try store.verify().isValid)
    }
}
