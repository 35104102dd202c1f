// OutboxWorker: follows a store's outbox and delivers every notification to a log file, one JSON
// line per delivery (R-NTF-1).
//
//     swift run OutboxWorker --store STORE --log FILE [--once] [--interval-ms N]
//
// The engine puts notifications in a durable outbox in the same commit as the events that cause
// them. This worker hands each pending one, in outbox order, to a `NotificationDelivery` that
// appends a line to FILE and syncs it to disk, and only then records the delivery in the store. A
// crash or kill between the two delivers that one notification again after a restart: nothing is
// lost, and at most the notification in flight is repeated (readers deduplicate by its `id`).
//
// Any number of processes may work on the store meanwhile (the CLI, the host application); run
// one worker per store, or they would deliver the same notifications.

import ArgumentParser
import Foundation
import GrantLedger
import GrantWorkflow
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct OutboxWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delivers the outbox of a GrantLedger store to a JSON Lines log file.",
        discussion: """
            Delivers every pending notification in outbox order, then (unless --once) keeps polling \
            until SIGINT or SIGTERM. Each delivery is appended to the log and synced before it is \
            recorded in the store, so a restart repeats at most the notification in flight.
            """)

    @Argument(help: "The store folder (the same as --store).")
    var storeArgument: String?

    @Option(help: "The store folder (default: a new temporary folder).")
    var store: String?

    @Option(help: "The delivery log, one JSON line per delivery (default: deliveries.jsonl next to the store).")
    var log: String?

    @Flag(help: "Deliver what is pending, then exit (status 1 when a delivery failed).")
    var once = false

    @Option(name: .customLong("interval-ms"), help: "How often to look for new notifications, in milliseconds.")
    var intervalMilliseconds = 500

    func validate() throws {
        if let store, let storeArgument, store != storeArgument {
            throw ValidationError("give the store once, as an argument or with --store")
        }
        guard intervalMilliseconds > 0 else { throw ValidationError("--interval-ms must be positive") }
    }

    func run() async throws {
        let storePath =
            store ?? storeArgument
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("grantledger-outbox-\(UUID().uuidString)")
            .path
        let logPath =
            log
            ?? URL(fileURLWithPath: storePath).deletingLastPathComponent().appendingPathComponent("deliveries.jsonl")
            .path

        let ledger: Ledger
        let delivery: LogFileDelivery
        do {
            ledger = try Ledger(path: storePath)
        } catch {
            report("cannot open the store \(storePath): \(error.message)")
            throw ExitCode(2)
        }
        defer { ledger.close() }
        do {
            delivery = try LogFileDelivery(path: logPath)
        } catch {
            report("\(error)")
            throw ExitCode(2)
        }

        let stop = StopRequest()
        let signalSources = once ? [] : stop.onSignals([SIGINT, SIGTERM])
        defer { signalSources.forEach { $0.cancel() } }
        report("delivering the outbox of \(storePath) to \(logPath)")

        var total = 0
        while true {
            do {
                // Small chunks, so that a stop request is honoured between them.
                let delivered = try await ledger.deliverPendingNotifications(to: delivery, limit: 64)
                total += delivered
                if delivered > 0 {
                    report("delivered \(delivered) notification(s)")
                    if !stop.isRequested { continue }
                }
            } catch {
                // The failed notification stays pending and is tried again first.
                report("delivery failed, will retry: \(error)")
                if once { throw ExitCode(1) }
            }
            if once || stop.isRequested { break }
            try await stop.sleep(milliseconds: intervalMilliseconds)
            if stop.isRequested { break }
        }
        print("delivered \(total) notification(s) to \(logPath)")
    }
}

/// A `NotificationDelivery` that appends one JSON line per notification to a file and syncs it.
///
/// `deliver` returns only after `fsync`, so a delivery the engine records is on disk first.
final class LogFileDelivery: NotificationDelivery {
    /// The open log file (`O_APPEND`).
    let descriptor: Int32

    /// Opens (creates) the log for appending, and syncs its folder so that a new file survives a crash.
    init(path: String) throws(DeliveryError) {
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DeliveryError("cannot open \(path)", errno) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    deinit { close(descriptor) }

    func deliver(_ notification: OutboxNotification) async throws {
        let line: JSONValue = .object([
            ("id", .string(notification.id)),
            ("recipient", .string(notification.recipient)),
            ("channel", .string(notification.channel.rawValue)),
            ("template", .string(notification.template)),
            ("params", .stringMap(notification.parameters)),
            ("createdAt", .string(notification.createdAt.description)),
            ("position", .int(notification.position)),
            ("loggedAt", .string(LedgerOptions.systemClock().description)),
        ])
        let bytes = Array((line.serialized() + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw DeliveryError("cannot append \(notification.id) to the log", errno)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw DeliveryError("cannot sync the log", errno) }
    }
}

/// A failed system call of the log file.
struct DeliveryError: Error, CustomStringConvertible {
    /// What failed, with the system's reason.
    let description: String

    init(_ what: String, _ code: Int32) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
}

/// Set by SIGINT or SIGTERM: the worker finishes the notification in hand and exits.
final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    /// Whether a stop was asked for.
    var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// Turns `signals` into a stop request instead of ending the process, for as long as the
    /// returned sources are kept.
    func onSignals(_ signals: [Int32]) -> [any DispatchSourceSignal] {
        signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in requested.store(true, ordering: .releasing) }
            source.resume()
            return source
        }
    }

    /// Sleeps `milliseconds`, waking early when a stop is requested.
    func sleep(milliseconds: Int) async throws {
        var left = milliseconds
        while left > 0 && !isRequested {
            let step = min(left, 50)
            try await Task.sleep(for: .milliseconds(step))
            left -= step
        }
    }
}

/// A line on standard error.
func report(_ message: String) {
    FileHandle.standardError.write(Data("OutboxWorker: \(message)\n".utf8))
}
