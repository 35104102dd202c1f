import EventLog
import GrantLedgerDemo
import GrantWorkflow
import Testing

@testable import GrantLedger

/// A rebuild decodes events on other threads (`DecodeAhead`) while the writer evolves the models.
/// A batch is used only if it was decoded at the head the writer's transaction sees, so a commit in
/// between (an erasure above all, R-LOG-6) can never put stale plain fields into the models.
@Suite("Decoding ahead during a rebuild (R-LOG-5, R-LOG-6)")
struct DecodeAheadTests {
    @Test(
        "batches follow the log in order, and equal what the writer would decode inline, whatever the lanes",
        arguments: [1, 2, 3])
    func batchesInOrder(lanes: Int) async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        _ = try await ledger.fillDemo(DemoPlan(projects: 40, seed: 3))
        let head = try ledger.head().position
        let ahead = DecodeAhead(store: ledger.store, dbs: ledger.dbs, batchEvents: 50, lanes: lanes)
        defer { ahead.stop() }
        var position: UInt64 = 1
        var decoded: [DomainEvent] = []
        while position <= head {
            let batch = try #require(ahead.next(from: position, head: head))
            #expect(batch.first == position)
            #expect(batch.head == head)
            #expect(!batch.events.isEmpty && batch.events.count <= 50)
            decoded += batch.events
            position += UInt64(batch.events.count)
        }
        let inline = try ledger.store.read { txn in
            try txn.withUnsafeAccess { access in
                let keys = SubjectKeyring(dbs: ledger.dbs) { key in try access.get(ledger.dbs.subjects, key) }
                var events: [DomainEvent] = []
                try txn.scan(from: 1) { view in
                    events.append(try ModelMaintenance.decode(view, keys: keys))
                    return true
                }
                return events
            }
        }
        #expect(decoded.count == Int(head))
        #expect(decoded == inline)
    }

    @Test("a batch decoded before an erasure is not handed out after it: the decoder starts again")
    func staleAfterErasure() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await ErasureTests.world(dir.path)
        defer { ledger.close() }
        let before = try ledger.head().position
        let ahead = DecodeAhead(store: ledger.store, dbs: ledger.dbs, batchEvents: 4)
        defer { ahead.stop() }
        // Decoded while the leader lives: their ID number opens.
        let early = try #require(ahead.next(from: 1, head: before))
        #expect(early.head == before)
        await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        let after = try ledger.head().position
        #expect(after > before)
        // Every batch from now on was decoded at the new head, with the key gone.
        var position = early.first + UInt64(early.events.count)
        var decoded: [DomainEvent] = []
        while position <= after {
            let batch = try #require(ahead.next(from: position, head: after))
            #expect(batch.head == after)
            decoded += batch.events
            position += UInt64(batch.events.count)
        }
        let shown = decoded.map { "\($0)" }.joined()
        #expect(!shown.contains(IDs.leader))
        #expect(shown.contains(String(Unicode.Scalar(0xFDD0)!)), "the leader's fields decode as erased")
    }

    @Test("a wrong position or head restarts the decoder instead of handing out another batch")
    func mismatchRestarts() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        _ = try await ledger.fillDemo(DemoPlan(projects: 10, seed: 4))
        let head = try ledger.head().position
        let ahead = DecodeAhead(store: ledger.store, dbs: ledger.dbs, batchEvents: 8)
        defer { ahead.stop() }
        let first = try #require(ahead.next(from: 1, head: head))
        #expect(first.first == 1)
        // Jump backwards (a retried transaction) and forwards: each answer starts where asked.
        for position: UInt64 in [1, 30, 5, head] {
            let batch = try #require(ahead.next(from: position, head: head))
            #expect(batch.first == position)
        }
        // A head the log never had: nothing decoded at it can be handed out.
        #expect(ahead.next(from: 1, head: head + 1) == nil)
    }

    @Test("a rebuild with decoding ahead, then a command between chunks, still matches the live models")
    func rebuildWithCommandBetweenChunks() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await ErasureTests.world(dir.path)
        defer { ledger.close() }
        _ = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: 7, maxChunks: 2)
        // A command lands between chunks: it catches the models up itself, then erases.
        await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        _ = try ModelMaintenance.catchUpInChunks(ledger.store, dbs: ledger.dbs, chunk: 7)
        let live = try ChunkedRebuildTests.models(ledger)
        #expect(try ledger.checkModels().differences.isEmpty)
        let shown = try ErasureTests.everythingShown(ledger)
        #expect(!shown.contains(IDs.leader))
        _ = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: 7)
        #expect(try ChunkedRebuildTests.models(ledger) == live)
    }

    @Test("a keyring that reads key records ahead opens exactly what one reading a record at a time opens")
    func readAheadOpensTheSame() async throws {
        let dir = TemporaryDirectory()
        do {
            let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
            _ = try await ledger.fillDemo(DemoPlan(projects: 40, seed: 3))
            ledger.close()
        }
        // Behind the engine's back: delete the key of the 2nd subject, of the one that ends the first
        // read-ahead window started at the 3rd, and of the last; mark the 5th and the 40th erased.
        do {
            var options = EventStoreOptions()
            options.extraDatabases = ["models", "outbox", "credentials", "attachments", "ledger", "subjects"]
            let store = try EventStore(path: dir.path, options: options)
            defer { store.close() }
            let subjects = try store.database("subjects")
            _ = try store.writeSync { txn in
                var keys: [[UInt8]] = []
                try txn.scan(subjects, prefix: [UInt8(ascii: "k")]) { key, _ in
                    keys.append(Array(key))
                    return true
                }
                #expect(keys.count > 3 * SubjectKeyring.readAhead)
                for index in [1, 2 + SubjectKeyring.readAhead - 1, keys.count - 1] {
                    #expect(try txn.delete(subjects, keys[index]))
                }
                for index in [4, 39] {
                    try txn.put(subjects, keys[index], SubjectEntry.erased(1).bytes)
                }
            }
        }
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        // Each event decoded, or the reason it does not decode.
        func decodeAll(readsAhead: Bool) throws -> [(event: DomainEvent?, failure: String?)] {
            try ledger.store.read { txn in
                try txn.withUnsafeAccess { access in
                    let keys = SubjectKeyring(access: access, dbs: ledger.dbs, readsAhead: readsAhead)
                    var results: [(event: DomainEvent?, failure: String?)] = []
                    try txn.scan(from: 1) { view in
                        do {
                            results.append((try ModelMaintenance.decode(view, keys: keys), nil))
                        } catch {
                            results.append((nil, "\(error)"))
                        }
                        return true
                    }
                    return results
                }
            }
        }
        let one = try decodeAll(readsAhead: false)
        let ahead = try decodeAll(readsAhead: true)
        #expect(one.count == Int(try ledger.head().position))
        #expect(ahead.count == one.count)
        let differing = zip(ahead, one).enumerated().first {
            $0.element.0.event != $0.element.1.event || $0.element.0.failure != $0.element.1.failure
        }?.offset
        #expect(differing == nil, "event \((differing ?? 0) + 1) decodes differently")
        let failures = ahead.compactMap(\.failure)
        #expect(failures.count >= 3 && failures.allSatisfy { $0.contains("missing") }, "\(failures.prefix(3))")
        let shown = ahead.compactMap(\.event).map { "\($0)" }.joined()
        #expect(shown.contains(String(Unicode.Scalar(0xFDD0)!)), "the erased subjects' fields read erased")
    }

    @Test("a subject id read by its two halves equals the id read byte by byte")
    func subjectKeyHalves() {
        var generator = SystemRandomNumberGenerator()
        for count in [16, 16, 16, 0, 5, 15, 17, 24] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let slow = SubjectKey(bytes: bytes.lazy.map { $0 })  // not contiguous: the byte loop
            #expect(SubjectKey(bytes) == slow)
            #expect(bytes.withUnsafeBytes { SubjectKey(raw: $0) } == slow)
            #expect(SubjectKey(bytes: bytes[...]) == slow)
        }
        let ordered = SubjectKey(Array(1...16))
        #expect(ordered.high == 0x0102_0304_0506_0708 && ordered.low == 0x090A_0B0C_0D0E_0F10)
    }

    @Test("the keyring's cache starts small, grows as it fills, and stops at 4,096 slots")
    func cacheBounded() {
        var cache = SubjectCache()
        #expect(cache.capacity == 0)
        for index in 0..<10 {
            cache[SubjectKey(BigEndian.bytes(UInt64(index)) + BigEndian.bytes(UInt64(index)))] = .erased(1)
        }
        #expect(cache.capacity == 32)
        for index in 0..<100_000 {
            cache[SubjectKey(BigEndian.bytes(UInt64(index)) + BigEndian.bytes(UInt64(index * 7)))] = .missing
        }
        #expect(cache.capacity == SubjectCache.maximumSlots)
        #expect(cache.count <= SubjectCache.maximumSlots)
        let last = SubjectKey(BigEndian.bytes(UInt64(99_999)) + BigEndian.bytes(UInt64(99_999 * 7)))
        if case .missing? = cache[last] {} else { Issue.record("the newest subject is not cached") }
        cache[last] = nil
        #expect(cache[last] == nil)
    }
}
