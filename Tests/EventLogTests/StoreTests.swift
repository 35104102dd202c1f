import CLMDB
import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Opening, growing, closing, backing up")
struct StoreTests {
    @Test func openingCreatesMissingFoldersAndAFreshStoreIsEmpty() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path + "/a/b/store")
        defer { store.close() }
        #expect(FileManager.default.fileExists(atPath: folder.path + "/a/b/store/data.mdb"))
        #expect(try store.head().position == 0)
        #expect(try store.verify().isValid)
    }

    @Test func durableIsTheDefaultAndReadersUseNoThreadLocalSlots() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path)
        defer { store.close() }
        var flags: UInt32 = 0
        #expect(mdb_env_get_flags(store.core.env, &flags) == 0)
        #expect(flags & UInt32(MDB_NOMETASYNC) == 0 && flags & UInt32(MDB_NOSYNC) == 0)
        #expect(flags & UInt32(MDB_NOTLS) != 0 && flags & UInt32(MDB_WRITEMAP) == 0)
    }

    @Test func invalidOptionsAreRejected() {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        for options in [
            EventStoreOptions(extraDatabases: ["events"]), EventStoreOptions(extraDatabases: ["a", "a"]),
            EventStoreOptions(maxBatch: 0), EventStoreOptions(streamIndexInterval: 0),
            EventStoreOptions(groupCommitLinger: .microseconds(-1)),
            EventStoreOptions(groupCommitLinger: .milliseconds(1001)),
        ] {
            #expect(throws: EventLogError.self) { try EventStore(path: folder.path, options: options) }
        }
    }

    @Test func aFolderOpensOnlyOncePerProcessAndAgainAfterClose() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path)
        _ = try await store.append([sampleEvent(0)], to: "s")
        do {
            _ = try EventStore(path: folder.path + "/./")
            Issue.record("a second open of the same folder must fail")
        } catch {
            #expect(error.code == .alreadyOpen)
        }
        store.close()
        store.close()
        await #expect(throws: EventLogError.self) { try await store.append([sampleEvent(1)], to: "s") }
        #expect(throws: EventLogError.self) { try store.head() }
        let reopened = try EventStore(path: folder.path)
        defer { reopened.close() }
        #expect(try reopened.head().position == 1)
    }

    @Test func droppingTheLastReferenceClosesTheStore() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        do {
            let store = try EventStore(path: folder.path)
            _ = try await store.append([sampleEvent(0)], to: "s")
        }
        let again = try EventStore(path: folder.path)
        defer { again.close() }
        #expect(try again.head().position == 1)
    }

    @Test func theMapGrowsByItselfFromATinyInitialSize() async throws {
        let options = EventStoreOptions(mapSize: 64 << 10, extraDatabases: ["projections"])
        try await withStore(options) { store, path in
            let initial = store.core.mapSize
            // Sequential single appends, then concurrent batches, then one large request.
            try await appendMany(store, 100, payloadSize: 400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        for round in 0..<10 {
                            let events = (0..<10).map { sampleEvent(task * 1000 + round * 10 + $0, payloadSize: 400) }
                            _ = try await store.append(events, to: "t\(task)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let big = (0..<1000).map { sampleEvent($0, payloadSize: 400) }
            _ = try await store.append(big, to: "big")
            let projections = try store.database("projections")
            try await store.write { txn in
                for index in 0..<2000 {
                    try txn.put(projections, Array("key-\(index)".utf8), [UInt8](repeating: 1, count: 200))
                }
            }
            #expect(store.core.mapSize > initial)
            let report = try store.verify()
            #expect(report.isValid && report.eventCount == 100 + 1600 + 1000)
            #expect(try store.read { txn in try txn.get(projections, Array("key-1999".utf8)) }?.count == 200)
            store.close()
            let reopened = try EventStore(path: path, options: EventStoreOptions(mapSize: 64 << 10))
            defer { reopened.close() }
            #expect(try reopened.head().position == 2700)
            _ = try await reopened.append([sampleEvent(0, payloadSize: 400)], to: "after")
            #expect(try reopened.verify().isValid)
        }
    }

    @Test func relaxedDurabilityAppendsAndReopens() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path, options: EventStoreOptions(durability: .relaxed))
        var flags: UInt32 = 0
        #expect(mdb_env_get_flags(store.core.env, &flags) == 0)
        #expect(flags & UInt32(MDB_NOMETASYNC) != 0 && flags & UInt32(MDB_NOTLS) != 0)
        try await appendMany(store, 20)
        store.close()
        let reopened = try EventStore(path: folder.path)
        defer { reopened.close() }
        #expect(try reopened.verify().eventCount == 20)
    }

    @Test func aBackupTakenWhileWritersGoOnIsConsistentAndVerifies() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let store = try EventStore(path: folder.path + "/store")
        try await appendMany(store, 50, payloadSize: 400)
        let writer = Task {
            for round in 0..<100 {
                _ = try await store.append(
                    (0..<10).map { sampleEvent(round * 10 + $0, payloadSize: 400) }, to: "w\(round % 4)")
            }
        }
        while try store.head().position < 200 { try await Task.sleep(for: .milliseconds(2)) }
        try store.backup(to: folder.path + "/backup")
        try await writer.value
        let total = try store.head().position
        let backup = try EventStore(path: folder.path + "/backup")
        defer { backup.close() }
        let report = try backup.verify()
        #expect(report.isValid)
        #expect(report.eventCount >= 200 && report.eventCount <= total)
        let original = try #require(try store.readAll(from: report.headPosition, limit: 1).first)
        #expect(original.digest == report.headDigest, "the backup is a prefix of the live log")
        store.close()
        await #expect(throws: EventLogError.self) {
            try await backup.append([sampleEvent(0)], to: "x", expectedVersion: .exact(0))
        }
    }

    @Test func aTruncatedDataFileIsRefusedAsCorruptedNotReadPastItsEnd() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        do {
            let store = try EventStore(path: folder.path)
            defer { store.close() }
            _ = try await appendMany(store, 2_000, payloadSize: 400)
        }
        let file = folder.path + "/data.mdb"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        // Whole, it opens; cut by one page, reading its last pages would die by SIGBUS: refused instead.
        do {
            let store = try EventStore(path: folder.path)
            store.close()
        }
        #expect(truncate(file, off_t(size - 4096)) == 0)
        do {
            let store = try EventStore(path: folder.path)
            store.close()
            Issue.record("a truncated data.mdb opened")
        } catch {
            #expect(error.code == .corrupted, "\(error)")
            #expect(error.message.contains("truncated"))
        }
    }

    /// On a full file system a new store is refused with an error: LMDB made its lock file sparse and
    /// wrote it through a memory map, and the first write killed the process with SIGBUS. Needs a small
    /// file system of its own (a tmpfs mount, root only); skipped where it cannot mount one.
    @Test func aNewStoreOnAFullFileSystemIsAnErrorNotACrash() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let mountPoint = folder.path + "/full"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        func run(_ arguments: [String]) throws -> Int32 { try exitStatus(of: "/usr/bin/env", arguments) }
        guard try run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]) == 0 else {
            try Test.cancel("skipped: cannot mount a tmpfs here (needs root)")
        }
        defer { _ = try? run(["umount", mountPoint]) }
        // Fill it: writes of 64 KiB until the file system refuses.
        FileManager.default.createFile(atPath: mountPoint + "/filler", contents: nil)
        let filler = try #require(FileHandle(forWritingAtPath: mountPoint + "/filler"))
        while (try? filler.write(contentsOf: Data(count: 65_536))) != nil {}
        try? filler.close()
        do {
            let store = try EventStore(path: mountPoint + "/new")
            store.close()
            Issue.record("a store opened on a full file system")
        } catch {
            #expect(error.code == .io, "\(error)")
            #expect(error.message.contains("No space left"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: mountPoint + "/new/lock.mdb"))
    }

    @Test func aBackupIntoAFolderThatHoldsAStoreIsRefused() async throws {
        try await withStore { store, path in
            try await appendMany(store, 3)
            #expect(throws: EventLogError.self) { try store.backup(to: path) }
        }
    }
}
