// Ledger benchmarks (issue 4): durable commands with one client and with 64 concurrent clients,
// rebuilding every read model from the log, `query project` latency in process, and opening a store
// of 1,000,000 events and answering a query; and what sealing personal fields costs (R-LOG-6, issue 9):
// the same work with sealing on and off. Figures go into BENCHMARKS.md beside run-peers.
import Benchmark
import Dispatch
import EventLog
import Foundation
@_spi(Benchmarking) import GrantLedger
import GrantLedgerDemo
import GrantWorkflow
import Synchronization

/// The standard organisation: national office, a province, a unit and its admin.
let organisation = [
    #"{"type":"bootstrap","accountId":"N0","username":"national","password":"Secret123","name":"全国社科工作办","at":"2026-01-05T09:00:00+08:00"}"#,
    #"{"type":"createProvince","actor":"N0","provinceId":"P1","name":"北京市","at":"2026-01-05T09:00:00+08:00"}"#,
    #"{"type":"createUnit","actor":"N0","unitId":"U1","name":"北京大学","provinceId":"P1","at":"2026-01-05T09:00:00+08:00"}"#,
]

/// A `registerProject` line (one event of about 500 bytes), numbered.
func registerProject(_ index: Int) -> String {
    let number = "25BZX" + String(index)
    return #"{"type":"registerProject","actor":"N0","at":"2026-01-05T09:00:00+08:00","projectNo":""# + number
        + #"","title":"中国哲学史研究","category":"general","discipline":"哲学","unitId":"U1","leader":{"name":"张三","idType":"residentId","idNumber":"110108198001010015"},"members":[{"name":"李四","idType":"passport","idNumber":"E1234567","unit":"北京大学","title":"副教授","role":"成员"}],"approvedOn":"2024-06-01","plannedEndDate":"2027-12-31","deliverableForm":"monograph","budget":{"direct":{"equipment":100000,"business":300000,"labor":100000},"indirect":100000,"external":[]}}"#
}

/// A `registerProject` line with three people of its own (leader and two members, the `people`-th
/// to `people + 2`-th of distinct valid resident ID numbers): three new subjects, three sealed numbers.
func registerProject(_ index: Int, people: Int) -> String {
    SyntheticLines.registerProject(index: index, firstPerson: people, unitId: "U1", at: "2026-01-05T09:00:00+08:00")
}

/// A store in a temporary folder with the organisation and `projects` projects.
final class LedgerFixture: Sendable {
    let folder: String
    let ledger: Ledger
    let counter = Atomic<Int>(1_000_000_000)

    init(projects: Int, folder: String? = nil, seals: Bool = true) async throws {
        self.folder = folder ?? Self.temporaryFolder()
        var options = LedgerOptions()
        options.policy.passwordIterations = 1_000
        options.clock = { Timestamp(epochMilliseconds: 1_767_574_800_000) }
        options.sealsPersonalData = seals
        ledger = try Ledger(path: self.folder, options: options)
        if try ledger.head().position == 0 {
            try fill(ledger, organisation + (0..<projects).lazy.map(registerProject))
        }
    }

