internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantLedgerPostgres
internal import GrantWorkflow

/// `grantledger replay verify | rebuild [--check] | events | state`: the audit tool.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Audit the log: verify its hash chain, rebuild projections, export events, past states.",
        subcommands: [VerifyReplay.self, RebuildReplay.self, EventsReplay.self, StateReplay.self])
}

struct VerifyReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every digest link, position and stream version, and decode every event.",
        discussion: """
            Prints the event count, head position and head digest; exits 1 with the first bad position. \
            With --postgres URL, checks a PostgreSQL replica instead of the store: the chain recomputed \
            from its canonical record bytes, and every column of its events (the payload rendered with \
            the replica's subject keys) compared with what those bytes say.
            """)
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Verify this PostgreSQL replica (postgres://USER@HOST:PORT/DATABASE) instead of the store.")
    var postgres: String?

    func run() async throws {
        if let postgres {
            let url = try ReplicaArguments.url(postgres)
            let report: VerifyReport
            do {
                report = try await ReplicaVerifier.verify(url: url)
            } catch {
                throw ReplicaArguments.fail(error)
            }
            try Self.print(report)
            return
        }
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        let total = (try? ledger.head().position) ?? 0
        let progress = ProgressReporter(label: "verify", total: total)
        let report: VerifyReport
        do {
            report = try ledger.verify(progress: { done in progress.update(done) })
        } catch {
            progress.finish()
            Terminal.err(error.errorLine)
            throw ExitStatus.rejected
        }
        progress.finish()
        try Self.print(report)
    }

    /// The report's lines; exit 1 when it names a bad position.
    static func print(_ report: VerifyReport) throws {
        Terminal.outLine("events: \(report.eventCount)")
        Terminal.outLine("head position: \(report.headPosition)")
        Terminal.outLine("head digest: \(PasswordHasher.hex(report.headDigest))")
        for note in report.notes { Terminal.outLine("note: \(note)") }
        if let bad = report.firstBadPosition {
            Terminal.outLine("first bad position: \(bad)")
            Terminal.outLine("problem: \(report.reason ?? "unknown")")
            Terminal.outLine("result: FAILED")
            Terminal.flush()
            throw ExitStatus.rejected
        }
        Terminal.outLine("result: OK")
        Terminal.flush()
    }
}

struct RebuildReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild every projection from the log; --check compares with the live ones instead.")
    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Do not write: compare a rebuild with the live projections and print any difference.")
    var check = false

    func run() throws {
        // A rebuild drops the models anyway: the open need not finish an interrupted one first.
        let ledger = try CLIStore.open(storeOptions, mustExist: true, forRebuild: !check)
        defer { ledger.close() }
        let total = (try? ledger.head().position) ?? 0
        let progress = ProgressReporter(label: check ? "check" : "rebuild", total: total)
        let report: RebuildReport
        do {
            report =
                check
                ? try ledger.checkModels(progress: { progress.update($0) })
                : try ledger.rebuildModels(progress: { progress.update($0) })
        } catch {
            progress.finish()
            Terminal.err(error.errorLine)
            throw ExitStatus.rejected
        }
        progress.finish()
        Terminal.outLine("events replayed: \(report.events)")
        Terminal.outLine("records: \(report.records)")
        Terminal.outLine("head position: \(report.headPosition)")
        if check {
            for difference in report.differences { Terminal.outLine("difference: \(difference)") }
            Terminal.outLine(report.differences.isEmpty ? "result: projections match the log" : "result: DIFFERENT")
            Terminal.flush()
            if !report.differences.isEmpty { throw ExitStatus.rejected }
        } else {
            Terminal.outLine("result: rebuilt")
            Terminal.flush()
        }
    }
}

struct EventsReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Decoded events as JSON Lines, for auditors and export.")
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "First position.") var from: UInt64 = 1
    @Option(help: "Last position.") var to: UInt64 = .max
    @Option(help: "Only this stream (e.g. project-24BZX001).") var stream: String?
    @Option(help: "Only events at or after this ISO 8601 time.") var since: String?
    @Option(help: "Only events at or before this ISO 8601 time.") var until: String?

    func run() throws {
        var filter = EventFilter(from: from, to: to, stream: stream)
        if let since {
            guard let time = Timestamp(iso8601: since) else { throw ValidationError("--since takes an ISO 8601 time") }
            filter.since = time
        }
        if let until {
            guard let time = Timestamp(iso8601: until) else { throw ValidationError("--until takes an ISO 8601 time") }
            filter.until = time
        }
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        do {
            try ledger.forEachEvent(filter) { event in Terminal.outLine(event.serialized()) }
        } catch {
            Terminal.flush()
            Terminal.err(error.errorLine)
            throw ExitStatus.rejected
        }
        Terminal.flush()
    }
}

struct StateReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "A project as it was at a position or time (same shape as query project).")
    @Argument(help: "The project number.") var projectNo: String
    @Option(name: .customLong("as-of"), help: "A log position or an ISO 8601 time.") var asOf: String
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "json (default) or table.") var format: OutputFormat = .json
    @Option(help: "Labels in en (default) or zh.") var lang: OutputLanguage = .en

    func run() throws {
        guard let moment = AsOf(asOf) else {
            throw ValidationError("--as-of takes a log position or an ISO 8601 time, not '\(asOf)'")
        }
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        do {
            let value = try ledger.project(projectNo, as: .everything, asOf: moment)
            Terminal.out(
                QueryRenderer(format: format, language: lang.language).record(value, sections: Sections.project))
        } catch {
            Terminal.err(error.errorLine)
            throw ExitStatus.rejected
        }
        Terminal.flush()
    }
}
