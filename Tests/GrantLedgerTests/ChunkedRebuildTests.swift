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

    @Test("a chunk ends once its overlay holds the budget of entities and records, and the models stay the live ones")
    func heldBudget() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        _ = try await ledger.fillDemo(DemoPlan(projects: 150, seed: 5))
        let live = try Self.models(ledger)
        let head = try ledger.head().position
        // Without a budget one chunk replays the whole log; with one it stops after the event that
        // filled the overlay (the first event already fills a budget of one), and the next chunks
        // resume there.
        let whole = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: .max, held: .max, maxChunks: 1)
        #expect(whole.events == head)
        #expect(try Self.models(ledger) == live)
        var firstChunks: [UInt64] = []
        for held in [1, 40, 300] {
            let first = try ModelMaintenance.rebuild(
                ledger.store, dbs: ledger.dbs, chunk: .max, held: held, maxChunks: 1)
            firstChunks.append(first.events)
            let dbs = ledger.dbs
            let checkpoint = try ledger.store.read { txn in
                try txn.withUnsafeAccess { try ModelMaintenance.checkpoint($0, dbs: dbs) }
            }
            #expect(checkpoint == first.events, "held \(held)")
            #expect(try Self.models(ledger) != live, "held \(held)")
            let full = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: .max, held: held)
            #expect(full.events == head, "held \(held)")
            #expect(try Self.models(ledger) == live, "held \(held)")
        }
        #expect(firstChunks[0] == 1)
        #expect(firstChunks[0] < firstChunks[1] && firstChunks[1] < firstChunks[2] && firstChunks[2] < head)
        #expect(try ledger.checkModels().differences.isEmpty)
    }

    @Test("large flushes, whose entities and records are freed on another thread, rebuild the live models")
    func largeFlushes() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        _ = try await ledger.fillDemo(DemoPlan(projects: 2_400, seed: 3))
        let live = try Self.models(ledger)
        let head = try ledger.head().position
        // Chunks large enough for a flush to hold more than `ModelOverlay.large` entities and records
        // (each such flush hands over two loads: entities, then records): the whole log in one, and
        // the first half (the second half's flush then reads the stored versions the first wrote).
        for chunk in [head / 2 + 1, 65_536] {
            let before = Disposal.shared.handedOver.load(ordering: .relaxed)
            let rebuilt = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: Int(chunk))
            let loads = Disposal.shared.handedOver.load(ordering: .relaxed) - before
            #expect(loads >= 2, "chunk \(chunk): \(loads) loads handed over")
            #expect(rebuilt.events == head)
            #expect(try Self.models(ledger) == live, "chunk \(chunk)")
        }
        #expect(try ledger.checkModels().differences.isEmpty)
    }

    @Test("a flush's records built and sorted in parts on several cores merge into those built on one")
    func recordsInParts() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        _ = try await ledger.fillDemo(DemoPlan(projects: 150, seed: 5))
        let state = try PostgresReplicaTests.replayed(ledger)
        let projects = state.projects.values.sorted { $0.projectNo < $1.projectNo }
        #expect(!state.changeRequests.isEmpty && !state.closeouts.isEmpty && !state.budgetAdjustments.isEmpty)
        // Stored versions: none (a rebuild's first chunk), the same, and every third one in another unit
        // and status (derived keys dropped, counters moved).
        var moved = projects
        for index in moved.indices where index % 3 == 0 {
            moved[index].unitId = "U-elsewhere"
            moved[index].status = moved[index].status == .active ? .completed : .active
        }
        func entities(_ olds: [Project?], stored: Bool) -> [FlushEntity] {
            let units = (old: stored ? "U-elsewhere" : "", new: "U1")
            return state.accounts.values.map { .account($0, old: stored ? $0 : nil) }
                + zip(projects, olds).map { .project($0, old: $1) }
                + state.changeRequests.values.map { .changeRequest($0, old: stored ? $0 : nil, units: units) }
                + state.closeouts.values.map { .closeout($0, old: stored ? $0 : nil, units: units) }
                + state.budgetAdjustments.values.map { .adjustment($0, old: stored ? $0 : nil, units: units) }
        }
        // Records of the flush's own (here a few out of order, one with an entity's key): the first run.
        var other = FlushRecords()
        other.puts = [
            (Array("Z/9".utf8), [9]), (Array("A/1".utf8), [1]), (ModelKey.make(.project, projects[0].projectNo), [7]),
        ]
        func merged(
            _ entities: [FlushEntity], lanes: Int
        ) -> (
            records: [[UInt8]], parts: Int, deletes: [[UInt8]], counts: [String: Int]
        ) {
            var first = other
            let parts = FlushRecords.parts(entities, hasher: ledger.dbs.hasher, lanes: lanes, alsoSorting: &first)
            var records: [[UInt8]] = []
            FlushRecords.merged([first] + parts) { records.append($0.key + [0xFF] + $0.value) }
            var counts: [String: Int] = [:]
            for part in parts {
                for (counter, delta) in part.counts {
                    counts["\(counter.unit)/\(counter.dimension)/\(counter.value)", default: 0] += delta
                }
            }
            let deletes = parts.flatMap(\.deletes).sorted { ModelKey.precedes($0, $1) }
            return (records, parts.count, deletes, counts.filter { $0.value != 0 })
        }
        for (olds, stored) in [
            (projects.map { _ in nil }, false), (projects.map(Optional.some), true), (moved.map(Optional.some), true),
        ] {
            let all = entities(olds, stored: stored)
            let one = merged(all, lanes: 1)
            #expect(one.parts == 1)
            #expect(one.records.count >= projects.count)
            // In key order, each key once, and the entity's record won over the flush's own.
            let keys = one.records.map { Array($0.prefix { $0 != 0xFF }) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { ModelKey.precedes($0, $1) })
            #expect(one.records.contains(Array("A/1".utf8) + [0xFF, 1]))
            #expect(!one.records.contains(ModelKey.make(.project, projects[0].projectNo) + [0xFF, 7]))
            for lanes in [2, 3, 7] {
                let several = merged(all, lanes: lanes)
                #expect(several.parts == lanes)
                #expect(several.records == one.records, "\(lanes) lanes")
                #expect(several.deletes == one.deletes, "\(lanes) lanes")
                #expect(several.counts == one.counts, "\(lanes) lanes")
            }
        }
        // More parts than entities: the last parts are empty.
        let few = Array(entities(projects.map { _ in nil }, stored: false).prefix(5))
        #expect(merged(few, lanes: 8).records == merged(few, lanes: 1).records)
        let withMoves = merged(entities(moved.map(Optional.some), stored: true), lanes: 2)
        #expect(!withMoves.deletes.isEmpty && !withMoves.counts.isEmpty)
    }

    @Test("merging sorted runs passes each key once, the last of equal keys")
    func mergedRuns() {
        func run(_ records: [(String, UInt8)]) -> FlushRecords {
            var run = FlushRecords()
            run.puts = records.map { (Array($0.0.utf8), [$0.1]) }
            return run
        }
        var out: [String] = []
        FlushRecords.merged([
            run([("a", 1), ("c", 1), ("e", 1)]), run([]), run([("a", 2), ("b", 2), ("b", 3), ("e", 2)]),
            run([("c", 3), ("d", 3), ("ee", 3)]),
        ]) { out.append("\(String(decoding: $0.key, as: UTF8.self))\($0.value[0])") }
        #expect(out == ["a2", "b3", "c3", "d3", "e2", "ee3"])
        out = []
        FlushRecords.merged([]) { out.append(String(decoding: $0.key, as: UTF8.self)) }
        #expect(out.isEmpty)
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

    @Test(
        "opening for a rebuild leaves lagging models or models of another format alone; the rebuild makes them the live ones"
    )
    func openForRebuild() async throws {
        let dir = TemporaryDirectory()
        var live: [[UInt8]] = []
        var head: UInt64 = 0
        let options = LedgerOptions(
            policy: testPolicy, clock: { Timestamp(iso8601: "2025-12-31T23:00:00+08:00")! }, trustCommandTime: true)
        let stale: [UInt8] = [0xFE] + Array("stale".utf8)  // after every model key
        func checkpointAndFormat(_ ledger: Ledger) throws -> (UInt64, UInt64?) {
            let dbs = ledger.dbs
            return try ledger.store.read { txn in
                try txn.withUnsafeAccess { access in
                    (
                        try ModelMaintenance.checkpoint(access, dbs: dbs),
                        try access.get(dbs.ledger, LedgerMetaKey.modelFormat).flatMap(BigEndian.value)
                    )
                }
            }
        }
        /// Marks the models as the previous format's, adding `records` to them.
        func previousFormat(adding records: [([UInt8], [UInt8])] = []) throws {
            let ledger = try Ledger(path: dir.path, options: options)
            defer { ledger.close() }
            let dbs = ledger.dbs
            try ledger.store.writeSync { txn in
                try txn.withUnsafeAccess { access in
                    try access.put(dbs.ledger, LedgerMetaKey.modelFormat, BigEndian.bytes(Ledger.modelFormat - 1))
                    for (key, value) in records { try access.put(dbs.models, key, value) }
                }
            }
        }
        do {
            let ledger = try Ledger(path: dir.path, options: options)
            defer { ledger.close() }
            _ = try await ledger.fillDemo(DemoPlan(projects: 60, seed: 9))
            live = try Self.models(ledger)
            head = try ledger.head().position
            _ = try ModelMaintenance.rebuild(ledger.store, dbs: ledger.dbs, chunk: 500, maxChunks: 2)
        }
        // After an interrupted rebuild: the open replays nothing; the rebuild replays the whole log once.
        do {
            let ledger = try Ledger.openForRebuild(path: dir.path, options: options)
            defer { ledger.close() }
            let partial = try Self.models(ledger)
            #expect(partial != live)
            #expect(try checkpointAndFormat(ledger) == (1_000, Ledger.modelFormat))
            let report = try ledger.rebuildModels()
            #expect(report.events == head)
            #expect(try Self.models(ledger) == live)
            #expect(try checkpointAndFormat(ledger) == (head, Ledger.modelFormat))
        }
        // Models of another format: left as they are until the rebuild.
        try previousFormat(adding: [(stale, [1])])
        do {
            let ledger = try Ledger.openForRebuild(path: dir.path, options: options)
            defer { ledger.close() }
            #expect(try checkpointAndFormat(ledger) == (head, Ledger.modelFormat - 1))
            #expect(try Self.models(ledger) == live + [stale + [0xFF, 1]])
            #expect(try ledger.rebuildModels().events == head)
            #expect(try Self.models(ledger) == live)
            #expect(try checkpointAndFormat(ledger) == (head, Ledger.modelFormat))
            #expect(try ledger.checkModels().differences.isEmpty)
        }
        // The ordinary open of the same kind of store rebuilds at open.
        try previousFormat()
        let reopened = try Ledger(path: dir.path, options: options)
        defer { reopened.close() }
        #expect(try checkpointAndFormat(reopened) == (head, Ledger.modelFormat))
        #expect(try Self.models(reopened) == live)
    }
}