    /// A store filled by the demo (`grantledger demo`'s plan and seed), personal fields sealed or plain.
    init(demoProjects: Int, seals: Bool) async throws {
        folder = Self.temporaryFolder()
        var options = LedgerOptions()
        options.policy.passwordIterations = 1_000
        options.sealsPersonalData = seals
        ledger = try Ledger(path: folder, options: options)
        let report = try await ledger.fillDemo(DemoPlan(projects: demoProjects, seed: 1))
        precondition(report.unexpected.isEmpty, "the demo met surprises: \(report.unexpected)")
    }

    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(UUID().uuidString)").path
    }

    func nextIndex() -> Int { counter.add(1, ordering: .relaxed).oldValue }

    func remove() {
        ledger.close()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// Feeds lines through the pipelined path (ordered, shared commits), waiting for all answers.
func fill(_ ledger: Ledger, _ lines: some Sequence<String>) throws {
    let window = DispatchSemaphore(value: 4096)
    let failures = Atomic<Int>(0)
    let group = DispatchGroup()
    for text in lines {
        window.wait()
        group.enter()
        ledger.submit(line: Array(text.utf8)) { outcome in
            if !outcome.isAccepted, failures.add(1, ordering: .relaxed).oldValue == 0 {
                FileHandle.standardError.write(Data(("fill: " + outcome.jsonLine + "\n").utf8))
            }
            window.signal()
            group.leave()
        }
    }
    group.wait()
    if failures.load(ordering: .relaxed) > 0 { throw FillFailed() }
}

struct FillFailed: Error {}

final class Slot: Sendable {
    private let slot = Mutex<LedgerFixture?>(nil)
    var fixture: LedgerFixture? { slot.withLock { $0 } }
    func set(_ fixture: LedgerFixture) { slot.withLock { $0 = fixture } }
    func clear() { slot.withLock { $0 }?.remove() }
}

func ledgerBenchmark(
    _ name: String, metrics: [BenchmarkMetric] = [.wallClock, .throughput],
    scalingFactor: BenchmarkScalingFactor = .one,
    maxDuration: Duration = .seconds(3), maxIterations: Int = 100_000, projects: Int = 0,
    _ body: @escaping @Sendable (Benchmark, LedgerFixture) async throws -> Void
) {
    ledgerBenchmark(
        name, metrics: metrics, scalingFactor: scalingFactor, maxDuration: maxDuration, maxIterations: maxIterations,
        fixture: { try await LedgerFixture(projects: projects) }, body)
}

func ledgerBenchmark(
    _ name: String, metrics: [BenchmarkMetric] = [.wallClock, .throughput],
    scalingFactor: BenchmarkScalingFactor = .one,
    maxDuration: Duration = .seconds(3), maxIterations: Int = 100_000,
    fixture make: @escaping @Sendable () async throws -> LedgerFixture,
    _ body: @escaping @Sendable (Benchmark, LedgerFixture) async throws -> Void
) {
    let slot = Slot()
    Benchmark(
        name,
        configuration: .init(
            metrics: metrics, scalingFactor: scalingFactor, maxDuration: maxDuration, maxIterations: maxIterations),
        closure: { benchmark in
            guard let fixture = slot.fixture else { return }
            try await body(benchmark, fixture)
        },
        setup: { slot.set(try await make()) },
        teardown: { slot.clear() })
}

let benchmarks: @Sendable () -> Void = {
    // Decoding one `registerProject` line of ~500 bytes (JSON, every input rule, NFC where needed), no
    // store: each iteration decodes it 1,000 times, so the time per decode is the figure / 1,000.
    let decodeLine = Array(registerProject(123_456).utf8)
    Benchmark(
        "CommandDecoder: registerProject line ×1,000",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 10_000)
    ) { _ in
        for _ in 0..<1_000 { blackHole(try CommandDecoder.decode(line: decodeLine)) }
    }

    ledgerBenchmark("Ledger: durable commands, 1 client, 1 command per commit") { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            let outcome = await fixture.ledger.execute(line: registerProject(fixture.nextIndex()))
            precondition(outcome.isAccepted, outcome.jsonLine)
        }
    }

    // The same command built in Swift (a host application's path): no JSON decoding.
    ledgerBenchmark("Ledger: durable commands, 1 client, 1 command per commit, decoded") { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            let envelope = try CommandDecoder.decode(registerProject(fixture.nextIndex()))
            benchmark.startMeasurement()
            let outcome = await fixture.ledger.execute(envelope)
            benchmark.stopMeasurement()
            precondition(outcome.isAccepted, outcome.jsonLine)
        }
    }

    ledgerBenchmark("Ledger: durable commands, 64 concurrent clients", scalingFactor: .kilo) { benchmark, fixture in
        let perClient = benchmark.scaledIterations.count / 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    for _ in 0..<perClient {
                        let outcome = await fixture.ledger.execute(line: registerProject(fixture.nextIndex()))
                        if !outcome.isAccepted {
                            FileHandle.standardError.write(Data(("64 clients: " + outcome.jsonLine + "\n").utf8))
                            throw FillFailed()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    // Each iteration rebuilds every read model from 100,003 events; events/s = 100,003 × iterations/s.
    ledgerBenchmark(
        "Ledger: replay rebuild of 100,003 events", maxDuration: .seconds(20), maxIterations: 20, projects: 100_000
    ) { benchmark, fixture in
        for _ in benchmark.scaledIterations { blackHole(try fixture.ledger.rebuildModels()) }
    }

    ledgerBenchmark(
        "Ledger: query project in process", metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxIterations: 200_000, projects: 10_000
    ) { benchmark, fixture in
        for index in benchmark.scaledIterations {
            blackHole(try fixture.ledger.project("25BZX\(index % 10_000)", as: .everything))
        }
    }

    // What sealing personal fields costs (R-LOG-6, issue 9): each measure twice, with sealing on (as
    // always) and off (the benchmarks' switch: the layout of stores from before sealing, no subject
    // keys). Registrations bring three new people each (three sealed ID numbers, three subjects made);
    // the demo store is `grantledger demo`'s, 20,000 projects, about 80,000 events.
    for seals in [true, false] {
        let label = seals ? "sealed" : "plain"
        let people = Atomic<Int>(0)
        ledgerBenchmark(
            "Sealing: pipelined registerProject with three new people ×1,000, \(label)",
            metrics: [.wallClock, .throughput, .cpuTotal, .writeSyscalls, .writeBytesLogical],
            // A fixed count, so that both stores grow alike.
            maxDuration: .seconds(30), maxIterations: 40,
            fixture: { try await LedgerFixture(projects: 0, seals: seals) }
        ) { benchmark, fixture in
            for _ in benchmark.scaledIterations {
                let lines = (0..<1_000).map { _ in
                    registerProject(fixture.nextIndex(), people: people.add(3, ordering: .relaxed).oldValue)
                }
                benchmark.startMeasurement()
                try fill(fixture.ledger, lines)
                benchmark.stopMeasurement()
            }
        }
        // The demo's realistic mix, each iteration a fresh store: registrations (most people new),
        // accounts, changes, closeouts, budgets (PBKDF2 at 1,000 iterations here, not the demo's 10,000).
        Benchmark(
            "Sealing: the demo's 20,000 projects filled, \(label)",
            configuration: .init(metrics: [.wallClock, .cpuTotal], maxDuration: .seconds(60), maxIterations: 4)
        ) { benchmark in
            let plan = DemoPlan(projects: 20_000, seed: 1)
            for _ in benchmark.scaledIterations {
                let folder = LedgerFixture.temporaryFolder()
                var options = LedgerOptions()
                options.policy.passwordIterations = 1_000
                options.sealsPersonalData = seals
                let ledger = try Ledger(path: folder, options: options)
                benchmark.startMeasurement()
                let report = try await ledger.fillDemo(plan)
                benchmark.stopMeasurement()
                precondition(report.unexpected.isEmpty, "the demo met surprises: \(report.unexpected)")
                ledger.close()
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        ledgerBenchmark(
            "Sealing: replay rebuild of the demo store, \(label)", metrics: [.wallClock, .cpuTotal],
            maxDuration: .seconds(30), maxIterations: 30,
            fixture: { try await LedgerFixture(demoProjects: 20_000, seals: seals) }
        ) { benchmark, fixture in
            for _ in benchmark.scaledIterations { blackHole(try fixture.ledger.rebuildModels()) }
        }
        ledgerBenchmark(
            "Sealing: replay verify of the demo store, \(label)", metrics: [.wallClock, .cpuTotal],
            maxDuration: .seconds(10), maxIterations: 60,
            fixture: { try await LedgerFixture(demoProjects: 20_000, seals: seals) }
        ) { benchmark, fixture in
            for _ in benchmark.scaledIterations { blackHole(try fixture.ledger.verify()) }
        }
    }

    // Opening a store of 1,000,003 events and answering one query; no replay at open.
    let big = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-1m").path
    Benchmark(
        "Ledger: open a 1,000,003-event store and query a project",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5), maxIterations: 50),
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                let ledger = try Ledger(path: big)
                blackHole(try ledger.project("25BZX123456", as: .everything))
                ledger.close()
            }
        },
        setup: {
            let fixture = try await LedgerFixture(projects: 1_000_000, folder: big)
            fixture.ledger.close()
        },
        teardown: { try? FileManager.default.removeItem(atPath: big) })
}
