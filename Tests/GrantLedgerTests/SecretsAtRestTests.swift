import EventLog
import Foundation
import GrantLedger
import Testing

/// The store's files are the owner's alone: they hold password hashes, reset tokens and personal
/// data (docs/security.md, "Secrets at rest").
@Suite("Secrets at rest")
struct SecretsAtRestTests {
    static func mode(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return -1 }
        return Int(info.st_mode & 0o777)
    }

    @Test("a new store is 0700 with 0600 files, and so is a backup")
    func newStoreIsOwnerOnly() async throws {
        let dir = TemporaryDirectory()
        let path = dir.child("grants.store")
        let ledger = try openTestLedger(path)
        defer { ledger.close() }
        await ledger.expectAccepted(Scenario.organisation[0])
        #expect(Self.mode(path) == 0o700)
        #expect(Self.mode(path + "/data.mdb") == 0o600)
        #expect(Self.mode(path + "/lock.mdb") == 0o600)
        let copy = dir.child("backup")
        try ledger.store.backup(to: copy)
        #expect(Self.mode(copy) == 0o700)
        #expect(Self.mode(copy + "/data.mdb") == 0o600)
    }

    @Test("a store left world-readable by an older version is tightened at open; a shared folder is not")
    func olderStoreIsTightened() async throws {
        let dir = TemporaryDirectory()
        let path = dir.child("old.store")
        do {
            let ledger = try openTestLedger(path)
            await ledger.expectAccepted(Scenario.organisation[0])
            ledger.close()
        }
        chmod(path, 0o755)
        chmod(path + "/data.mdb", 0o644)
        chmod(path + "/lock.mdb", 0o644)
        let ledger = try openTestLedger(path)
        ledger.close()
        #expect(Self.mode(path) == 0o700)
        #expect(Self.mode(path + "/data.mdb") == 0o600)
        #expect(Self.mode(path + "/lock.mdb") == 0o600)
        // A folder with other files in it keeps its mode; the store's files are still tightened.
        let shared = dir.child("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o755)
        #expect(FileManager.default.createFile(atPath: shared + "/notes.txt", contents: Data("x".utf8)))
        let inShared = try openTestLedger(shared)
        inShared.close()
        #expect(Self.mode(shared) == 0o755)
        #expect(Self.mode(shared + "/data.mdb") == 0o600)
    }
}
