import EventLog
import Foundation
import GrantLedger
import GrantLedgerDemo
import GrantLedgerPostgres
import GrantWorkflow
import Synchronization
import Testing

/// Replica URLs, parsed without a server.
@Suite("PostgreSQL replica URLs")
struct ReplicaURLTests {
    @Test("a URL names a host, a port in 1-65535 (5432 by default), a user and a database")
    func parsing() throws {
        let url = try ReplicaURL("postgres://alice:pw@db.example:6543/ledger")
        #expect(url.host == "db.example" && url.port == 6543 && url.username == "alice" && url.database == "ledger")
        #expect(try ReplicaURL("postgresql://127.0.0.1/x").port == 5432)
        // An outside audit's 99999 was cut to 16 bits and reached port 34463.
        for text in [
            "postgres://h:99999/x", "postgres://h:65536/x", "postgres://h:0/x", "mysql://h/x", "postgres:///x",
        ] {
            #expect(throws: ReplicaError.self, "\(text)") { try ReplicaURL(text) }
        }
    }

    @Test("sslmode and sslrootcert are read; an unknown parameter or mode is refused, never ignored")
    func connectionParameters() throws {
        #expect(try ReplicaURL("postgres://h/x").sslMode == .disable)
        #expect(try ReplicaURL("postgres://h/x?sslmode=require").sslMode == .require)
        let full = try ReplicaURL("postgres://h/x?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(full.sslMode == .verifyFull && full.sslRootCertificate == "/etc/ca.pem")
        for text in [
            "postgres://h/x?sslmode=on", "postgres://h/x?sslmode=", "postgres://h/x?ssl=true",
            "postgres://h/x?application_name=a", "postgres://h/x?sslrootcert=",
        ] {
            #expect(throws: ReplicaError.self, "\(text)") { try ReplicaURL(text) }
        }
        // Through the command line: a usage error, exit 64, before anything is opened.
        let dir = TemporaryDirectory()
        let refused = try runCLI(
            ["restore", "--from-postgres", "postgres://h/x?sslmode=yes", dir.child("r")], store: dir.path)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("sslmode"))
    }
}

/// The PostgreSQL replica (GrantLedgerPostgres, `sink postgres`, `replay verify --postgres`,
/// `restore --from-postgres`) against a real PostgreSQL server: the one named by
/// `GRANTLEDGER_TEST_POSTGRES_URL` (scripts/postgres-test-cluster.sh starts one; scripts/test.sh and
/// CI do it themselves). Without it every test here is skipped, and says so.
@Suite(
    "PostgreSQL replica", .serialized,
    .enabled(
        if: PostgresTestServer.baseURL != nil,
        "GRANTLEDGER_TEST_POSTGRES_URL is unset (scripts/postgres-test-cluster.sh start)"))
struct PostgresReplicaTests {
    /// The 2,000-project demo, filled once for the suite (read-only for the tests that share it).
    static let demo = SharedDemo(projects: 2_000, seed: 11)
    /// A 200-project demo for the tests that need a store of their own to change.
    static let smallDemo = SharedDemo(projects: 200, seed: 5)

    @Test("a full sync of the 2,000-project demo verifies from PostgreSQL to the store's head")
    func fullSyncOfTheDemo() async throws {
        PostgresTestServer.ran("fullSyncOfTheDemo")
        let store = try await Self.demo.path()
        let database = try PostgresTestServer.newDatabase()
        let sink = try runCLI(["sink", "postgres", "--url", database], store: store)
        #expect(sink.status == 0, "\(sink.stderr)")
        let onStore = try runCLI(["replay", "verify"], store: store)
        let onReplica = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(onStore.status == 0 && onReplica.status == 0, "\(onReplica.stdout) \(onReplica.stderr)")
        #expect(Self.field("head digest:", onReplica.stdout) == Self.field("head digest:", onStore.stdout))
        #expect(Self.field("events:", onReplica.stdout) == Self.field("events:", onStore.stdout))
        #expect(try PostgresTestServer.query(database, Self.deferredIndexesSQL) == "4")
        #expect(try PostgresTestServer.query(database, Self.primaryKeysSQL) == "4")
        print("PostgreSQL replica: \(Self.field("rate:", sink.stdout) ?? "?") (full sync of the 2,000-project demo)")

        // The read tables equal the store's read models (replayed here through the workflow).
        let ledger = try Ledger(path: store)
        defer { ledger.close() }
        let state = try Self.replayed(ledger)
        let counts = try PostgresTestServer.query(
            database,
            """
            SELECT (SELECT count(*) FROM grantledger.projects) || ' ' || (SELECT count(*) FROM grantledger.change_requests)
                || ' ' || (SELECT count(*) FROM grantledger.closeouts) || ' ' || (SELECT count(*) FROM grantledger.budget_adjustments)
                || ' ' || (SELECT count(*) FROM grantledger.accounts) || ' ' || (SELECT count(*) FROM grantledger.units)
                || ' ' || (SELECT count(*) FROM grantledger.provinces)
            """)
        let expected = [
            state.projects.count, state.changeRequests.count, state.closeouts.count, state.budgetAdjustments.count,
            state.accounts.count, state.units.count, state.provinces.count,
        ].map(String.init).joined(separator: " ")
        #expect(counts == expected)
        let effective = try PostgresTestServer.query(
            database, "SELECT count(*) FROM grantledger.change_requests WHERE status = 'effective'")
        #expect(effective == String(state.changeRequests.values.filter { $0.status == .effective }.count))
        let decisions = try PostgresTestServer.query(database, "SELECT count(*) FROM grantledger.decisions")
        var decisionCount = 0
        for request in state.changeRequests.values { decisionCount += request.decisions.count }
        for closeout in state.closeouts.values { decisionCount += closeout.decisions.count }
        for adjustment in state.budgetAdjustments.values { decisionCount += adjustment.decisions.count }
        #expect(decisions == String(decisionCount))
        let leaders = try PostgresTestServer.query(
            database, "SELECT count(*) FROM grantledger.projects p WHERE p.leader_name IS NOT NULL")
        #expect(leaders == String(state.projects.count))

        // docs/reporting.md: each query runs on the demo and gives a sensible answer.
        for (title, sql) in try ReportingQueries.all() {
            let rows = try PostgresTestServer.query(database, sql)
            #expect(!rows.isEmpty, "the query '\(title)' of docs/reporting.md returned nothing on the demo")
        }
        let perUnit = try PostgresTestServer.query(
            database, try ReportingQueries.named("Effective changes per unit and kind") + "\n")
        let total = perUnit.split(separator: "\n").compactMap { $0.split(separator: "|").last.flatMap { Int($0) } }
            .reduce(0, +)
        #expect(total == state.changeRequests.values.filter { $0.status == .effective }.count)
    }

