internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantLedgerPostgres
internal import GrantWorkflow

/// `grantledger sink postgres --url URL [--follow] [--batch N]`: copies the log into a PostgreSQL replica.
struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Copy the log and the read models to another system.",
        subcommands: [PostgresSinkCommand.self])
}

struct PostgresSinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Copy the log, in position order, and the read tables into PostgreSQL (schema grantledger).",
        discussion: """
            Each batch is one PostgreSQL transaction that also moves the checkpoint (position and digest), \
            so a sink stopped at any moment resumes with no gap and no duplicate. Refuses with `diverged` \
            when the replica's digest at its checkpoint is not the log's. With --follow, stays live and \
            copies each new commit until interrupted.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The replica: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.") var url: String
    @Flag(help: "After catching up, stay live and copy each new commit.") var follow = false
    @Option(help: "Events per PostgreSQL transaction (default 100000).") var batch: Int = 100_000

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch takes a number of events from 1") }
    }

    func run() async throws {
        let replicaURL = try ReplicaArguments.url(url)
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        var sink = PostgresSink(ledger: ledger, url: replicaURL, batchSize: batch)
        if let pause = Environment.value("GRANTLEDGER_SINK_PAUSE_BEFORE_COMMIT_MS").flatMap(Int.init) {
            sink.pauseBeforeCommit = .milliseconds(pause)
        }
        let report: SinkReport
        do {
            report = try await sink.run(follow: follow)
        } catch {
            throw ReplicaArguments.fail(error)
        }
        Terminal.outLine("copied: \(report.events) events in \(report.batches) transactions")
        Terminal.outLine("checkpoint: \(report.position)")
        Terminal.outLine("head digest: \(PasswordHasher.hex(report.digest))")
        Terminal.outLine("rate: \(Int(report.eventsPerSecond)) events/s")
        Terminal.flush()
    }
}

/// Shared handling of `--url` / `--postgres` and replica errors.
enum ReplicaArguments {
    /// The replica URL of the command line. Without a password in it, `PGPASSWORD` gives one, as
    /// for libpq's tools, so that it need not appear in the process list.
    static func url(_ text: String) throws -> ReplicaURL {
        var url: ReplicaURL
        do {
            url = try ReplicaURL(text)
        } catch {
            throw ValidationError(error.message)
        }
        if url.password == nil, let password = Environment.value("PGPASSWORD") { url.password = password }
        return url
    }

    /// Prints the error and returns the exit status: 1 with the coded error line for `diverged`
    /// (and a tampered replica), 2 when PostgreSQL or the store cannot be used.
    static func fail(_ error: any Error) -> ExitCode {
        Terminal.flush()
        if let error = error as? ReplicaError {
            switch error.code {
            case .diverged:
                Terminal.err(LedgerError(.diverged, error.message).errorLine)
                return ExitStatus.rejected
            case .corrupted:
                Terminal.err(LedgerError(.corrupted, error.message).errorLine)
                return ExitStatus.rejected
            case .conflict:
                Terminal.err("grantledger: \(error.message)")
                return ExitStatus.rejected
            case .invalidURL, .server, .destinationExists:
                Terminal.err("grantledger: \(error.message)")
                return ExitStatus.unusable
            }
        }
        if let error = error as? LedgerError {
            Terminal.err(error.errorLine)
            return ExitStatus.unusable
        }
        Terminal.err("grantledger: \(error)")
        return ExitStatus.unusable
    }
}
