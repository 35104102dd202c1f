public import ArgumentParser

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
            DemoCommand.self, BenchCommand.self, BackupCommand.self, MigrateCommand.self,
        ])

    /// Creates the command (argument parser).
    public init() {}

    /// The executable's entry point: parses the arguments and runs the chosen subcommand, awaiting
    /// the asynchronous ones (`outbox deliver`), then exits with its status.
    public static func runFromCommandLine() async {
        await main()
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