    @Test("read tables rendered from the store's read models equal those kept batch by batch from the events")
    func readTablesFromModelsEqualIncremental() async throws {
        PostgresTestServer.ran("readTablesFromModelsEqualIncremental")
        let store = try await Self.demo.path()
        // One batch reaching the head: the read tables come from the store's read models, copied first.
        let whole = try PostgresTestServer.newDatabase()
        let first = try runCLI(["sink", "postgres", "--url", whole], store: store)
        #expect(
            first.status == 0 && Self.field("copied:", first.stdout)?.hasSuffix("in 1 transactions") == true, "\(first)"
        )
        // Batches of 500: each batch's touched entities are deleted and written anew from the replayed state.
        let batched = try PostgresTestServer.newDatabase()
        let second = try runCLI(["sink", "postgres", "--url", batched, "--batch", "500"], store: store)
        #expect(second.status == 0, "\(second.stderr)")
        try Self.expectSameTables(whole, batched)
    }

    /// Expects every table of the two replicas to hold the same rows.
    static func expectSameTables(_ one: String, _ other: String) throws {
        for table in Self.replicaTables {
            let sql =
                "SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \(table) t"
            let rows = try PostgresTestServer.query(one, sql)
            #expect(rows.hasPrefix("0 ") == false || table.hasSuffix("filings"), "\(table) is empty")
            #expect(rows == (try PostgresTestServer.query(other, sql)), "\(table)")
        }
    }

    @Test("an initial sync whose store's read models cannot be read takes its tables from the replayed state")
    func unreadableModelsFallBack() async throws {
        PostgresTestServer.ran("unreadableModelsFallBack")
        let directory = TemporaryDirectory()
        let store = try await Self.copyOfSmallDemo(in: directory)
        // Garbage in place of one project's read-model record: the log is intact.
        let ledger = try Ledger(path: store)
        let projectNo = try #require(try Self.replayed(ledger).projects.keys.sorted().first)
        let models = try ledger.store.database("models")
        let key = Array("P".utf8) + [0] + Array(projectNo.utf8)
        try ledger.store.writeSync { txn in try txn.put(models, key, [0xFF, 0xFF, 0xFF]) }
        #expect(throws: (any Error).self) { try ledger.readModelSnapshot() }
        ledger.close()

        let whole = try PostgresTestServer.newDatabase()
        let first = try runCLI(["sink", "postgres", "--url", whole], store: store)
        #expect(
            first.status == 0 && Self.field("copied:", first.stdout)?.hasSuffix("in 1 transactions") == true, "\(first)"
        )
        #expect(
            try PostgresTestServer.query(
                whole, "SELECT count(*) FROM grantledger.projects WHERE project_no = '\(projectNo)'") == "1")
        let batched = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", batched, "--batch", "500"], store: store).status == 0)
        try Self.expectSameTables(whole, batched)
    }

    @Test("a sink that goes on after a first batch from the read models replays the state that batch skipped")
    func batchesAfterTheModelsBatch() async throws {
        PostgresTestServer.ran("batchesAfterTheModelsBatch")
        let directory = TemporaryDirectory()
        let store = try await Self.copyOfSmallDemo(in: directory)
        let ledger = try Ledger(path: store)
        defer { ledger.close() }
        let state = try Self.replayed(ledger)
        let office = try #require(state.accounts.values.first { $0.role == .nationalOffice && $0.enabled })
        let leaders = state.accounts.values.filter { $0.role == .leader && $0.enabled }.map(\.id).sorted().prefix(12)
        #expect(leaders.count == 12)

        // One run: the first batch reaches the head and takes its tables from the models (the state is
        // not evolved through it); the commands after it change accounts that batch copied.
        let database = try PostgresTestServer.newDatabase()
        let start = try ledger.head().position
        let sink = PostgresSink(ledger: ledger, url: try ReplicaURL(database), batchSize: 100_000)
        let following = Task { try await sink.run(follow: true, until: start + UInt64(leaders.count)) }
        let copied = try await Self.checkpoint(of: database, reaching: start, poll: .milliseconds(20))
        #expect(copied == start)
        for leader in leaders {
            let outcome = await ledger.execute(
                line: line("setAccountEnabled", ["accountId": leader, "enabled": false], by: office.id))
            #expect(outcome.isAccepted, "\(outcome.jsonLine)")
        }
        let report = try await following.value
        #expect(report.position == start + UInt64(leaders.count) && report.batches >= 2, "\(report)")
        #expect(
            try PostgresTestServer.query(database, "SELECT count(*) FROM grantledger.accounts WHERE NOT enabled")
                == String(state.accounts.values.filter { !$0.enabled }.count + leaders.count))

        // The same tables as one sync of the final log.
        let whole = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", whole], store: store).status == 0)
        try Self.expectSameTables(database, whole)
    }

    /// A copy of the 200-project demo's store in `directory`, for a test that changes it.
    static func copyOfSmallDemo(in directory: TemporaryDirectory) async throws -> String {
        let original = try await smallDemo.path()
        let store = directory.child("store")
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: original + "/data.mdb", toPath: store + "/data.mdb")
        return store
    }

    /// Every table of the replica, with what the sink writes (events without `copied_at`).
    static let replicaTables = [
        "(SELECT position, stream, stream_version, type, schema_version, time, command_id, actor, causation_id, correlation_id, payload, record, digest FROM grantledger.events)",
        "grantledger.provinces", "grantledger.units", "grantledger.accounts", "grantledger.projects",
        "grantledger.project_members", "grantledger.change_requests", "grantledger.decisions", "grantledger.closeouts",
        "grantledger.budget_adjustments", "grantledger.filings", "grantledger_keys.subject_records",
    ]

    @Test("an initial sync killed inside its first batch, primary keys dropped, leaves them in place")
    func killedFirstBatchKeepsPrimaryKeys() async throws {
        PostgresTestServer.ran("killedFirstBatchKeepsPrimaryKeys")
        let store = try await Self.smallDemo.path()
        let database = try PostgresTestServer.newDatabase()
        // One batch for the whole log, held open for 30 s before its commit.
        let process = try Self.start(
            ["sink", "postgres", "--url", database], store: store,
            environment: ["GRANTLEDGER_SINK_PAUSE_BEFORE_COMMIT_MS": "30000"])
        // The batch holds `events` locked (ACCESS EXCLUSIVE) from the moment it drops that table's
        // primary key: wait for the lock, then for the rows to be sent and the batch to pause.
        let locked = """
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'events' AND l.mode = 'AccessExclusiveLock' AND l.granted
            """
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning, (try? PostgresTestServer.query(database, locked)) != "1" {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .seconds(2))
        let stillLocked = try PostgresTestServer.query(database, locked)
        #expect(process.isRunning && stillLocked == "1")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try PostgresTestServer.query(database, Self.checkpointSQL) == "0")
        #expect(try PostgresTestServer.query(database, Self.primaryKeysSQL) == "4")
        #expect(try PostgresTestServer.query(database, "SELECT count(*) FROM grantledger.events") == "0")

        let resumed = try runCLI(["sink", "postgres", "--url", database], store: store)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try PostgresTestServer.query(database, Self.primaryKeysSQL) == "4")
        let verify = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    /// The primary keys an initial sync's first batch drops and adds back.
    static let primaryKeysSQL = """
        SELECT count(*) FROM pg_constraint
        WHERE contype = 'p' AND conname IN ('events_pkey', 'subject_records_pkey', 'projects_pkey', 'project_members_pkey')
        """

    @Test("a sink killed in the middle of a batch resumes with no gap and no duplicate")
    func killedSinkResumes() async throws {
        PostgresTestServer.ran("killedSinkResumes")
        let store = try await Self.demo.path()
        let database = try PostgresTestServer.newDatabase()
        let head = try Self.head(store)
        // Each batch waits 300 ms between sending its rows and committing, so a kill lands mid-batch.
        let process = try Self.start(
            ["sink", "postgres", "--url", database, "--batch", "1000"], store: store,
            environment: ["GRANTLEDGER_SINK_PAUSE_BEFORE_COMMIT_MS": "300"])
        _ = try await Self.checkpoint(of: database, reaching: 2_000, seconds: 120) { process.isRunning }
        try await Task.sleep(for: .milliseconds(150))
        #expect(process.isRunning, "the sink finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let atKill = UInt64(try PostgresTestServer.query(database, Self.checkpointSQL)) ?? 0
        #expect(atKill > 0 && atKill < head.position)
        #expect(try PostgresTestServer.query(database, "SELECT count(*) FROM grantledger.events") == String(atKill))
        // The initial sync builds its secondary indexes when it catches up: none yet.
        #expect(try PostgresTestServer.query(database, Self.deferredIndexesSQL) == "0")

        let resumed = try runCLI(["sink", "postgres", "--url", database, "--batch", "1000"], store: store)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(Self.field("copied:", resumed.stdout)?.hasPrefix("copied: \(head.position - atKill) events") == true)
        let rows = try PostgresTestServer.query(
            database,
            "SELECT count(*) || ' ' || count(DISTINCT position) || ' ' || max(position) FROM grantledger.events")
        #expect(rows == "\(head.position) \(head.position) \(head.position)")
        let verify = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(Self.field("head digest:", verify.stdout) == "head digest: \(PasswordHasher.hex(head.digest))")
        // The resumed sink caught up, so it built them, each valid.
        #expect(try PostgresTestServer.query(database, Self.deferredIndexesSQL) == "4")
    }

    @Test("a tampered row makes verify --postgres fail at its position")
    func tamperedRowIsFound() async throws {
        PostgresTestServer.ran("tamperedRowIsFound")
        let store = try await Self.smallDemo.path()
        let database = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", database], store: store).status == 0)
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: store).status == 0)

        _ = try PostgresTestServer.query(
            database,
            "UPDATE grantledger.events SET record = set_byte(record, 60, get_byte(record, 60) # 1) WHERE position = 500"
        )
        let tampered = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("first bad position: 500"), "\(tampered.stdout)")
        #expect(tampered.stdout.contains("result: FAILED"))

        // A column changed without its record bytes is found too.
        _ = try PostgresTestServer.query(
            database,
            """
            UPDATE grantledger.events SET record = set_byte(record, 60, get_byte(record, 60) # 1) WHERE position = 500;
            UPDATE grantledger.events SET actor = 'someone-else' WHERE position = 300
            """)
        let relabelled = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(relabelled.status == 1)
        #expect(relabelled.stdout.contains("first bad position: 300"), "\(relabelled.stdout)")
    }

    @Test("a changed payload, or a subject key gone from the replica, makes verify --postgres fail at its position")
    func tamperedPayloadIsFound() async throws {
        PostgresTestServer.ran("tamperedPayloadIsFound")
        let store = try await Self.smallDemo.path()
        let database = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", database], store: store).status == 0)
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: store).status == 0)

        // A project's title changed in `payload` alone (what reports read).
        let position = try PostgresTestServer.query(
            database,
            "SELECT min(position) FROM grantledger.events WHERE position > 100 AND payload #> '{project,title}' IS NOT NULL"
        )
        let original = try PostgresTestServer.query(
            database, "SELECT payload::text FROM grantledger.events WHERE position = \(position)")
        _ = try PostgresTestServer.query(
            database,
            """
            UPDATE grantledger.events SET payload = jsonb_set(payload, '{project,title}', '"TAMPERED"')
            WHERE position = \(position)
            """)
        let tampered = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("first bad position: \(position)\n"), "\(tampered.stdout)")
        #expect(tampered.stdout.contains("the payload column differs from its record bytes"), "\(tampered.stdout)")
        #expect(tampered.stdout.contains("head position: \(UInt64(position)! - 1)\n"), "\(tampered.stdout)")
        #expect(tampered.stdout.contains("result: FAILED"))
        // A later row of the same page changed too: the payload is still the first bad row.
        let later = UInt64(position)! + 50
        let actor = try PostgresTestServer.query(
            database, "SELECT actor FROM grantledger.events WHERE position = \(later)")
        _ = try PostgresTestServer.query(
            database, "UPDATE grantledger.events SET actor = 'someone-else' WHERE position = \(later)")
        let both = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(both.stdout.contains("first bad position: \(position)\n"), "\(both.stdout)")
        _ = try PostgresTestServer.query(
            database, "UPDATE grantledger.events SET actor = '\(actor)' WHERE position = \(later)")

        // The same value again (jsonb keeps neither member order nor spacing) verifies.
        _ = try PostgresTestServer.query(
            database,
            "UPDATE grantledger.events SET payload = $json$\(original)$json$::jsonb WHERE position = \(position)")
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: store).status == 0)

        // A live subject's key deleted from the replica: its first field is a bad row, as on the store.
        let subject = try PostgresTestServer.query(
            database,
            """
            SELECT encode(substring(key FROM 2), 'hex') FROM grantledger_keys.subject_records
            WHERE get_byte(key, 0) = 107 AND get_byte(value, 0) = 1 ORDER BY key LIMIT 1
            """)
        let first = try {
            let ledger = try Ledger(path: store)
            defer { ledger.close() }
            return try #require(try ledger.positionsHolding(subject: subject).min())
        }()
        _ = try PostgresTestServer.query(
            database,
            "DELETE FROM grantledger_keys.subject_records WHERE key = decode('6b\(subject)', 'hex')")
        let keyless = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(keyless.status == 1)
        #expect(keyless.stdout.contains("first bad position: \(first)\n"), "\(keyless.stdout)")
        #expect(keyless.stdout.contains("is missing, and the subject was never erased"), "\(keyless.stdout)")
    }

    @Test("after an erasure, a plain value for an erased field or a forged erasure mark fails verify --postgres")
    func tamperedErasureIsFound() async throws {
        PostgresTestServer.ran("tamperedErasureIsFound")
        let directory = TemporaryDirectory()
        let ledger = try await ErasureTests.world(directory.child("world"))
        defer { ledger.close() }
        let database = try PostgresTestServer.newDatabase()
        let sink = PostgresSink(ledger: ledger, url: try ReplicaURL(database), batchSize: 7)
        _ = try await sink.run()
        await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        _ = try await sink.run()
        let store = directory.child("world")
        let sound = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(sound.status == 0, "\(sound.stdout)")

        // An erased field of a re-rendered row given a plain value.
        let position = try PostgresTestServer.query(
            database, #"SELECT min(position) FROM grantledger.events WHERE payload::text LIKE '%"erased": true%'"#)
        let original = try PostgresTestServer.query(
            database, "SELECT payload::text FROM grantledger.events WHERE position = \(position)")
        _ = try PostgresTestServer.query(
            database,
            #"""
            UPDATE grantledger.events SET payload = replace(payload::text, '{"erased": true}', '"李雷"')::jsonb
            WHERE position = \#(position)
            """#)
        let plain = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("first bad position: \(position)\n"), "\(plain.stdout)")
        #expect(plain.stdout.contains("the payload column differs from its record bytes"), "\(plain.stdout)")
        _ = try PostgresTestServer.query(
            database,
            "UPDATE grantledger.events SET payload = $json$\(original)$json$::jsonb WHERE position = \(position)")
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: store).status == 0)

        // An erasure mark moved off its SubjectErased row (the payloads still read as erased).
        let subject = try PostgresTestServer.query(
            database,
            """
            SELECT encode(substring(key FROM 2), 'hex') FROM grantledger_keys.subject_records
            WHERE get_byte(key, 0) = 107 AND get_byte(value, 0) = 2 ORDER BY key LIMIT 1
            """)
        let first = try #require(try ledger.positionsHolding(subject: subject).min())
        _ = try PostgresTestServer.query(
            database,
            """
            UPDATE grantledger_keys.subject_records SET value = set_byte(value, 8, get_byte(value, 8) # 1)
            WHERE key = decode('6b\(subject)', 'hex')
            """)
        let forged = try runCLI(["replay", "verify", "--postgres", database], store: store)
        #expect(forged.status == 1)
        #expect(forged.stdout.contains("first bad position: \(first)\n"), "\(forged.stdout)")
        #expect(forged.stdout.contains("where no SubjectErased event names it"), "\(forged.stdout)")
    }

    @Test("a sink refuses a replica whose checkpoint digest is not the log's: diverged")
    func divergedCheckpointIsRefused() async throws {
        PostgresTestServer.ran("divergedCheckpointIsRefused")
        let store = try await Self.smallDemo.path()
        let database = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", database, "--batch", "700"], store: store).status == 0)
        // Another store's copy: the standard world has another digest at every position.
        let directory = TemporaryDirectory()
        let other = try openTestLedger(directory.child("other"))
        for text in Scenario.standard { _ = await other.execute(line: text) }
        other.close()
        let refused = try runCLI(["sink", "postgres", "--url", database], store: directory.child("other"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(#""code":"diverged""#), "\(refused.stderr)")

        // The same store with the checkpoint's digest changed in PostgreSQL.
        _ = try PostgresTestServer.query(
            database, "UPDATE grantledger.checkpoint SET digest = set_byte(digest, 0, get_byte(digest, 0) # 255)")
        let changed = try runCLI(["sink", "postgres", "--url", database], store: store)
        #expect(changed.status == 1)
        #expect(changed.stderr.contains(#""code":"diverged""#), "\(changed.stderr)")
        #expect(changed.stderr.contains("position"))
    }

    @Test("restore --from-postgres rebuilds a store with the same head that the engine runs on")
    func restoreRoundTrip() async throws {
        PostgresTestServer.ran("restoreRoundTrip")
        let store = try await Self.smallDemo.path()
        let database = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", database], store: store).status == 0)
        let directory = TemporaryDirectory()
        let destination = directory.child("restored")
        let restored = try runCLI(["restore", "--from-postgres", database, destination], store: store)
        #expect(restored.status == 0, "\(restored.stderr)")
        let original = try runCLI(["replay", "verify"], store: store)
        let copy = try runCLI(["replay", "verify"], store: destination)
        #expect(copy.status == 0, "\(copy.stdout)")
        #expect(Self.field("head digest:", copy.stdout) == Self.field("head digest:", original.stdout))
        #expect(Self.field("head digest:", restored.stdout) == Self.field("head digest:", original.stdout))
        let check = try runCLI(["replay", "rebuild", "--check"], store: destination)
        #expect(check.status == 0, "\(check.stdout)")
        do {
            let original = try Ledger(path: store, options: LedgerOptions())
            defer { original.close() }
            let copy = try Ledger(path: destination, options: LedgerOptions())
            defer { copy.close() }
            #expect(try Self.subjectRecords(copy) == Self.subjectRecords(original))
        }
        let projects = try runCLI(["query", "projects", "--format", "json"], store: destination)
        let originalProjects = try runCLI(["query", "projects", "--format", "json"], store: store)
        #expect(projects.stdout == originalProjects.stdout)

        // The engine runs on it: a command is accepted and chained after the restored head.
        let ledger = try openTestLedger(destination, now: "2026-01-10T09:00:00+08:00")
        let outcome = await ledger.execute(
            line: line("createProvince", ["provinceId": "PX", "name": "测试省"], by: "NOPSS"))
        #expect(outcome.isAccepted, "\(outcome.jsonLine)")
        #expect(try ledger.verify().isValid)
        ledger.close()

        // A destination that already holds something is refused; so is a tampered replica.
        let again = try runCLI(["restore", "--from-postgres", database, destination], store: store)
        #expect(again.status == 2)
        _ = try PostgresTestServer.query(
            database, "UPDATE grantledger.events SET record = set_byte(record, 60, 0) WHERE position = 99")
        let broken = try runCLI(["restore", "--from-postgres", database, directory.child("broken")], store: store)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("99"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("broken")))
    }

    @Test("restore reads one snapshot, checks the checkpoint and verifies what it built; nothing at DEST until then")
    func restoreRefusesWhatWouldNotVerify() async throws {
        PostgresTestServer.ran("restoreRefusesWhatWouldNotVerify")
        let directory = TemporaryDirectory()
        // The 2,000-project demo: more than one page of rows, so the restore reads the replica twice.
        let store = directory.child("store")
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try await Self.demo.path() + "/data.mdb", toPath: store + "/data.mdb")
        let database = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", database], store: store).status == 0)
        let before = try Self.head(store)
        #expect(before.position > 4_096)  // ReplicaRestore reads 4,096 rows a page

        // A sink commits an erasure while the restore reads (after its first page): the restore is the
        // replica as it was when it began, whole, and verifies; nothing is at DEST until the end.
        let destination = directory.child("restored")
        let erased = Mutex(false)
        let head = try await ReplicaRestore.restore(url: try ReplicaURL(database), to: destination) { _ in
            #expect(!FileManager.default.fileExists(atPath: destination))
            guard
                !erased.withLock({
                    let first = !$0
                    $0 = true
                    return first
                })
            else { return }
            // The first of these whose person the demo has not erased already.
            let erasure = ["PO-BJ", "PO-SH", "UA-U002", "UA-U003"].lazy.compactMap { account in
                try? apply(
                    [line("eraseSubject", ["accountId": account, "reason": "依本人申请删除个人信息"], by: "NOPSS")],
                    store: store, trustCommandTime: false)
            }.first { $0.status == 0 }
            #expect(erasure != nil)
            #expect((try? runCLI(["sink", "postgres", "--url", database], store: store).status) == 0)
        }
        #expect(erased.withLock { $0 })
        #expect(head.position == before.position && head.digest == before.digest)
        #expect(try runCLI(["replay", "verify"], store: destination).stdout.contains("result: OK"))
        #expect(try Self.head(store).position > before.position)

        // Rows missing at the end: the checkpoint says more. Refused, exit 1, nothing left behind.
        _ = try PostgresTestServer.query(
            database, "DELETE FROM grantledger.events WHERE position > \(before.position - 5)")
        let short = try runCLI(["restore", "--from-postgres", database, directory.child("short")], store: store)
        #expect(short.status == 1, "\(short.stderr)")
        #expect(short.stderr.contains("checkpoint"), "\(short.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["restored", "store"])
        // A sink on it does not go on from the checkpoint over the gap, reporting success.
        let gap = try runCLI(["sink", "postgres", "--url", database], store: store)
        #expect(gap.status == 1, "\(gap.stdout) \(gap.stderr)")
        #expect(gap.stderr.contains("newest row"), "\(gap.stderr)")

        // A live subject's key overwritten with an erasure mark no SubjectErased event made: the
        // restored store would never verify, so the restore refuses it.
        let forged = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", forged], store: store).status == 0)
        _ = try PostgresTestServer.query(
            forged,
            """
            UPDATE grantledger_keys.subject_records SET value = '\\x020000000000000005'::bytea
            WHERE key = (SELECT key FROM grantledger_keys.subject_records WHERE substring(key FROM 1 FOR 1) = 'k'::bytea
                AND substring(value FROM 1 FOR 1) = '\\x01'::bytea ORDER BY key LIMIT 1)
            """)
        let mark = try runCLI(["restore", "--from-postgres", forged, directory.child("forged")], store: store)
        #expect(mark.status == 1, "\(mark.stderr)")
        #expect(mark.stderr.contains("does not verify"), "\(mark.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("forged")))
        // A live subject's key deleted: the restored log cannot be read, a bad record as well (exit 1).
        let lost = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", lost], store: store).status == 0)
        _ = try PostgresTestServer.query(
            lost,
            """
            DELETE FROM grantledger_keys.subject_records
            WHERE key = (SELECT key FROM grantledger_keys.subject_records WHERE substring(key FROM 1 FOR 1) = 'k'::bytea
                AND substring(value FROM 1 FOR 1) = '\\x01'::bytea ORDER BY key LIMIT 1)
            """)
        let keyless = try runCLI(["restore", "--from-postgres", lost, directory.child("keyless")], store: store)
        #expect(keyless.status == 1, "\(keyless.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("keyless")))
    }

    @Test("sslmode=require is not dropped: a server without TLS is refused; sslmode=disable connects")
    func sslModeRequireIsHonoured() async throws {
        PostgresTestServer.ran("sslModeRequireIsHonoured")
        let store = try await Self.smallDemo.path()
        let database = try PostgresTestServer.newDatabase()
        // The test server has no TLS: before, the parameter was ignored and the sink ran in clear.
        let required = try runCLI(["sink", "postgres", "--url", database + "?sslmode=require"], store: store)
        #expect(required.status == 2, "\(required.stdout) \(required.stderr)")
        #expect(
            try PostgresTestServer.query(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'grantledger'")
                == "0")
        let plain = try runCLI(["sink", "postgres", "--url", database + "?sslmode=disable"], store: store)
        #expect(plain.status == 0, "\(plain.stderr)")
    }

    @Test("a malformed row: restore exits 1 naming its position, and removes the store it began")
    func restoreOfAMalformedRowNamesItAndLeavesNothing() async throws {
        PostgresTestServer.ran("restoreOfAMalformedRowNamesItAndLeavesNothing")
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        #expect(try apply(Scenario.standard, store: store).status == 0)
        let database = try PostgresTestServer.newDatabase()
        #expect(try runCLI(["sink", "postgres", "--url", database], store: store).status == 0)
        _ = try PostgresTestServer.query(
            database, "UPDATE grantledger.events SET record = substring(record FROM 1 FOR 9) WHERE position = 7")
        // Into folders it creates: all of them are gone afterwards.
        let nested = try runCLI(
            ["restore", "--from-postgres", database, directory.child("new/restored")], store: store)
        #expect(nested.status == 1)
        #expect(nested.stderr.contains("position 7"), "\(nested.stderr)")
        #expect(nested.stderr.contains("malformed"), "\(nested.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("new")))
        // Into an empty folder that was there: the folder stays, empty.
        let empty = directory.child("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        let into = try runCLI(["restore", "--from-postgres", database, empty], store: store)
        #expect(into.status == 1)
        #expect(into.stderr.contains("position 7"), "\(into.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
        // A file in DEST's place is refused and left as it was.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: directory.child("file")))
        let onFile = try runCLI(["restore", "--from-postgres", database, directory.child("file")], store: store)
        #expect(onFile.status == 2)
        #expect(try String(contentsOfFile: directory.child("file"), encoding: .utf8) == "notes")
    }

    @Test("--follow stays live while 8 writers append; lag measured")
    func followWhileWritersAppend() async throws {
        PostgresTestServer.ran("followWhileWritersAppend")
        let clients = Int(ProcessInfo.processInfo.environment["GRANTLEDGER_TEST_FOLLOW_CLIENTS"] ?? "") ?? 8
        let perClient = Int(ProcessInfo.processInfo.environment["GRANTLEDGER_TEST_FOLLOW_COMMANDS"] ?? "") ?? 60
        let directory = TemporaryDirectory()
        let path = directory.child("live")
        // The real clock: lag is measured from each event's time to its batch's commit in PostgreSQL.
        let ledger = try Ledger(path: path, options: LedgerOptions(policy: testPolicy))
        defer { ledger.close() }
        for text in Scenario.organisation { await ledger.expectAccepted(text) }
        let database = try PostgresTestServer.newDatabase()
        let start = try ledger.head().position
        let target = start + UInt64(clients * perClient)
        let sink = PostgresSink(ledger: ledger, url: try ReplicaURL(database), batchSize: 500)
        let following = Task { try await sink.run(follow: true, until: target) }
        try await Task.sleep(for: .milliseconds(300))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for number in 0..<perClient {
                        let outcome = await ledger.execute(
                            line: line(
                                "createProvince",
                                ["provinceId": "W\(client)-\(number)", "name": "省\(client)-\(number)"],
                                by: "N0"))
                        #expect(outcome.isAccepted, "\(outcome.jsonLine)")
                        try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let report = try await following.value
        #expect(report.position == target)
        let lags = report.lagMilliseconds.sorted()
        #expect(!lags.isEmpty)
        let p50 = lags.isEmpty ? 0 : lags[lags.count / 2]
        let p99 = lags.isEmpty ? 0 : lags[min(lags.count - 1, lags.count * 99 / 100)]
        print(
            "PostgreSQL replica: follow lag with \(clients) writers, \(lags.count) events: "
                + "p50 \(Int(p50)) ms, p99 \(Int(p99)) ms")
        #expect(p99 < 5_000)
        let provinces = try PostgresTestServer.query(database, "SELECT count(*) FROM grantledger.provinces")
        #expect(provinces == String(2 + clients * perClient))

        // The command-line sink follows commits of another process (the log's cross-process
        // subscription): the same writers again, lag read from the rows' `copied_at`.
        let process = try Self.start(["sink", "postgres", "--url", database, "--follow"], store: path)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let before = try ledger.head().position
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for number in 0..<perClient {
                        let outcome = await ledger.execute(
                            line: line(
                                "createUnit",
                                [
                                    "unitId": "UF\(client)-\(number)", "name": "单位\(client)-\(number)",
                                    "provinceId": "P1",
                                ],
                                by: "N0"))
                        #expect(outcome.isAccepted, "\(outcome.jsonLine)")
                        try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let head = try ledger.head().position
        let copied = try await Self.checkpoint(of: database, reaching: head)
        #expect(copied == head)
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let crossProcess = try PostgresTestServer.query(
            database,
            """
            SELECT round(1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY copied_at - time)))
                || ' ' || round(1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY copied_at - time)))
            FROM grantledger.events WHERE position > \(before)
            """)
        print(
            "PostgreSQL replica: follow lag of the command-line sink (another process) with \(clients) writers, "
                + "\(head - before) events: p50 / p99 \(crossProcess.replacingOccurrences(of: " ", with: " ms / ")) ms")
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: path).status == 0)
    }

    @Test("an erasure reaches PostgreSQL: payloads re-rendered, personal columns nulled, chain intact")
    func erasureReachesPostgres() async throws {
        PostgresTestServer.ran("erasureReachesPostgres")
        let directory = TemporaryDirectory()
        let ledger = try await ErasureTests.world(directory.child("world"))
        defer { ledger.close() }
        let database = try PostgresTestServer.newDatabase()
        let sink = PostgresSink(ledger: ledger, url: try ReplicaURL(database), batchSize: 7)
        _ = try await sink.run()
        let secrets = [IDs.leader, IDs.member, ErasureTests.phone, "l1@example.cn"]
        // While the subjects live, the replica holds their fields, decoded.
        let everything = """
            SELECT string_agg(t::text, ' ') FROM (
                SELECT payload::text AS t FROM grantledger.events
                UNION ALL SELECT a::text FROM grantledger.accounts a
                UNION ALL SELECT p::text FROM grantledger.projects p
                UNION ALL SELECT m::text FROM grantledger.project_members m
                UNION ALL SELECT c::text FROM grantledger.change_requests c
                UNION ALL SELECT c::text FROM grantledger.closeouts c
                UNION ALL SELECT d::text FROM grantledger.decisions d) all_text
            """
        let before = try PostgresTestServer.query(database, everything)
        for secret in secrets { #expect(before.contains(secret), "\(secret) is not in the replica while live") }

        await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        await ledger.expectAccepted(ErasureTests.erase(["idType": "residentId", "idNumber": IDs.member]))
        _ = try await sink.run()

        let after = try PostgresTestServer.query(database, everything)
        for secret in secrets { #expect(!after.contains(secret), "\(secret) is still in the replica") }
        #expect(!after.contains(PersonalData.erasedPrefix), "a pseudonym was copied")
        #expect(after.contains(#""erased": true"#) || after.contains(#""erased":true"#))
        let account = try PostgresTestServer.query(
            database,
            "SELECT coalesce(name, '-') || coalesce(email, '-') || coalesce(id_number, '-') "
                + "FROM grantledger.accounts WHERE account_id = 'L1'")
        #expect(account == "---")
        let leader = try PostgresTestServer.query(
            database,
            "SELECT coalesce(leader_id_number, 'null') FROM grantledger.projects WHERE project_no = '24BZX001'")
        #expect(leader == "null")
        #expect(
            try PostgresTestServer.query(database, "SELECT count(*) FROM grantledger.events")
                == String(try ledger.head().position))

        // The bytea records hold only ciphertext, so the chain still verifies to the store's head.
        let verify = try runCLI(["replay", "verify", "--postgres", database], store: directory.child("world"))
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(
            Self.field("head digest:", verify.stdout) == "head digest: \(PasswordHasher.hex(try ledger.head().digest))")

        // The erased leader's further profile fields show erased, and a replica rendered before they did
        // (an empty set) is brought to that form by migration 6 when a sink next starts.
        let extra = """
            SELECT (SELECT string_agg((payload #> '{profile,extra}')::text, ',') FROM grantledger.events
                WHERE type = 'ProfileCompleted' AND payload ->> 'accountId' = 'L1')
            || ' ' || (SELECT coalesce((profile -> 'extra')::text, '-') FROM grantledger.accounts WHERE account_id = 'L1')
            """
        #expect(try PostgresTestServer.query(database, extra) == #"{"erased": true} null"#)
        _ = try PostgresTestServer.query(
            database,
            """
            UPDATE grantledger.events SET payload = jsonb_set(payload, '{profile,extra}', '{}')
                WHERE type = 'ProfileCompleted' AND payload ->> 'accountId' = 'L1';
            UPDATE grantledger.accounts SET profile = jsonb_set(profile, '{extra}', '{}') WHERE account_id = 'L1';
            DELETE FROM grantledger.schema_migrations WHERE version = 6;
            SELECT 1
            """)
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: directory.child("world")).status == 1)
        _ = try await sink.run()
        #expect(try PostgresTestServer.query(database, extra) == #"{"erased": true} null"#)
        #expect(try runCLI(["replay", "verify", "--postgres", database], store: directory.child("world")).status == 0)

        // A sink started afresh after the erasure never writes the fields at all.
        let fresh = try PostgresTestServer.newDatabase()
        _ = try await PostgresSink(ledger: ledger, url: try ReplicaURL(fresh), batchSize: 1_000).run()
        let copied = try PostgresTestServer.query(fresh, everything)
        for secret in secrets { #expect(!copied.contains(secret), "\(secret) was copied after its erasure") }

        // The replica holds no lookups or occurrences; a restore derives them, equal to the store's,
        // erased subjects included.
        #expect(
            try PostgresTestServer.query(
                database,
                "SELECT count(*) FROM grantledger_keys.subject_records WHERE get_byte(key, 0) IN (108, 111)") == "0")
        let destination = directory.child("restored")
        let restored = try runCLI(
            ["restore", "--from-postgres", database, destination], store: directory.child("world"))
        #expect(restored.status == 0, "\(restored.stderr)")
        let copy = try Ledger(path: destination, options: LedgerOptions())
        defer { copy.close() }
        #expect(try Self.subjectRecords(copy) == Self.subjectRecords(ledger))
    }

    @Test("an erasure committed while a batch is rendered: its rows are re-rendered in that batch, and verify passes")
    func erasureWhileABatchIsRendered() async throws {
        PostgresTestServer.ran("erasureWhileABatchIsRendered")
        let directory = TemporaryDirectory()
        let ledger = try await ErasureTests.world(directory.child("world"))
        defer { ledger.close() }
        let head = try ledger.head().position
        let database = try PostgresTestServer.newDatabase()
        var sink = PostgresSink(ledger: ledger, url: try ReplicaURL(database), batchSize: 1_000)
        // The erasure commits after the batch's rows were rendered with the leader's key, before the
        // batch reads the keys for its end; its event lies past the batch.
        let erasedAt = Mutex<UInt64?>(nil)
        sink.beforeBatchEnd = {
            guard erasedAt.withLock({ $0 == nil }) else { return }
            let outcome = await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
            erasedAt.withLock { $0 = outcome.position }
        }
        _ = try await sink.run(until: head)
        let erasure = try #require(erasedAt.withLock { $0 })
        #expect(erasure > head)
        #expect(
            try PostgresTestServer.query(database, "SELECT position FROM grantledger.checkpoint") == String(head))
        // The replica's keys say erased (the key went in this batch), and so do its rows.
        #expect(
            try PostgresTestServer.query(
                database,
                "SELECT count(*) FROM grantledger_keys.subject_records WHERE get_byte(key, 0) = 107 "
                    + "AND get_byte(value, 0) = 2") != "0")
        let payloads = try PostgresTestServer.query(
            database, "SELECT string_agg(payload::text, ' ') FROM grantledger.events")
        let plain = [IDs.leader, ErasureTests.phone, "l1@example.cn"].filter { payloads.contains($0) }
        #expect(plain == [], "still in the replica's payloads")
        #expect(payloads.contains(#""erased": true"#) ? true : false)
        let verify = try runCLI(["replay", "verify", "--postgres", database], store: directory.child("world"))
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(Self.field("events:", verify.stdout) == "events: \(head)", "\(verify.stdout)")
        // The marks name the erasure's position, past the replica's rows: said, not failed.
        #expect(
            Self.field("note:", verify.stdout)?.contains("past the replica's newest row (the first at \(head + 1))")
                == true, "\(verify.stdout)")

        // The batch that copies the erasure itself re-renders the same rows again: still verifies.
        sink.beforeBatchEnd = nil
        _ = try await sink.run()
        let caughtUp = try runCLI(["replay", "verify", "--postgres", database], store: directory.child("world"))
        #expect(caughtUp.status == 0, "\(caughtUp.stdout)")
        #expect(Self.field("note:", caughtUp.stdout) == nil, "\(caughtUp.stdout)")
        #expect(
            Self.field("head digest:", caughtUp.stdout)
                == "head digest: \(PasswordHasher.hex(try ledger.head().digest))")
    }

    @Test("a catch-up that copies an erasure's mark before its event re-renders the rows copied before")
    func catchUpCopiesAMarkBeforeItsEvent() async throws {
        PostgresTestServer.ran("catchUpCopiesAMarkBeforeItsEvent")
        let directory = TemporaryDirectory()
        let ledger = try await ErasureTests.world(directory.child("world"))
        defer { ledger.close() }
        let database = try PostgresTestServer.newDatabase()
        _ = try await PostgresSink(ledger: ledger, url: try ReplicaURL(database)).run()
        let copied = try ledger.head().position
        // Unrelated events first, so that the erasure lies past the next batch.
        for index in 1...10 {
            await ledger.expectAccepted(
                line("createProvince", ["provinceId": "X\(index)", "name": "省\(index)"], by: "N0"))
        }
        await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        // One batch of 5: it copies the keys as they are now (the mark) at its start, and its own rows
        // are rendered without the key; the rows copied before must be re-rendered in it.
        _ = try await PostgresSink(ledger: ledger, url: try ReplicaURL(database), batchSize: 5).run(until: copied + 5)
        #expect(
            try PostgresTestServer.query(database, "SELECT position FROM grantledger.checkpoint") == String(copied + 5))
        let payloads = try PostgresTestServer.query(
            database, "SELECT string_agg(payload::text, ' ') FROM grantledger.events")
        let plain = [IDs.leader, ErasureTests.phone, "l1@example.cn"].filter { payloads.contains($0) }
        #expect(plain == [], "still in the replica's payloads")
        let verify = try runCLI(["replay", "verify", "--postgres", database], store: directory.child("world"))
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(Self.field("note:", verify.stdout) != nil, "\(verify.stdout)")
    }

    /// Every record of a store's subject keys database, in key order.
    static func subjectRecords(_ ledger: Ledger) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        try ledger.scanSubjectRecords { key, value in
            records.append(Array(key) + [0xFF] + Array(value))
            return true
        }
        return records
    }

    // MARK: Helpers

    static let checkpointSQL = "SELECT position FROM grantledger.checkpoint"

    /// Polls the replica's checkpoint until it reaches `position`, `seconds` pass or `going` turns false;
    /// returns the last one read (0 while the sink has not created the schema yet).
    static func checkpoint(
        of database: String, reaching position: UInt64, seconds: TimeInterval = 60,
        poll: Duration = .milliseconds(50), while going: () -> Bool = { true }
    ) async throws -> UInt64 {
        var checkpoint: UInt64 = 0
        let deadline = Date().addingTimeInterval(seconds)
        while checkpoint < position, Date() < deadline, going() {
            try await Task.sleep(for: poll)
            checkpoint = (try? PostgresTestServer.query(database, checkpointSQL)).flatMap { UInt64($0) } ?? 0
        }
        return checkpoint
    }
    /// How many of the indexes an initial sync defers exist and are valid.
    static let deferredIndexesSQL = """
        SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'grantledger' AND i.indisvalid
            AND c.relname IN ('events_stream_version', 'events_type', 'projects_unit', 'projects_province_status')
        """

    /// The line of `text` that starts with `prefix`.
    static func field(_ prefix: String, _ text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
    }

    static func head(_ store: String) throws -> Head {
        let ledger = try Ledger(path: store)
        defer { ledger.close() }
        return try ledger.head()
    }

    static func replayed(_ ledger: Ledger) throws -> WorkflowState {
        var state = WorkflowState()
        let events = try ledger.store.read { txn in try txn.events() }
        let decoder = ledger.replicaDecoder()
        for event in events { Workflow.evolve(try decoder.domainEvent(of: event), inMemory: &state) }
        return state
    }

    /// Starts `grantledger` in the background with the test environment.
    static func start(_ arguments: [String], store: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GRANTLEDGER_STORE"] = store
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// A demo store filled once, on first use, in a folder kept for the whole test run.
final class SharedDemo: Sendable {
    let projects: Int
    let seed: UInt64
    private let directory = TemporaryDirectory()
    private let filled = Mutex<Task<String, any Error>?>(nil)

    init(projects: Int, seed: UInt64) {
        self.projects = projects
        self.seed = seed
    }

    /// The store's folder (closed, so other processes may open it).
    func path() async throws -> String {
        let task = filled.withLock { task in
            if let task { return task }
            let path = directory.child("demo-\(projects)")
            let (projects, seed) = (projects, seed)
            let new = Task<String, any Error> {
                let ledger = try openTestLedger(path, now: "2025-12-31T23:00:00+08:00")
                defer { ledger.close() }
                _ = try await ledger.fillDemo(DemoPlan(projects: projects, seed: seed))
                return path
            }
            task = new
            return new
        }
        return try await task.value
    }
}

/// The server of `GRANTLEDGER_TEST_POSTGRES_URL`, reached with `psql` for the tests' own SQL.
enum PostgresTestServer {
    static let baseURL = ProcessInfo.processInfo.environment["GRANTLEDGER_TEST_POSTGRES_URL"].flatMap {
        $0.isEmpty ? nil : $0
    }
    static let counter = Atomic<Int>(0)

    /// Notes in `GRANTLEDGER_TEST_POSTGRES_MARKER` (set by CI) that a test ran against the server.
    static func ran(_ name: String) {
        guard let marker = ProcessInfo.processInfo.environment["GRANTLEDGER_TEST_POSTGRES_MARKER"],
            let handle = FileHandle(forWritingAtPath: marker)
        else { return }
        handle.seekToEndOfFile()
        handle.write(Data((name + "\n").utf8))
        try? handle.close()
    }

    /// A new, empty database on the server; its URL.
    static func newDatabase() throws -> String {
        let base = try #require(baseURL)
        let name = "gl_test_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)"
        _ = try query(base, "DROP DATABASE IF EXISTS \(name)")
        _ = try query(base, "CREATE DATABASE \(name)")
        var components = try #require(URLComponents(string: base))
        components.path = "/" + name
        return try #require(components.string)
    }

    /// Runs SQL with psql; its unaligned, tuples-only output without the final newline.
    static func query(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PSQLFailure(message: String(decoding: errors, as: UTF8.self), sql: sql)
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    struct PSQLFailure: Error, CustomStringConvertible {
        let message: String
        let sql: String
        var description: String { "psql failed: \(message) for \(sql)" }
    }
}

/// The SQL blocks of docs/reporting.md, by their heading.
enum ReportingQueries {
    static func all() throws -> [(String, String)] {
        let text = try DocumentationTests.text("docs/reporting.md")
        var result: [(String, String)] = []
        var heading = ""
        var sql: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { heading = String(line.dropFirst(3)) }
            if line == "```sql" {
                sql = []
            } else if line == "```", let block = sql {
                result.append((heading, block.joined(separator: "\n")))
                sql = nil
            } else if sql != nil {
                sql!.append(String(line))
            }
        }
        return result
    }

    static func named(_ heading: String) throws -> String {
        try #require(try all().first { $0.0 == heading }?.1)
    }
}
