internal import ArgumentParser
internal import Dispatch
internal import EventLog
internal import GrantLedger
internal import GrantLedgerDemo
internal import GrantWorkflow
internal import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grantledger bench [--quick] [--format table|json] [--dir D]`: how fast is this on my disk?
///
/// Runs on a temporary store on the same file system as `--store` (or in `--dir`) and removes it
/// afterwards. Measures raw LMDB in this process first (single durable commits, batched commits, a
/// cursor scan), then the engine on the same disk (one client awaiting each durable command, 64
/// concurrent clients, pipelined commands as `apply` sends them, rebuild and verify), and prints
/// each engine figure beside its raw LMDB counterpart as a ratio. The JSON keys are stable
/// (docs/cli.md).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure raw LMDB and the engine on this disk, in one run, and print the ratios.",
        discussion: "--quick finishes in well under a minute; the full run measures five times as much.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The folder to measure in (default: the folder that holds --store).")
    var dir: String?

    @Flag(help: "A short run (smaller counts).")
    var quick = false

    /// `--format`: bench prints a table or JSON, not CSV.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table
        case json
    }

    @Option(help: "table (default) or json.")
    var format: Format = .table

    func run() throws {
        let parent = dir ?? Self.folder(of: storeOptions.path)
        var template = Array((parent + "/.grantledger-bench-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            Terminal.err(
                "grantledger: cannot make a temporary folder in \(parent): \(String(cString: strerror(errno)))")
            throw ExitStatus.unusable
        }
        let folder = String(cString: made)
        // Interrupted (Ctrl-C, SIGTERM), the run removes its temporary stores before it exits.
        let interrupts = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Self.remove(folder)
                Terminal.err("grantledger: bench interrupted; its temporary stores in \(parent) are removed")
                _exit(128 + number)
            }
            source.resume()
            return source
        }
        defer {
            interrupts.forEach { $0.cancel() }
            Self.remove(folder)
        }
        let sizes = BenchSizes(quick: quick)
        let report: BenchReport
        do {
            report = try Self.measure(in: folder, sizes: sizes)
        } catch {
            Terminal.err("grantledger: bench failed: \(error)")
            throw ExitStatus.unusable
        }
        Terminal.out(
            format == .json
                ? report.json(folder: parent, quick: quick).serialized(pretty: true) + "\n"
                : report.table(folder: parent))
        Terminal.flush()
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    static func measure(in folder: String, sizes: BenchSizes) throws -> BenchReport {
        var report = BenchReport()
        let progress = ProgressReporter(label: "bench", total: UInt64(9 + 2 * sizes.paired.rounds))
        defer { progress.finish() }
        let raw = RawLMDBBench(folder: folder, valueSize: 200)
        report.rawSingle = try raw.singleCommits(sizes.rawSingle)
        progress.update(1)
        (report.rawBatched, report.rawScan) = try raw.batchedCommitsAndScan(sizes.rawBatched, batch: 1_000)
        progress.update(2)
        var options = LedgerOptions()
        options.policy.passwordIterations = 100_000
        let ledger = try Self.bootstrappedLedger(at: folder + "/engine", options: options)
        defer { ledger.close() }
        let counter = Atomic<Int>(0)
        func nextLine() -> String { Self.createProvinceLine("B", counter.add(1, ordering: .relaxed).newValue) }
        // One client: each command waits for its durable answer before the next is sent.
        var started = BenchClock.now()
        for _ in 0..<sizes.oneClient { try Self.awaitAccepted(ledger, nextLine()) }
        report.oneClient = Rates(operations: sizes.oneClient, seconds: BenchClock.now() - started)
        progress.update(3)
        // 64 clients, each awaiting its own answers, sharing commits.
        started = BenchClock.now()
        let lines = (0..<(64 * sizes.perClient)).map { _ in nextLine() }
        guard Self.concurrentClients(ledger, lines: lines, clients: 64) == 0 else {
            throw LedgerError(.storage, "64 clients: rejections")
        }
        report.clients64 = Rates(operations: 64 * sizes.perClient, seconds: BenchClock.now() - started)
        progress.update(4)
        // Pipelined: lines queued in order without waiting, as `apply` sends them.
        started = BenchClock.now()
        let answered = DispatchSemaphore(value: 0)
        let rejected = Atomic<Int>(0)
        for _ in 0..<sizes.pipelined {
            ledger.submit(line: Array(nextLine().utf8)) { outcome in
                if !outcome.isAccepted { rejected.add(1, ordering: .relaxed) }
                answered.signal()
            }
        }
        for _ in 0..<sizes.pipelined { answered.wait() }
        guard rejected.load(ordering: .relaxed) == 0 else { throw LedgerError(.storage, "pipelined: rejections") }
        report.pipelined = Rates(operations: sizes.pipelined, seconds: BenchClock.now() - started)
        progress.update(5)
        let events = Int(try ledger.head().position)
        report.events = events
        started = BenchClock.now()
        _ = try ledger.rebuildModels()
        report.rebuild = Rates(operations: events, seconds: BenchClock.now() - started)
        progress.update(6)
        started = BenchClock.now()
        let verified = try ledger.verify()
        guard verified.isValid else { throw LedgerError(.corrupted, "verify failed on the bench store") }
        report.verify = Rates(operations: events, seconds: BenchClock.now() - started)
        progress.update(8)
        // 64 clients again, with the realistic command: a project with a leader and two members, three
        // new people whose ID numbers are sealed (R-LOG-6). After rebuild and verify, which measure the
        // same store as before this figure existed.
        for setup in [
            #"{"type":"createProvince","actor":"N0","provinceId":"BP","name":"基准省"}"#,
            #"{"type":"createUnit","actor":"N0","unitId":"BU","name":"基准单位","provinceId":"BP"}"#,
        ] {
            let outcome = Self.wait(ledger, setup)
            guard outcome.isAccepted else { throw LedgerError(.storage, "registrations: \(outcome.jsonLine)") }
        }
        let registrations = (0..<(64 * sizes.perClient)).map(Self.registerProjectLine)
        started = BenchClock.now()
        guard Self.concurrentClients(ledger, lines: registrations, clients: 64) == 0 else {
            throw LedgerError(.storage, "64 clients registering projects: rejections")
        }
        report.clients64Registrations = Rates(operations: registrations.count, seconds: BenchClock.now() - started)
        progress.update(9)
        // Last, the figures whose ratio to raw LMDB the disk's drift would blur: rounds of raw blocks
        // alternating with the event log's and with one client's (PairedBench). The client runs on a
        // fresh store of its own, as the one client above did, so that both figures see the same store.
        report.paired = try Self.measurePaired(in: folder, sizes: sizes.paired, options: options) {
            progress.update(UInt64(9 + $0))
        }
        return report
    }

    static func measurePaired(
        in folder: String, sizes: PairedBench.Sizes, options: LedgerOptions, progress: (Int) -> Void
    ) throws -> PairedBench.Report {
        let ledger = try Self.bootstrappedLedger(at: folder + "/engine-paired", options: options)
        defer { ledger.close() }
        var index = 0
        var paired = try PairedBench(folder: folder, sizes: sizes)
        defer { paired.close() }
        return try paired.measure(
            oneCommand: {
                index += 1
                try Self.awaitAccepted(ledger, Self.createProvinceLine("P", index))
            },
            progress: progress)
    }

    /// A new ledger at `path` whose national office `N0` is bootstrapped.
    static func bootstrappedLedger(at path: String, options: LedgerOptions) throws -> Ledger {
        let ledger = try Ledger(path: path, options: options)
        do {
            try awaitAccepted(
                ledger,
                #"{"type":"bootstrap","accountId":"N0","username":"national","password":"Bench-2026","name":"bench"}"#)
        } catch {
            ledger.close()
            throw error
        }
        return ledger
    }

    /// The bench's smallest command: province `prefix` + `index`, created by `N0`.
    static func createProvinceLine(_ prefix: String, _ index: Int) -> String {
        #"{"type":"createProvince","actor":"N0","provinceId":"\#(prefix)\#(index)","name":"基准\#(index)"}"#
    }

    /// Submits one line, waits for its durable answer, and throws unless it was accepted.
    static func awaitAccepted(_ ledger: Ledger, _ line: String) throws {
        let outcome = wait(ledger, line)
        guard outcome.isAccepted else { throw LedgerError(.storage, "refused: \(outcome.jsonLine)") }
    }

    /// The `index`-th `registerProject` line of the bench: project `26BJB…` in unit `BU`, with a leader and
    /// two members of its own (three new people).
    static func registerProjectLine(_ index: Int) -> String {
        SyntheticLines.registerProject(index: index, firstPerson: index * 3, unitId: "BU")
    }

    /// Runs `lines` as `clients` concurrent clients, each awaiting its own answers; the number rejected.
    static func concurrentClients(_ ledger: Ledger, lines: [String], clients: Int) -> Int {
        let rejected = Tally()
        let done = DispatchSemaphore(value: 0)
        let perClient = lines.count / clients
        Task { [ledger, lines, rejected] in
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<clients {
                    group.addTask {
                        for index in 0..<perClient
                        where !(await ledger.execute(line: lines[client * perClient + index])).isAccepted {
                            rejected.count.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            done.signal()
        }
        done.wait()
        return rejected.count.load(ordering: .relaxed)
    }

    /// A count shared by concurrent clients.
    final class Tally: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Submits one line and waits for its durable answer.
    static func wait(_ ledger: Ledger, _ line: String) -> CommandOutcome {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<CommandOutcome?>(nil)
        ledger.submit(line: Array(line.utf8)) { outcome in
            box.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return box.withLock { $0 } ?? CommandOutcome(commandId: nil, error: LedgerError(.storage, "no answer"))
    }

    /// Removes the run's temporary folder: the stores in it (folders of files) and anything else.
    static func remove(_ folder: String) {
        for name in entries(of: folder) {
            let path = folder + "/" + name
            for file in entries(of: path) { unlink(path + "/" + file) }
            if rmdir(path) != 0 { unlink(path) }
        }
        rmdir(folder)
    }

    /// The names in a folder, without `.` and `..`; none when it cannot be read (or is a file).
    static func entries(of folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// How much each part measures.
struct BenchSizes {
    var rawSingle: Int
    var rawBatched: Int
    var oneClient: Int
    var perClient: Int
    var pipelined: Int
    var paired: PairedBench.Sizes

    init(quick: Bool) {
        paired = PairedBench.Sizes(quick: quick)
        let scale = quick ? 1 : 5
        rawSingle = 300 * scale
        rawBatched = 200_000 * scale
        oneClient = 300 * scale
        perClient = 40 * scale
        pipelined = 20_000 * scale
    }
}

/// What one run measured.
struct BenchReport {
    var rawSingle = Rates(operations: 0, seconds: 0)
    var rawBatched = Rates(operations: 0, seconds: 0)
    var rawScan = Rates(operations: 0, seconds: 0)
    var oneClient = Rates(operations: 0, seconds: 0)
    var clients64 = Rates(operations: 0, seconds: 0)
    var clients64Registrations = Rates(operations: 0, seconds: 0)
    var pipelined = Rates(operations: 0, seconds: 0)
    var rebuild = Rates(operations: 0, seconds: 0)
    var verify = Rates(operations: 0, seconds: 0)
    var events = 0
    var paired = PairedBench.Report()

    static func ratio(_ engine: Rates, _ raw: Rates) -> Double {
        raw.perSecond > 0 ? (engine.perSecond / raw.perSecond * 1000).rounded() / 1000 : 0
    }

    /// The engine figures, each with its raw counterpart: (key, label, engine, raw, ratio key).
    var comparisons: [(key: String, label: String, engine: Rates, raw: Rates, rawLabel: String, ratioKey: String)] {
        [
            (
                "oneClientCommandsPerSecond", "one client, durable commands/s", oneClient, rawSingle,
                "raw single commits/s",
                "oneClientToRawSingle"
            ),
            (
                "clients64CommandsPerSecond", "64 clients, durable commands/s", clients64, rawSingle,
                "raw single commits/s", "clients64ToRawSingle"
            ),
            (
                "clients64RegisterProjectPerSecond", "64 clients, registerProject/s (3 people sealed)",
                clients64Registrations, rawSingle, "raw single commits/s", "clients64RegisterProjectToRawSingle"
            ),
            (
                "pipelinedCommandsPerSecond", "pipelined (apply) commands/s", pipelined, rawBatched,
                "raw batched puts/s", "pipelinedToRawBatched"
            ),
            ("rebuildEventsPerSecond", "rebuild, events/s", rebuild, rawScan, "raw cursor scan/s", "rebuildToRawScan"),
            ("verifyEventsPerSecond", "verify, events/s", verify, rawScan, "raw cursor scan/s", "verifyToRawScan"),
        ]
    }

    func json(folder: String, quick: Bool) -> JSONValue {
        func number(_ value: Double) -> JSONValue { .int(UInt64(max(0, value.rounded()))) }
        return .object([
            ("folder", .string(folder)), ("quick", .bool(quick)),
            (
                "raw",
                .object([
                    ("singleCommitsPerSecond", number(rawSingle.perSecond)),
                    ("batchedPutsPerSecond", number(rawBatched.perSecond)),
                    ("scanRecordsPerSecond", number(rawScan.perSecond)),
                ])
            ),
            (
                "engine",
                .object(comparisons.map { ($0.key, number($0.engine.perSecond)) } + [("events", .int(UInt64(events)))])
            ),
            ("ratios", .object(comparisons.map { ($0.ratioKey, .string(String(Self.ratio($0.engine, $0.raw)))) })),
            ("paired", paired.json()),
        ])
    }

    func table(folder: String) -> String {
        var table = TextTable(columns: [
            TextTable.Column(header: "measure", alignRight: false),
            TextTable.Column(header: "engine", alignRight: true),
            TextTable.Column(header: "raw LMDB", alignRight: true), TextTable.Column(header: "ratio", alignRight: true),
        ])
        for comparison in comparisons {
            table.append([
                comparison.label, Self.formatted(comparison.engine.perSecond),
                Self.formatted(comparison.raw.perSecond) + " (" + comparison.rawLabel + ")",
                String(format: "%.3f×", Self.ratio(comparison.engine, comparison.raw)),
            ])
        }
        return "measured in \(folder) (\(events) events in the engine's store)\n" + table.render() + "\n"
            + paired.table()
    }

    static func formatted(_ value: Double) -> String {
        let whole = Int(value.rounded())
        var digits = Array(String(whole))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }
}
