public import ArgumentParser

internal import CStoreGuard
internal import Dispatch

/// `grantledger`: the command line of docs/cli.md. Commands go in as JSON Lines (`apply`), projections
/// come out as tables, JSON or CSV (`query`), auditors replay and verify the log (`replay`), and the
/// approval form prints (`form`), the outbox is delivered (`outbox deliver`), and `demo` fills a
/// store with a realistic national year. Asynchronous because `outbox deliver` waits for deliveries.
public struct GrantLedgerCommand: AsyncParsableCommand {
    /// The command's configuration: its subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "grantledger",
        abstract: "An event-sourced ledger for NSSF project management (国家社科基金项目中后期管理).",
        version: version,
        subcommands: [
            ApplyCommand.self, QueryCommand.self, ReplayCommand.self, FormCommand.self, OutboxCommand.self,
            DemoCommand.self, BenchCommand.self, BackupCommand.self, MigrateCommand.self, SinkCommand.self,
            RestoreCommand.self,
        ])

    /// Creates the command (argument parser).
    public init() {}

    /// The executable's entry point: parses the arguments and runs the chosen subcommand, then exits
    /// with its status (ArgumentParser's own exit codes and messages for bad arguments, help and
    /// `--version`).
    ///
    /// A synchronous subcommand (every one but `outbox deliver`, `sink`, `restore` and `replay
    /// verify`) runs right here, on the main thread. An asynchronous one runs in a task while the main
    /// thread serves the main queue, as a top-level `await` would. Entering the concurrency runtime
    /// for every command costs a short one the start of its threads and a hand-off to them
    /// (docs/decisions.md, "A short command stays on the main thread").
    public static func runFromCommandLine() -> Never {
        Terminal.guardStandardDescriptors()
        // A page of data.mdb damaged in place (LMDB keeps no checksums) ends the command with exit
        // status 2 and a message, not a crash (docs/cli.md, "Exit statuses").
        gl_store_guard_install(ExitStatus.unusable.rawValue)
        let parsed: any ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        if let asynchronous = parsed as? any AsyncParsableCommand {
            // Handed once from the main thread to the task, which alone uses it from then on.
            nonisolated(unsafe) var command = asynchronous
            Task {
                do {
                    try await command.run()
                } catch {
                    finish(error)
                }
                finish(nil)
            }
            dispatchMain()
        }
        var command = parsed
        do {
            try command.run()
        } catch {
            finish(error)
        }
        finish(nil)
    }

    /// Exits with the command's status, or with 2 when what it wrote to standard output did not all
    /// get there (docs/cli.md, exit status 2: an output could not be written), which a status of 0 or
    /// 1 would hide: `apply`'s answers lost on a full disk, say.
    private static func finish(_ error: (any Error)?) -> Never {
        Terminal.flush()
        if let reason = Terminal.outputError {
            let status = (error as? ExitCode)?.rawValue ?? (error == nil ? 0 : 1)
            if status == 0 || status == 1 {
                Terminal.err("grantledger: cannot write to standard output: \(reason)")
                exit(withError: ExitStatus.unusable)
            }
        }
        if let error { exit(withError: error) }
        exit()
    }
}

/// `--store PATH`: the store folder; `$GRANTLEDGER_STORE`, else `./grantledger.store`.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store folder (default: $GRANTLEDGER_STORE, else ./grantledger.store).")
    var store: String?

    /// The path to open.
    var path: String {
        if let store { return store }
        if let fromEnvironment = Environment.value("GRANTLEDGER_STORE"), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "./grantledger.store"
    }
}
