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

    @Test("the copy's data file is created owner-only and exclusive, before a byte of the store is in it")
    func copyIsOwnerOnlyFromItsFirstByte() throws {
        guard let strace = try CLIInputOutputTests.requiredStrace() else { return }
        let dir = TemporaryDirectory()
        let env = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]
        #expect(try apply(Scenario.standard, store: dir.child("s"), environment: env).status == 0)
        let trace = dir.child("trace")
        let result = try runCLI(
            [
                "-f", "-e", "trace=openat,open,creat", "-o", trace, try grantledgerExecutable(), "backup",
                dir.child("copy"),
            ],
            store: dir.child("s"), executable: strace)
        #expect(result.status == 0, "\(result.stderr)")
        let opens = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(dir.child("copy") + "/data.mdb") }
        // The first open of the copy creates it: exclusive, mode 0600 (LMDB's own copy made it with the
        // process's default mode, readable by others until the mode was tightened afterwards).
        let first = try #require(opens.first)
        #expect(first.contains("O_CREAT") && first.contains("O_EXCL") && first.contains("0600"), "\(first)")
    }

    @Test("an empty DEST is refused before anything is copied (it used to write /data.mdb)")
    func emptyDestinationIsRefused() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.organisation, store: dir.child("s")).status == 0)
        let rootCopyExisted = FileManager.default.fileExists(atPath: "/data.mdb")
        let refused = try runCLI(["backup", ""], store: dir.child("s"))
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("DEST is empty"), "\(refused.stderr)")
        if !rootCopyExisted {
            #expect(!FileManager.default.fileExists(atPath: "/data.mdb"))
        }
    }

    @Test("a DEST that is a file, lies under a file or holds a store is refused, and nothing is written")
    func unusableDestinationsAreRefused() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.organisation, store: dir.child("s")).status == 0)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: dir.child("file")))
        for destination in [dir.child("file"), dir.child("file/copy"), dir.child("s")] {
            let refused = try runCLI(["backup", destination], store: dir.child("s"))
            #expect(refused.status == 2, "\(destination)")
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderr.contains("cannot back up to"), "\(refused.stderr)")
        }
        #expect(try String(contentsOfFile: dir.child("file"), encoding: .utf8) == "notes")
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["s", "file"])
        #expect(try runCLI(["replay", "verify"], store: dir.child("s")).status == 0)
    }

    @Test("a copy that fails once started is removed with the folders it made, and nothing else")
    func failedCopyRemovesWhatItCreated() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.standard, store: dir.child("s")).status == 0)
        let kept = dir.child("kept")
        try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: kept + "/notes.txt"))
        // A file-size limit makes the copy's writes fail with EFBIG once it has created data.mdb.
        let limited = #"trap "" XFSZ; ulimit -f 4; exec "$0" "$@""#
        for destination in [kept, kept + "/new/copy"] {
            let failed = try runCLI(
                ["-c", limited, try grantledgerExecutable(), "backup", destination], store: dir.child("s"),
                executable: "/bin/sh")
            #expect(failed.status == 2, "\(failed.stdout) \(failed.stderr)")
            #expect(failed.stderr.contains("cannot back up to"), "\(failed.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: kept) == ["notes.txt"])
        }
        #expect(try String(contentsOfFile: kept + "/notes.txt", encoding: .utf8) == "mine")
        // Without the limit the same DEST takes the copy.
        let copied = try runCLI(["backup", kept + "/new/copy"], store: dir.child("s"))
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(try runCLI(["replay", "verify"], store: kept + "/new/copy").status == 0)
    }

    @Test("a backup killed halfway leaves no data.mdb to open; the next backup into that folder replaces its part")
    func killedBackupLeavesNoStore() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.standard, store: dir.child("s")).status == 0)
        let destination = dir.child("copy")
        // The file-size limit's signal kills the process once the copy passes 32 KiB (an outside audit
        // killed it by hand: the half-written data.mdb then crashed every command on the folder). The
        // test runner's process may block or ignore SIGXFSZ, which a shell cannot undo: perl restores it.
        let restore =
            #"use POSIX; $SIG{XFSZ} = "DEFAULT"; "#
            + #"sigprocmask(SIG_UNBLOCK, POSIX::SigSet->new(SIGXFSZ)); exec @ARGV"#
        let killed = try runCLI(
            [
                "-c", "ulimit -f 32; exec perl -e '\(restore)' \"$0\" \"$@\"",
                try grantledgerExecutable(), "backup", destination,
            ],
            store: dir.child("s"), executable: "/bin/sh")
        #expect(killed.status != 0, "\(killed.status) \(killed.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: destination)
        #expect(!left.contains("data.mdb"), "\(left)")
        #expect(left.contains("data.mdb.partial"), "the kill came after the copy began: \(left)")
        for command in [["replay", "verify"], ["query", "stats"]] {
            let refused = try runCLI(command, store: destination)
            #expect(refused.status == 2, "\(command): \(refused.stderr)")
            #expect(refused.stderr.contains("holds no data.mdb"), "\(refused.stderr)")
        }
        let copied = try runCLI(["backup", destination], store: dir.child("s"))
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination).sorted() == ["data.mdb", "lock.mdb"])
        #expect(try runCLI(["replay", "verify"], store: destination).stdout.contains("result: OK"))
    }

    @Test("backup and migrate refuse a DEST inside the store's own folder, however it is spelled")
    func destinationInsideTheStore() throws {
        let dir = TemporaryDirectory()
        let store = dir.child("grants")
        #expect(try apply(Scenario.organisation, store: store).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
        for destination in [store + "/inner", store + "/../grants/x/y", store, store + "/."] {
            let backup = try runCLI(["backup", destination], store: store)
            #expect(backup.status == 2, "\(destination): \(backup.stderr)")
            #expect(backup.stderr.contains("inside the store's folder"), "\(destination): \(backup.stderr)")
            let migrate = try runCLI(["migrate", "--encrypt-personal-data", store, destination], store: store)
            #expect(migrate.status != 0, "\(destination): \(migrate.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).sorted() == before)
        // Beside it is fine.
        #expect(try runCLI(["backup", dir.child("copy")], store: store).status == 0)
    }

    @Test("a folder without a store, or with an empty data.mdb, is no store: exit 2, nothing created")
    func emptyFolderIsNoStore() throws {
        let dir = TemporaryDirectory()
        let empty = dir.child("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        let truncated = dir.child("truncated")
        try FileManager.default.createDirectory(atPath: truncated, withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: truncated + "/data.mdb", contents: Data()))
        for store in [empty, truncated] {
            for command in [["replay", "verify"], ["query", "stats"], ["backup", dir.child("copy")]] {
                let refused = try runCLI(command, store: store)
                #expect(refused.status == 2, "\(command) \(store): \(refused.stdout)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: truncated) == ["data.mdb"])
        #expect(try FileManager.default.attributesOfItem(atPath: truncated + "/data.mdb")[.size] as? Int == 0)
    }

    @Test("backup of a missing store exits 2")
    func missingStore() throws {
        let dir = TemporaryDirectory()
        #expect(try runCLI(["backup", dir.child("copy")], store: dir.child("none")).status == 2)
    }
}
