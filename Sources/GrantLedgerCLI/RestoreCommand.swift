internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantLedgerPostgres
internal import GrantWorkflow

/// `grantledger restore --from-postgres URL DEST`: rebuilds an LMDB store from a PostgreSQL replica.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Rebuild a store in DEST from a PostgreSQL replica (disaster recovery).",
        discussion: """
            Appends every record of the replica verbatim (same positions, times and digests, each digest \
            link checked) to a new store in DEST, which must not exist or be empty, then builds the read \
            models. Prints the restored head, to compare with `replay verify`. Password hashes, attachment \
            contents and command idempotency records are not in the log and are not restored.
            """)

    @Option(name: .customLong("from-postgres"), help: "The replica: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
    var fromPostgres: String
    @Argument(help: "The folder of the new store.") var destination: String

    func run() async throws {
        let replicaURL = try ReplicaArguments.url(fromPostgres)
        let head: Head
        do {
            head = try await ReplicaRestore.restore(
                url: replicaURL, to: destination, options: try CLIStore.ledgerOptions())
        } catch let status as ExitCode {
            throw status
        } catch {
            throw ReplicaArguments.fail(error)
        }
        Terminal.outLine("restored: \(destination)")
        Terminal.outLine("events: \(head.position)")
        Terminal.outLine("head digest: \(PasswordHasher.hex(head.digest))")
        Terminal.flush()
    }
}
