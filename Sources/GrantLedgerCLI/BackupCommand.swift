internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantWorkflow

/// `grantledger backup DEST`: a consistent, compacted copy of the store while writers go on.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent, compacted copy of the store (log, read models, outbox, credentials) to DEST.",
        discussion: """
            DEST is a folder, created when missing, that must not already hold a store. The copy is made \
            from one read transaction while writers go on, is owner-only (0700/0600) like the store, and \
            opens as a store of its own. Prints the copy's event count and head digest.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The folder to write the copy into.") var destination: String

    func run() throws {
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        do {
            try ledger.store.backup(to: destination)
        } catch {
            Terminal.err("grantledger: cannot back up to \(destination): \(error.message)")
            throw ExitStatus.unusable
        }
        let copy: Head
        do {
            let store = try EventStore(path: destination, options: EventStoreOptions(extraDatabases: []))
            defer { store.close() }
            copy = try store.head()
        } catch {
            Terminal.err("grantledger: the copy in \(destination) does not open: \(error)")
            throw ExitStatus.unusable
        }
        Terminal.outLine("backup: \(destination)")
        Terminal.outLine("events: \(copy.position)")
        Terminal.outLine("head digest: \(PasswordHasher.hex(copy.digest))")
        Terminal.flush()
    }
}
