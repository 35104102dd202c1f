import Foundation
import Testing

/// A page of `data.mdb` damaged in place. LMDB 0.9 keeps no page checksums, so a damaged page can
/// make it read through a bad pointer (SIGSEGV) or stop on one of its assertions (SIGABRT). The
/// command line turns both into exit status 2 and a message (docs/cli.md, "Exit statuses").
@Suite("A damaged data.mdb")
struct DamagedStoreTests {
    /// The leaf pages of an LMDB file: page header `pgno` (8 bytes), pad, flags, lower, upper. A leaf
    /// has P_LEAF (0x02) and none of P_OVERFLOW, P_META, P_LEAF2 or P_SUBP.
    static func leafPages(_ bytes: [UInt8], pageSize: Int = 4096) -> [Int] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        var pages: [Int] = []
        for page in 2..<(bytes.count / pageSize) {
            let base = page * pageSize
            let number = (0..<8).reduce(0) { $0 | Int(bytes[base + $1]) << (8 * $1) }
            let flags = u16(base + 10)
            if number == page, flags & 0x02 != 0, flags & (0x04 | 0x08 | 0x20 | 0x40) == 0 { pages.append(page) }
        }
        return pages
    }

    @Test("every leaf page damaged in two ways: a coded end, never a crash; the guard's message when LMDB faults")
    func damagedPagesEndWithACodedError() throws {
        let dir = TemporaryDirectory()
        let made = try runCLI(["demo", "--projects", "20", "--pbkdf2-iterations", "1000"], store: dir.path)
        #expect(made.status == 0, "\(made.stderr)")
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/data.mdb")))
        let leaves = Self.leafPages(original)
        #expect(leaves.count > 100)
        let damaged = TemporaryDirectory()
        var faults = 0
        var assertions = 0
        // Every sixth leaf keeps the run short; on the build before the guard, about a third of the
        // leaves ended `replay verify` by SIGSEGV (the first node marked as holding duplicates, for
        // which the log's database has no cursor) and another third by SIGABRT (a zeroed leaf that
        // a cursor steps onto).
        for page in stride(from: 0, to: leaves.count, by: 6).map({ leaves[$0] }) {
            for damage in ["duplicates flag", "zeroed"] {
                var bytes = original
                let base = page * 4096
                if damage == "zeroed" {
                    for offset in base..<(base + 4096) { bytes[offset] = 0 }
                } else {
                    let node = base + (Int(bytes[base + 16]) | Int(bytes[base + 17]) << 8)
                    bytes[node + 4] |= 0x04  // F_DUPDATA
                }
                try? FileManager.default.removeItem(atPath: damaged.path + "/lock.mdb")
                try Data(bytes).write(to: URL(fileURLWithPath: damaged.path + "/data.mdb"))
                let result = try runCLI(["replay", "verify"], store: damaged.path)
                let context = "page \(page), \(damage): status \(result.status), \(result.stderr)"
                #expect([0, 1, 2].contains(result.status), "\(context)")
                if result.stderr.contains("the store is corrupted: LMDB") {
                    #expect(result.status == 2, "\(context)")
                    #expect(result.stderr.contains("Restore the store from a backup"), "\(context)")
                    if result.stderr.contains("(SIGSEGV)") || result.stderr.contains("(SIGBUS)") { faults += 1 }
                    if result.stderr.contains("Assertion") { assertions += 1 }
                }
                // verify reads; the damaged file is as it was written.
                #expect(try Data(contentsOf: URL(fileURLWithPath: damaged.path + "/data.mdb")) == Data(bytes))
            }
        }
        #expect(faults > 0)
        #expect(assertions > 0)
    }

    @Test("other commands on a damaged page end the same way; a fault elsewhere is still a crash")
    func otherCommandsAndOtherFaults() throws {
        let dir = TemporaryDirectory()
        #expect(try runCLI(["demo", "--projects", "20", "--pbkdf2-iterations", "1000"], store: dir.path).status == 0)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/data.mdb")))
        for page in Self.leafPages(bytes) {
            let node = page * 4096 + (Int(bytes[page * 4096 + 16]) | Int(bytes[page * 4096 + 17]) << 8)
            bytes[node + 4] |= 0x04
        }
        try? FileManager.default.removeItem(atPath: dir.path + "/lock.mdb")
        try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/data.mdb"))
        let backup = TemporaryDirectory()
        for arguments in [
            ["replay", "events"], ["replay", "rebuild", "--check"], ["query", "stats"],
            ["backup", backup.path + "/copy"],
        ] {
            let result = try runCLI(arguments, store: dir.path)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("the store is corrupted: LMDB"), "\(arguments): \(result.stderr)")
        }
        // A SIGSEGV that is no fault of LMDB's (sent with kill to an `apply` waiting for input) still
        // ends the process by the signal: the guard hands it back to the handler that was there. The
        // Swift runtime's backtracer (debug builds) is switched off, because it lets a SIGSEGV sent
        // with kill go on in any Swift program; without it the handler before the guard's is the
        // default action.
        let fresh = TemporaryDirectory()
        let script = "sleep 3 | \"$0\" apply - & pid=$!; sleep 0.5; kill -SEGV $pid; wait $pid; echo status=$?"
        let sent = try runCLI(
            ["-c", script, try grantledgerExecutable()], store: fresh.path,
            environment: ["SWIFT_BACKTRACE": "enable=no"], executable: "/bin/sh")
        #expect(sent.stdout.contains("status=139"), "\(sent.stdout) \(sent.stderr)")
    }
}
