import CLMDB
import Synchronization
import Testing

@testable import EventLog

@Suite("Verification")
struct VerifyTests {
    /// Fills a store with `count` events over three streams, closes it, and returns its path.
    private func makeStore(_ folder: TemporaryFolder, count: Int, indexInterval: Int = 1024) async throws -> String {
        let path = folder.path + "/store"
        let store = try EventStore(path: path, options: EventStoreOptions(streamIndexInterval: indexInterval))
        for index in 0..<count {
            _ = try await store.append([sampleEvent(index, payloadSize: 64)], to: "s\(index % 3)")
        }
        store.close()
        return path
    }

    private func verify(_ path: String) throws -> VerifyReport {
        let store = try EventStore(path: path)
        defer { store.close() }
        return try store.verify()
    }

    @Test func aSoundLogVerifiesAndReportsItsHeadAndProgress() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = try await makeStore(folder, count: 10)
        let store = try EventStore(path: path)
        defer { store.close() }
        let seen = Mutex<[UInt64]>([])
        let report = try store.verify { position in seen.withLock { $0.append(position) } }
        #expect(report.isValid && report.eventCount == 10 && report.headPosition == 10)
        #expect(report.headDigest == (try store.head().digest))
        #expect(seen.withLock { $0 }.last == 10)
    }

    @Test func digestsAreCheckedAcrossChunksAndTheFirstBrokenLinkIsReported() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/store"
        let total = 70_000
        do {
            let store = try EventStore(path: path)
            defer { store.close() }
            for round in 0..<(total / 1000) {
                _ = try await store.write { txn in
                    for index in 0..<1000 {
                        _ = try txn.append([sampleEvent(round * 1000 + index, payloadSize: 32)], to: "s\(index % 5)")
                    }
                }
            }
            let seen = Mutex<[UInt64]>([])
            let report = try store.verify { position in seen.withLock { $0.append(position) } }
            #expect(report.isValid && report.eventCount == UInt64(total))
            let progress = seen.withLock { $0 }
            #expect(!progress.isEmpty && progress == progress.sorted() && progress.last == UInt64(total))
        }
        for position: UInt64 in [50_000, 40_000] {
            try withRawStore(path) { txn, events, _ in
                try positionKey(position).withUnsafeBytes { keyBytes in
                    var key = MDB_val(mv_size: 8, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                    var data = MDB_val()
                    try #require(mdb_get(txn, events, &key, &data) == 0)
                    var record = Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
                    record[record.count - 40] ^= 0x80
                    try record.withUnsafeMutableBytes { recordBytes in
                        var value = MDB_val(mv_size: recordBytes.count, mv_data: recordBytes.baseAddress)
                        try #require(mdb_put(txn, events, &key, &value, 0) == 0)
                    }
                }
            }
            let report = try verify(path)
            #expect(report.firstBadPosition == position && report.eventCount == position - 1)
            let before = try EventStore(path: path)
            let expectedDigest = try before.readAll(from: position - 1, limit: 1).first?.digest
            before.close()
            #expect(report.headDigest == expectedDigest)
        }
    }

    @Test func anEmptyLogVerifies() async throws {
        try await withStore { store, _ in
            let report = try store.verify()
            #expect(report.isValid && report.eventCount == 0 && report.headDigest == [UInt8](repeating: 0, count: 32))
        }
    }

    @Test func oneChangedPayloadByteIsReportedAtItsPosition() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = try await makeStore(folder, count: 10)
        try withRawStore(path) { txn, events, _ in
            try positionKey(5).withUnsafeBytes { keyBytes in
                var key = MDB_val(mv_size: 8, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var data = MDB_val()
                try #require(mdb_get(txn, events, &key, &data) == 0)
                var record = Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
                record[record.count - 33] ^= 0x01  // the payload's last byte, just before the digest
                try record.withUnsafeMutableBytes { recordBytes in
                    var value = MDB_val(mv_size: recordBytes.count, mv_data: recordBytes.baseAddress)
                    try #require(mdb_put(txn, events, &key, &value, 0) == 0)
                }
            }
        }
        let report = try verify(path)
        #expect(report.firstBadPosition == 5)
        #expect(report.eventCount == 4)
        #expect(report.reason?.contains("digest") == true)
    }

    @Test func aDeletedRecordIsReportedAsAGap() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = try await makeStore(folder, count: 10)
        try withRawStore(path) { txn, events, _ in
            try positionKey(7).withUnsafeBytes { keyBytes in
                var key = MDB_val(mv_size: 8, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                try #require(mdb_del(txn, events, &key, nil) == 0)
            }
        }
        let report = try verify(path)
        #expect(report.firstBadPosition == 7)
        #expect(report.reason?.contains("missing") == true)
    }

    @Test func aDeletedNewestRecordIsCaughtByTheStoredHead() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = try await makeStore(folder, count: 10)
        try withRawStore(path) { txn, events, _ in
            try positionKey(10).withUnsafeBytes { keyBytes in
                var key = MDB_val(mv_size: 8, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                try #require(mdb_del(txn, events, &key, nil) == 0)
            }
        }
        #expect(try verify(path).firstBadPosition == 10)
    }

    @Test func aStreamIndexThatDisagreesWithTheEventsIsReported() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = try await makeStore(folder, count: 9, indexInterval: 4)
        // s1 holds positions 2, 5, 8 at versions 1, 2, 3, indexed in bulk. Drop version 2 from the index.
        try withRawStore(path) { txn, _, streams in
            var keyBytes = Array("s1".utf8) + [0] + positionKey(2)
            try keyBytes.withUnsafeMutableBytes { raw in
                var key = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
                try #require(mdb_del(txn, streams, &key, nil) == 0)
            }
        }
        let report = try verify(path)
        #expect(!report.isValid)
        #expect(report.firstBadPosition == 8, "version 3 no longer follows version 1")
    }

    @Test func aMissingStreamTailEntryIsReported() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        // Indexed through 8; s0 has position 10 past the index, s1 none, s2 position 9.
        let path = try await makeStore(folder, count: 10, indexInterval: 4)
        try withRawStore(path) { txn, _, _ in
            var meta: MDB_dbi = 0
            try #require(mdb_dbi_open(txn, "meta", 0, &meta) == 0)
            var keyBytes = Array("head".utf8) + [0] + Array("s2".utf8)
            try keyBytes.withUnsafeMutableBytes { raw in
                var key = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
                try #require(mdb_del(txn, meta, &key, nil) == 0)
            }
        }
        let report = try verify(path)
        #expect(report.firstBadPosition == 9)
    }

    @Test func aTamperedStoreStillOpensAndReads() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = try await makeStore(folder, count: 4)
        try withRawStore(path) { txn, events, _ in
            try positionKey(2).withUnsafeBytes { keyBytes in
                var key = MDB_val(mv_size: 8, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                try #require(mdb_del(txn, events, &key, nil) == 0)
            }
        }
        let store = try EventStore(path: path)
        defer { store.close() }
        #expect(try store.readAll().map(\.position) == [1, 3, 4])
    }
}
