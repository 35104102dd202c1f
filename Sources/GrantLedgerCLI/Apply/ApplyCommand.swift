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

/// `grantledger apply [FILE|-] [--stop-on-error]`: JSON Lines in, one result line out per command,
/// each printed only after its commit is durable.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Execute JSON Lines commands and print one JSON result line per command.",
        discussion: """
            Exit status: 0 when every command was accepted, 1 when at least one was rejected, 2 when \
            the input could not be read or the store could not be opened. Blank lines are skipped.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "A JSON Lines file, or - (the default) for standard input.")
    var file: String = "-"

    @Flag(name: .long, help: "Stop at the first rejected command; later lines are not run.")
    var stopOnError = false

    @Flag(
        name: .long,
        help: """
            Trusted command time: each command's `at` is its time (for imports, demos, scenarios). Without it \
            the ledger stamps commands with its own clock and refuses an `at` more than the tolerance away.
            """)
    var trustCommandTime = false

    func run() throws {
        let fd: Int32
        var total: UInt64?
        if file == "-" {
            guard !Terminal.inputWasClosed else {
                Terminal.err("grantledger: cannot read standard input: it is closed")
                throw ExitStatus.unusable
            }
            fd = 0
        } else {
            fd = open(file, O_RDONLY)
            guard fd >= 0 else {
                Terminal.err("grantledger: cannot read \(file): \(String(cString: strerror(errno)))")
                throw ExitStatus.unusable
            }
            var info = stat()
            if fstat(fd, &info) == 0 { total = UInt64(info.st_size) }
        }
        defer { if fd > 0 { close(fd) } }
        var options = try CLIStore.ledgerOptions()
        options.trustCommandTime = trustCommandTime
        let ledger = try CLIStore.open(storeOptions, mustExist: false, options: options)
        defer { ledger.close() }
        let runner = ApplyRunner(ledger: ledger, stopOnError: stopOnError)
        let progress = ProgressReporter(label: "apply", total: total)
        let summary: ApplyRunner.Summary
        do {
            summary = try runner.run(reading: fd, progress: progress)
        } catch let failure as ReadFailure {
            progress.finish()
            Terminal.flush()
            Terminal.err("grantledger: cannot read the input: \(failure.message)")
            throw ExitStatus.unusable
        }
        progress.finish()
        Terminal.flush()
        if trustCommandTime { Self.warnIfAheadOfTheClock(ledger) }
        if summary.rejected > 0 { throw ExitStatus.rejected }
    }

    /// After a trusted-time import: a warning on standard error when the newest event lies beyond the
    /// clock's tolerance. Every later command without trusted time is stamped with that time until
    /// the clock passes it (R-LOG-4), and what is measured from a command's time (a lockout, a reset
    /// token's 30 minutes, the reset throttle, deadlines) is measured from it.
    static func warnIfAheadOfTheClock(_ ledger: Ledger) {
        guard let head = try? ledger.head(), head.position > 0 else { return }
        let now = ledger.options.clock()
        let tolerance = Int64(ledger.options.policy.clockToleranceSeconds) * 1000
        let ahead = head.time - now.epochMilliseconds
        guard ahead > tolerance else { return }
        let newest = Timestamp(epochMilliseconds: head.time)
        let days = Double(ahead) / 86_400_000
        Terminal.err(
            "grantledger: warning: the newest event's time \(newest) is "
                + (days >= 1 ? "\(Int(days)) days" : "\(ahead / 60_000) minutes")
                + " ahead of this machine's clock (\(now)). Until the clock passes it, commands without "
                + "--trust-command-time are stamped with that time, and lockouts, reset tokens, the reset "
                + "throttle and deadlines are measured from it (docs/cli.md, trusted command time).")
    }
}

/// Streams lines into the ledger's group commit and prints the answers in input order.
///
/// Lines are decoded and queued as fast as they are read (up to a window), so consecutive commands
/// share commits. A printer of its own writes and flushes each answer as soon as its commit is
/// durable and every answer before it is out, whatever standard output is: a co-process that
/// writes one line and waits for its answer gets it, and lines that arrive faster still share
/// commits and are flushed together. With `stopOnError` every command waits for the one before,
/// so nothing runs after the first rejection.
final class ApplyRunner: Sendable {
    struct Summary {
        var accepted = 0
        var rejected = 0
    }

    private struct Pending {
        var outcomes: [Int: CommandOutcome] = [:]
        var nextToPrint = 0
        var submitted = 0
        var inFlightBytes = 0
        var accepted = 0
        var rejected = 0
        var sizes: [Int: Int] = [:]
        /// Set when the input has ended: how many answers there will be.
        var total: Int?
    }

    private let ledger: Ledger
    private let stopOnError: Bool
    private let state = Mutex(Pending())
    /// Signalled when an answer arrives or the input ends: wakes the printer.
    private let answered = DispatchSemaphore(value: 0)
    /// Signalled when the printer printed something: wakes a reader waiting for room.
    private let printed = DispatchSemaphore(value: 0)
    /// Signalled once the printer has printed the last answer.
    private let printerDone = DispatchSemaphore(value: 0)

    /// Most lines in flight at once, and most bytes (attachments travel inside lines).
    static let window = 4096
    static let byteWindow = 256 << 20

    init(ledger: Ledger, stopOnError: Bool) {
        self.ledger = ledger
        self.stopOnError = stopOnError
    }

    func run(reading fd: Int32, progress: ProgressReporter) throws -> Summary {
        DispatchQueue(label: "grantledger.apply.printer").async { self.printAnswers() }
        var index = 0
        defer {
            let count = index
            state.withLock { $0.total = count }
            answered.signal()
            printerDone.wait()
        }
        var reader = LineReader(fd: fd, maximumLength: ledger.options.inputLimits.maximumLineBytes)
        while let line = try reader.next() {
            progress.update(reader.bytesRead)
            let sequence = index
            switch line {
            case .bytes(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                waitForRoom(size: bytes.count)
                state.withLock {
                    $0.submitted += 1
                    $0.inFlightBytes += bytes.count
                    $0.sizes[sequence] = bytes.count
                }
                ledger.submit(line: bytes) { outcome in self.finished(sequence, outcome) }
            case .tooLong(let length):
                state.withLock {
                    $0.submitted += 1
                    $0.sizes[sequence] = 0
                }
                let error = LedgerError(
                    .invalidInput, field: "$",
                    "line of \(length) bytes is longer than \(ledger.options.inputLimits.maximumLineBytes) bytes")
                finished(sequence, CommandOutcome(commandId: nil, error: error))
            }
            index += 1
            if stopOnError {
                waitUntilPrinted(index)
                if state.withLock({ $0.rejected }) > 0 { break }
            }
        }
        let count = index
        waitUntilPrinted(count)
        return state.withLock { Summary(accepted: $0.accepted, rejected: $0.rejected) }
    }

    /// Records an answer (on the writer thread, or the reader's for lines refused before queueing)
    /// and wakes the printer; never writes itself.
    private func finished(_ sequence: Int, _ outcome: CommandOutcome) {
        state.withLock { $0.outcomes[sequence] = outcome }
        answered.signal()
    }

    /// The printer: prints and flushes every answer whose turn has come, each time one arrives,
    /// until the last answer of the input is out.
    private func printAnswers() {
        while true {
            answered.wait()
            var lines: [String] = []
            let finished = state.withLock { pending in
                while let outcome = pending.outcomes.removeValue(forKey: pending.nextToPrint) {
                    pending.inFlightBytes -= pending.sizes.removeValue(forKey: pending.nextToPrint) ?? 0
                    pending.nextToPrint += 1
                    if outcome.isAccepted { pending.accepted += 1 } else { pending.rejected += 1 }
                    lines.append(outcome.jsonLine)
                }
                return pending.total.map { pending.nextToPrint >= $0 } ?? false
            }
            if !lines.isEmpty {
                for line in lines { Terminal.outLine(line) }
                Terminal.flush()
                printed.signal()
            }
            if finished {
                printerDone.signal()
                return
            }
        }
    }

    private func waitForRoom(size: Int) {
        while true {
            let full = state.withLock { pending in
                let inFlight = pending.submitted - pending.nextToPrint
                return inFlight >= Self.window
                    || (inFlight > 0 && pending.inFlightBytes + size > Self.byteWindow)
            }
            if !full { return }
            printed.wait()
        }
    }

    private func waitUntilPrinted(_ count: Int) {
        while state.withLock({ $0.nextToPrint < count }) {
            printed.wait()
        }
    }
}
