import EventLog
import Foundation
import GrantWorkflow
import Testing

@_spi(Benchmarking) @testable import GrantLedger

/// Stores written before personal data was sealed (R-LOG-6): they open and verify as before, and
/// `migrate --encrypt-personal-data` copies them into a new chain that seals every personal field.
@Suite("Legacy stores and the encrypting migration (R-LOG-6)")
struct LegacyStoreTests {
    /// Writes the events of `modern` as the previous version stored them: the same records with the
    /// payloads of the plain layout and its schema versions, plus the credentials.
    static func writeLegacy(from modern: Ledger, to path: String) throws -> Int {
        let keys = SubjectKeyring.reading(modern.store, dbs: modern.dbs)
        let events = try modern.store.readAll(from: 1)
        var options = EventStoreOptions()
        options.extraDatabases = ["models", "outbox", "credentials", "attachments", "ledger"]
        let old = try EventStore(path: path, options: options)
        defer { old.close() }
        let credentials = try old.database("credentials")
        let modernCredentials = modern.dbs.credentials
        var pairs: [([UInt8], [UInt8])] = []
        try modern.store.read { txn in
            try txn.scan(modernCredentials) { key, value in
                pairs.append((Array(key), Array(value)))
                return true
            }
        }
        let records: [(String, NewEvent)] = try events.map { event in
            let domain = try DomainEvent.decode(
                typeName: event.type, schemaVersion: Int(event.schemaVersion), payload: event.payload, opener: keys)
            return (
                event.stream,
                NewEvent(
                    type: event.type, schemaVersion: UInt16(domain.type.legacySchemaVersion),
                    payload: domain.legacyPayload, time: event.time, commandId: event.commandId, actor: event.actor,
                    causationId: event.causationId, correlationId: event.correlationId)
            )
        }
        let copiedPairs = pairs
        _ = try old.writeSync { txn in
            for (stream, record) in records { _ = try txn.append([record], to: stream) }
            for (key, value) in copiedPairs { try txn.put(credentials, key, value) }
        }
        return events.count
    }

    @Test("a store from before encryption opens, upcasts, verifies; the migration seals it into a new chain")
    func upcastAndMigrate() async throws {
        let dir = TemporaryDirectory()
        let legacy = dir.child("legacy")
        let migrated = dir.child("migrated")
        let count: Int
        do {
            let modern = try await ErasureTests.world(dir.child("modern"))
            count = try Self.writeLegacy(from: modern, to: legacy)
            modern.close()
        }
        let plain = try Data(contentsOf: URL(fileURLWithPath: legacy + "/data.mdb"))
        #expect(plain.range(of: Data(IDs.leader.utf8)) != nil, "the legacy store holds the number plain")

        let projectBefore: JSONValue
        do {
            let opened = try openTestLedger(legacy)
            defer { opened.close() }
            let report = try opened.verify()
            #expect(report.firstBadPosition == nil, "\(report.reason ?? "")")
            projectBefore = try opened.project("24BZX001", as: .everything)
            #expect(projectBefore.serialized().contains(IDs.leader))
            #expect(try opened.checkModels().differences == [])
            // Plain old events cannot be erased in place: the office is pointed at the migration.
            let refused = await opened.expectRejected(ErasureTests.erase(["accountId": "L1"]), "notFound")
            #expect(refused.error?.message.contains("migrate") == true)
        }

        // A migration killed halfway leaves no store at DEST: an outside audit's killed run left a
        // prefix of the log there, which verified and took commands. (The file-size limit's signal
        // kills it; perl restores the signal the test runner may block.)
        let restore =
            #"use POSIX; $SIG{XFSZ} = "DEFAULT"; "#
            + #"sigprocmask(SIG_UNBLOCK, POSIX::SigSet->new(SIGXFSZ)); exec @ARGV"#
        let killed = try runCLI(
            [
                "-c", "ulimit -f 64; exec perl -e '\(restore)' \"$0\" \"$@\"", try grantledgerExecutable(), "migrate",
                "--encrypt-personal-data", legacy, migrated,
            ], store: legacy, executable: "/bin/sh")
        #expect(killed.status != 0)
        #expect(!FileManager.default.fileExists(atPath: migrated), "a killed migration left a store at DEST")
        #expect(try runCLI(["replay", "verify"], store: migrated).status == 2)

        let result = try runCLI(["migrate", "--encrypt-personal-data", legacy, migrated], store: legacy)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("events: \(count)"))
        #expect(result.stdout.contains("source head: \(count) "))
        #expect(result.stdout.contains("new head: \(count) "))
        #expect(result.stdout.contains("mapping: positions 1…\(count) of "))
        let again = try runCLI(["migrate", "--encrypt-personal-data", legacy, migrated], store: legacy)
        #expect(again.status == 2, "a used destination is refused")

