import EventLog
import GrantLedgerDemo
import GrantWorkflow
import Testing

@testable import GrantLedger

/// A rebuild replays the log in chunks through an overlay of the models (R-LOG-5): whatever the
/// chunk size, and after an interruption finished by the next open, the models are the live ones
/// byte for byte (entities, derived keys, counters, lists), including projects that changed unit.
@Suite("Rebuild in chunks (R-LOG-5)")
struct ChunkedRebuildTests {
    /// Every record of the `models` database, in key order.
    static func models(_ ledger: Ledger) throws -> [[UInt8]] {
        let dbs = ledger.dbs
        return try ledger.store.read { txn in
            try txn.withUnsafeAccess { access in
                var records: [[UInt8]] = []
                try access.scan(dbs.models) { key, value in
                    records.append(Array(key) + [0xFF] + Array(value))
                    return true
                }
                return records
            }
        }
    }

    @Test("chunks of 1, 97, 1,000 and 65,536 events rebuild the live models byte for byte")
    func chunkSizes() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        let report = try await ledger.fillDemo(DemoPlan(projects: 150, seed: 5))
        #expect(report.unexpected.isEmpty)
        let live = try Self.models(ledger)
        let head = try ledger.head().position
        #expect(head > 1_000)
        for chunk in [97, 1_000, 65_536, 1] {
            let rebuilt = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: chunk)
            #expect(rebuilt.events == head, "chunk \(chunk)")
            #expect(rebuilt.records == live.count, "chunk \(chunk)")
            #expect(try Self.models(ledger) == live, "chunk \(chunk)")
        }
        #expect(try ledger.checkModels().differences.isEmpty)
    }

    @Test("a flush's project records built on several cores are those built on one, in the same order")
    func projectRecordsInParts() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        _ = try await ledger.fillDemo(DemoPlan(projects: 150, seed: 5))
        let projects = try PostgresReplicaTests.replayed(ledger).projects.values.sorted { $0.projectNo < $1.projectNo }
        // Stored versions: none (a rebuild's first chunk), the same, and every third one in another unit
        // and status (derived keys dropped, counters moved).
        var moved = projects
        for index in moved.indices where index % 3 == 0 {
            moved[index].unitId = "U-elsewhere"
            moved[index].status = moved[index].status == .active ? .completed : .active
        }
        func flat(_ parts: [FlushRecords]) -> (puts: [[UInt8]], deletes: [[UInt8]], counts: [String: Int]) {
            var counts: [String: Int] = [:]
            for part in parts {
                for (counter, delta) in part.counts {
                    counts["\(counter.unit)/\(counter.dimension)/\(counter.value)", default: 0] += delta
                }
            }
            return (
                parts.flatMap { $0.puts.map { $0.key + [0xFF] + $0.value } }, parts.flatMap(\.deletes),
                counts.filter { $0.value != 0 }
            )
        }
        for olds in [projects.map { _ in nil }, projects.map(Optional.some), moved.map(Optional.some)] {
            let one = flat(FlushRecords.projects(projects, olds: olds, hasher: ledger.dbs.hasher, lanes: 1))
            #expect(one.puts.count >= projects.count)
            for lanes in [2, 3, 7] {
                let parts = FlushRecords.projects(projects, olds: olds, hasher: ledger.dbs.hasher, lanes: lanes)
                #expect(parts.count == lanes)
                let several = flat(parts)
                #expect(several.puts == one.puts, "\(lanes) lanes")
                #expect(several.deletes == one.deletes, "\(lanes) lanes")
                #expect(several.counts == one.counts, "\(lanes) lanes")
            }
        }
        // More parts than projects: the last parts are empty.
        let few = Array(projects.prefix(5))
        let none = few.map { _ -> Project? in nil }
        #expect(
            flat(FlushRecords.projects(few, olds: none, hasher: ledger.dbs.hasher, lanes: 4)).puts
                == flat(FlushRecords.projects(few, olds: none, hasher: ledger.dbs.hasher, lanes: 1)).puts
        )
        let withMoves = flat(FlushRecords.projects(projects, olds: moved.map(Optional.some), hasher: ledger.dbs.hasher))
        #expect(!withMoves.deletes.isEmpty && !withMoves.counts.isEmpty)
    }

    @Test("a project that changes unit takes its other items' counters along, in any chunking")
    func unitChange() async throws {
        let (dir, ledger) = try await LedgerQueryTests.world()
        defer { ledger.close() }
        _ = dir
        // A draft that stays open (counted for the project's unit), then the move from U1 to U3.
        await ledger.expectAccepted(Scenario.change("CR-T", kind: "changeTitle", details: ["newTitle": "新题目"]))
        await ledger.expectAccepted(
            Scenario.change("CR-U", kind: "changeUnit", details: ["newUnitId": "U3"]))
        await ledger.expectAccepted(Scenario.submit("CR-U"))
        for reviewer in ["UA1", "PO1", "N0"] {
            let outcome = await ledger.execute(line: Scenario.review("CR-U", by: reviewer))
            if !outcome.isAccepted {
                await ledger.expectAccepted(Scenario.review("CR-U", by: "UA3"))
                await ledger.expectAccepted(Scenario.review("CR-U", by: reviewer))
            }
        }
        #expect(try ledger.project("24BZX001", as: .everything)[member: "unitId"] == .string("U3"))
        let live = try Self.models(ledger)
        for chunk in [1, 2, 5, 65_536] {
            _ = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: chunk)
            #expect(try Self.models(ledger) == live, "chunk \(chunk)")
        }
        #expect(try ledger.checkModels().differences.isEmpty)
    }

    @Test("an interrupted rebuild leaves models consistent with its checkpoint; the next open finishes it")
    func interrupted() async throws {
        let dir = TemporaryDirectory()
        var live: [[UInt8]] = []
        do {
            let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
            defer { ledger.close() }
            _ = try await ledger.fillDemo(DemoPlan(projects: 60, seed: 9))
            live = try Self.models(ledger)
            let partial = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: 500, maxChunks: 2)
            #expect(partial.events == 1_000)
            #expect(try Self.models(ledger) != live)
        }
        let reopened = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { reopened.close() }
        #expect(try Self.models(reopened) == live)
        #expect(try reopened.checkModels().differences.isEmpty)
    }
}
