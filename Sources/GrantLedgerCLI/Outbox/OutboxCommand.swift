internal import ArgumentParser
internal import Dispatch
internal import GrantLedger
internal import GrantWorkflow
internal import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grantledger outbox …`: the outbox from the command line.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Deliver the outbox (R-NTF-1).", subcommands: [DeliverCommand.self])
}

/// `grantledger outbox deliver (--jsonl FILE | --exec CMD) [--once] [--follow]`: the command-line
/// form of ``Ledger/deliverPendingNotifications(to:limit:)`` and ``Ledger/followOutbox(to:pollInterval:onRun:)``.
struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Hand each due notification, secrets included, to a file or a command (R-NTF-1).",
        discussion: """
            Each due notification becomes one JSON object {id, recipient, channel, template, params, createdAt, \
            position, attempt}, appended as one line to the --jsonl file (synced before it counts as delivered) \
            or written to the standard input of the --exec command (run by /bin/sh -c; exit status 0 means \
            delivered). A delivered notification is recorded and its secrets (a reset token) leave the store; a \
            failed one is retried with backoff and dead-lettered after the policy's attempt limit, without \
            holding up the others. Without --follow (or with --once) it delivers what is due and exits: 0 when \
            every attempt succeeded, 1 when one failed, 2 when the store or the file cannot be opened. \
            --follow keeps delivering as notifications arrive, from any process, until SIGINT or SIGTERM. \
            Prints a summary {"delivered", "failed", "deadLettered"} on standard output at the end.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Append each notification as one JSON line to this file (created with mode 0600).")
    var jsonl: String?

    @Option(help: "Run this shell command once per notification, the notification's JSON line on its standard input.")
    var exec: String?

    @Flag(help: "Deliver what is due, then exit (the default).")
    var once = false

    @Flag(help: "Keep delivering as new notifications arrive, until SIGINT or SIGTERM.")
    var follow = false

    func validate() throws {
        guard (jsonl == nil) != (exec == nil) else { throw ValidationError("give exactly one of --jsonl and --exec") }
        if once && follow { throw ValidationError("--once and --follow exclude each other") }
    }

    func run() async throws {
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        let delivery: any NotificationDelivery
        if let jsonl {
            do {
                delivery = try JSONLinesDelivery(path: jsonl)
            } catch {
                Terminal.err("grantledger: \(error)")
                throw ExitStatus.unusable
            }
        } else {
            // A command that exits without reading its input must not end this process.
            signal(SIGPIPE, SIG_IGN)
            delivery = ShellCommandDelivery(command: exec ?? "")
        }
        let total = RunningTotal()
        do {
            if follow {
                try await deliverUntilStopped(ledger, delivery, total)
            } else {
                total.add(try await ledger.deliverPendingNotifications(to: delivery))
            }
        } catch {
            Terminal.err(error.errorLine)
            throw ExitStatus.unusable
        }
        let sum = total.value
        Terminal.outLine(
            JSONValue.object([
                ("delivered", .int(sum.delivered)), ("failed", .int(sum.failed)),
                ("deadLettered", .int(sum.deadLettered)),
            ]).serialized())
        Terminal.flush()
        if !follow && sum.failed + sum.deadLettered > 0 { throw ExitStatus.rejected }
    }

    /// Follows the outbox until SIGINT or SIGTERM cancels the delivery task.
    private func deliverUntilStopped(
        _ ledger: Ledger, _ delivery: any NotificationDelivery, _ total: RunningTotal
    ) async throws(LedgerError) {
        let task = Task {
            try await ledger.followOutbox(to: delivery) { report in
                guard report.attempted > 0 else { return }
                total.add(report)
                Terminal.err(
                    "grantledger: delivered \(report.delivered), failed \(report.failed), "
                        + "dead-lettered \(report.deadLettered)")
            }
        }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            try await task.value
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "\(error)")
        }
    }
}

/// The sum of the delivery runs, shared with the follow task's callback.
final class RunningTotal: Sendable {
    private let total = Mutex(OutboxDeliveryReport())

    func add(_ report: OutboxDeliveryReport) {
        total.withLock { sum in
            sum.delivered += report.delivered
            sum.failed += report.failed
            sum.deadLettered += report.deadLettered
        }
    }

    var value: OutboxDeliveryReport { total.withLock { $0 } }
}