        let copy = try openTestLedger(migrated)
        defer { copy.close() }
        #expect(try copy.verify().firstBadPosition == nil)
        #expect(try copy.checkModels().differences == [])
        #expect(try copy.head().position == UInt64(count))
        #expect(try copy.project("24BZX001", as: .everything) == projectBefore)
        let payloads = try copy.store.readAll(from: 1).flatMap(\.payload)
        #expect(payloads.firstRange(of: Array(IDs.leader.utf8)) == nil)
        #expect(payloads.firstRange(of: Array(IDs.member.utf8)) == nil)
        await copy.expectAccepted(
            line("login", ["role": "leader", "username": ErasureTests.phone, "password": password]))
        await copy.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        #expect(!(try copy.project("24BZX001", as: .everything).serialized().contains(IDs.leader)))
        #expect(try copy.verify().firstBadPosition == nil)
    }

    /// The benchmarks' switch (``LedgerOptions/sealsPersonalData`` off) writes exactly the layout of a
    /// store from before encryption, made by the engine itself: personal fields plain at the legacy
    /// schema versions, no subject keys; the read models equal a sealing ledger's; it verifies.
    @Test("with sealing switched off (benchmarks only) the engine writes the legacy layout")
    func sealingSwitchedOff() async throws {
        let dir = TemporaryDirectory()
        var options = LedgerOptions(
            policy: testPolicy, clock: { Timestamp(iso8601: "2026-01-05T09:00:00+08:00")! }, trustCommandTime: true)
        options.sealsPersonalData = false
        let plain = try Ledger(path: dir.child("plain"), options: options)
        let sealed = try openTestLedger(dir.child("sealed"))
        defer {
            plain.close()
            sealed.close()
        }
        for text in Scenario.standard + Scenario.readyCloseout() {
            await plain.expectAccepted(text)
            await sealed.expectAccepted(text)
        }
        var legacyEvents = 0
        for (plainEvent, sealedEvent) in zip(try plain.store.readAll(from: 1), try sealed.store.readAll(from: 1)) {
            let type = try #require(EventType(typeName: plainEvent.type))
            #expect(plainEvent.type == sealedEvent.type)
            #expect(Int(sealedEvent.schemaVersion) == type.schemaVersion)
            if type.sealedSince != nil {
                legacyEvents += 1
                #expect(Int(plainEvent.schemaVersion) == type.legacySchemaVersion, "\(plainEvent.type)")
            } else {
                #expect(plainEvent.payload == sealedEvent.payload, "\(plainEvent.type) has no personal fields")
            }
        }
        #expect(legacyEvents > 3)
        let subjectRecords = { (ledger: Ledger) throws -> Int in
            var count = 0
            try ledger.store.read { txn in
                try txn.scan(ledger.dbs.subjects, prefix: [UInt8(ascii: "k")]) { _, _ in
                    count += 1
                    return true
                }
            }
            return count
        }
        #expect(try subjectRecords(plain) == 0, "no subject keys without sealing")
        #expect(try subjectRecords(sealed) > 0)
        let number = Array(IDs.leader.utf8)
        let holding = { (ledger: Ledger) throws -> Int in
            try ledger.store.readAll(from: 1).filter { event in
                event.payload.indices.contains { event.payload[$0...].starts(with: number) }
            }.count
        }
        #expect(try holding(plain) > 0, "the leader's number is plain in the log")
        #expect(try holding(sealed) == 0)
        for ledger in [plain, sealed] {
            #expect(try ledger.verify().firstBadPosition == nil)
            #expect(try ledger.checkModels().differences == [])
        }
        #expect(
            try plain.project("24BZX001", as: .everything).serialized()
                == sealed.project("24BZX001", as: .everything).serialized())
        #expect(
            try plain.account("L1", as: .everything).serialized() == sealed.account("L1", as: .everything).serialized())
        #expect(
            try plain.closeout("C1", as: .everything).serialized()
                == sealed.closeout("C1", as: .everything).serialized())
    }
}
