// OutboxWorker: follows a store's outbox and delivers every notification to a log file, one JSON
// line per delivery (R-NTF-1).
//
//     swift run OutboxWorker --store STORE --log FILE [--once] [--interval-ms N]
//
// The engine puts notifications in a durable outbox in the same commit as the events that cause
// them. This worker hands each due one, in outbox order, to a `NotificationDelivery` that appends
// a line to FILE and syncs it to disk, and only then records the delivery in the store (which
// also removes a reset token from it). A crash or kill between the two delivers that one
// notification again after a restart: nothing is lost, and at most the notification in flight is
// repeated (readers deduplicate by its `id`). A failed delivery is retried with backoff and
// dead-lettered after the policy's attempt limit, without holding up the others.
//
// `grantledger outbox deliver --jsonl FILE` does the same from the command line; this example
// shows the library calls a host makes: `deliverPendingNotifications` and `followOutbox`.
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
            Delivers every due notification in outbox order, then (unless --once) keeps delivering new ones \
            until SIGINT or SIGTERM. Each delivery is appended to the log and synced before it is recorded in \
            the store, so a restart repeats at most the notification in flight.
            """)

    @Argument(help: "The store folder (the same as --store).")
    var storeArgument: String?

    @Option(help: "The store folder (default: a new temporary folder).")
    var store: String?

    @Option(help: "The delivery log, one JSON line per delivery (default: deliveries.jsonl next to the store).")
    var log: String?

    @Flag(help: "Deliver what is due, then exit (status 1 when a delivery failed).")
    var once = false

    @Option(
        name: .customLong("interval-ms"),
        help: "How often to look for notifications that came without a new event, in milliseconds.")
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
        report("delivering the outbox of \(storePath) to \(logPath)")

        if once {
            // One run: every due notification is tried once; failures wait for their retry time.
            let result = try await ledger.deliverPendingNotifications(to: delivery)
            print("delivered \(result.delivered) notification(s) to \(logPath)")
            if result.failed + result.deadLettered > 0 {
                report("\(result.failed) failed (retried later), \(result.deadLettered) dead-lettered")
                throw ExitCode(1)
            }
            return
        }

        // Follow: deliver, then wait for a new event, a retry time or the interval; SIGINT or
        // SIGTERM cancels the task, which stops after the notification in hand.
        let total = Mutex(0)
        let interval = Duration.milliseconds(intervalMilliseconds)
        let worker = Task {
            try await ledger.followOutbox(to: delivery, pollInterval: interval) { result in
                guard result.attempted > 0 else { return }
                total.withLock { $0 += result.delivered }
                report(
                    "delivered \(result.delivered), failed \(result.failed), dead-lettered \(result.deadLettered)")
            }
        }
        let signalSources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { worker.cancel() }
            source.resume()
            return source
        }
        defer { signalSources.forEach { $0.cancel() } }
        try await worker.value
        print("delivered \(total.withLock { $0 }) notification(s) to \(logPath)")
    }
}

/// A `NotificationDelivery` that appends one JSON line per notification to a file and syncs it.
///
/// `deliver` returns only after `fsync`, so a delivery the engine records is on disk first. The
/// line is ``OutboxNotification/deliveryJSON``: secrets included, so the file is created 0600.
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
        let bytes = Array((notification.deliveryJSON.serialized() + "\n").utf8)
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

/// A line on standard error.
func report(_ message: String) {
    FileHandle.standardError.write(Data("OutboxWorker: \(message)\n".utf8))
}
