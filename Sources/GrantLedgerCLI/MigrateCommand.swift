internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantWorkflow

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
        guard FileSystem.isDirectory(source) else {
            Terminal.err("grantledger: no store at \(source)")
            throw ExitStatus.unusable
        }
        if FileSystem.isDirectory(destination), FileSystem.exists(destination + "/data.mdb") {
            Terminal.err("grantledger: \(destination) already holds a store; migrate into a new folder")
            throw ExitStatus.unusable
        }
        let report: MigrationReport
        let options = try CLIStore.ledgerOptions()
        do {
            report = try Ledger.migrateEncryptingPersonalData(
                source: source, destination: destination, options: options)
        } catch {
            Terminal.err(error.errorLine)
            throw error.code == .corrupted ? ExitStatus.rejected : ExitStatus.unusable
        }
        Terminal.outLine("events: \(report.events)")
        Terminal.outLine(
            "source head: \(report.sourceHead.position) \(PasswordHasher.hex(report.sourceHead.digest))")
        Terminal.outLine("new head: \(report.newHead.position) \(PasswordHasher.hex(report.newHead.digest))")
        Terminal.outLine("mapping: \(report.mapping)")
        Terminal.flush()
    }
}
