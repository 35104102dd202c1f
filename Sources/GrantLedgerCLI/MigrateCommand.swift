internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantWorkflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grantledger migrate --encrypt-personal-data SOURCE DEST`: copies a store whose events hold
/// personal fields plain into a new chain that seals them (R-LOG-6).
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a store into a new chain whose events seal every personal field (R-LOG-6).",
        discussion: """
            Events written before personal data was encrypted hold it plain and cannot be erased in \
            place: the chain's digests cover those bytes. This copies SOURCE into a new store at DEST, \
            event by event at the same positions, sealing each personal field under its subject's key. \
            Prints both head digests and the mapping record, which the new store also keeps.
            """)

    @Flag(name: .customLong("encrypt-personal-data"), help: "Seal every personal field (the only migration).")
    var encryptPersonalData = false

    @Argument(help: "The store to copy from (read, never written).") var source: String
    @Argument(help: "A new folder for the copy.") var destination: String

    func validate() throws {
        guard encryptPersonalData else { throw ValidationError("say what to migrate: --encrypt-personal-data") }
        guard source != destination else { throw ValidationError("SOURCE and DEST must differ") }
    }

    func run() throws {
        try CLIStore.requireStore(source)
        // SOURCE is not changed: nothing is written inside its folder.
        if FileSystem.isInside(destination, folder: source) {
            Terminal.err("grantledger: \(destination) is inside the source store's folder; migrate beside it")
            throw ExitStatus.unusable
        }
        if FileSystem.exists(destination) {
            guard FileSystem.isEmptyFolder(destination) else {
                Terminal.err("grantledger: \(destination) is not an empty folder; migrate into a new one")
                throw ExitStatus.unusable
            }
        }
        // The copy is made in a folder beside DEST and becomes DEST only once it is whole: a migration
        // killed halfway leaves no store at DEST holding part of the log (it would verify, since a
        // prefix of a chain is a chain, and take commands).
        let trimmed = destination.hasSuffix("/") ? String(destination.dropLast()) : destination
        let slash = trimmed.lastIndex(of: "/")
        let folder = slash.map { String(trimmed[...$0]) } ?? ""  // DEST's parent with its slash ("/" at the root)
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        let working = folder + "." + name + ".migrating-\(getpid())"
        func removeWorking() {
            for file in ["data.mdb", "lock.mdb"] { unlink(working + "/" + file) }
            rmdir(working)
        }
        let report: MigrationReport
        let options = try CLIStore.ledgerOptions()
        do {
            report = try Ledger.migrateEncryptingPersonalData(source: source, destination: working, options: options)
        } catch {
            removeWorking()
            Terminal.err(error.errorLine)
            throw error.code == .corrupted ? ExitStatus.rejected : ExitStatus.unusable
        }
        // rename(2) replaces an empty folder at DEST, and fails on anything else that appeared there.
        guard rename(working, trimmed) == 0 else {
            let reason = String(cString: strerror(errno))
            removeWorking()
            Terminal.err("grantledger: cannot move the copy to \(destination): \(reason)")
            throw ExitStatus.unusable
        }
        Terminal.outLine("events: \(report.events)")
        Terminal.outLine(
            "source head: \(report.sourceHead.position) \(PasswordHasher.hex(report.sourceHead.digest))")
        Terminal.outLine("new head: \(report.newHead.position) \(PasswordHasher.hex(report.newHead.digest))")
        Terminal.outLine("mapping: \(report.mapping)")
        Terminal.flush()
    }
}
