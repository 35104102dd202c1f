import Foundation
import Testing

/// `grantledger backup DEST`: the copy verifies with the store's head digest, answers queries and
/// refuses to overwrite a store.
@Suite("grantledger backup")
struct BackupCommandTests {
    @Test("a backup has the store's head digest, rebuilds equal, and answers queries")
    func backupRoundTrip() throws {
        let dir = TemporaryDirectory()
        let env = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]
        #expect(try apply(Scenario.standard, store: dir.child("s"), environment: env).status == 0)
        let original = try runCLI(["replay", "verify"], store: dir.child("s"))
        let backup = try runCLI(["backup", dir.child("copy")], store: dir.child("s"))
        #expect(backup.status == 0, "\(backup.stderr)")
        let digest = original.lines.first { $0.hasPrefix("head digest: ") }
        #expect(digest != nil)
        #expect(backup.lines.contains(digest ?? "-"))
        let copied = try runCLI(["replay", "verify"], store: dir.child("copy"))
        #expect(copied.lines.first { $0.hasPrefix("head digest: ") } == digest)
        #expect(try runCLI(["replay", "rebuild", "--check"], store: dir.child("copy")).status == 0)
        let project = try runCLI(["query", "project", "24BZX001", "--format", "json"], store: dir.child("copy"))
        #expect(project.status == 0 && project.stdout.contains("24BZX001"))
        // A second backup into the same folder would overwrite a store: refused, the copy unchanged.
        let again = try runCLI(["backup", dir.child("copy")], store: dir.child("s"))
        #expect(again.status == 2)
        #expect(try runCLI(["replay", "verify"], store: dir.child("copy")).lines.contains(digest ?? "-"))
    }

    @Test("backup of a missing store exits 2")
    func missingStore() throws {
        let dir = TemporaryDirectory()
        #expect(try runCLI(["backup", dir.child("copy")], store: dir.child("none")).status == 2)
    }
}
