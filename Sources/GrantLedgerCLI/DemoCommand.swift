internal import ArgumentParser
internal import Dispatch
internal import GrantLedger
internal import GrantLedgerDemo
internal import GrantWorkflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grantledger demo [--projects N] [--seed S]`: fills an empty store with a realistic,
/// deterministic national year (docs/demo.md), then prints what it made and five queries to try.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill an empty store with a realistic, deterministic national year of NSSF project management.",
        discussion: """
            Provinces, units and their admins, experts, N projects of every category and discipline, and \
            every workflow in every outcome through 2025. The same --projects and --seed always give the same \
            events; their digests differ from store to store, because personal fields are sealed under \
            random keys (docs/demo.md). Refuses a store that already has events (exit 2). The demo's \
            accounts all have the password \(DemoPlan.password) and are hashed with \
            \(DemoCommand.defaultIterations) PBKDF2 iterations unless --pbkdf2-iterations or \
            GRANTLEDGER_PBKDF2_ITERATIONS says otherwise (docs/demo.md explains why).
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "How many projects to register.")
    var projects = 20_000

    @Option(help: "The seed of every random choice: the same seed gives the same store.")
    var seed: UInt64 = 1

    @Option(
        name: .customLong("pbkdf2-iterations"),
        help: "PBKDF2-SHA256 iterations for the demo's password hashes (default \(DemoCommand.defaultIterations)).")
    var iterations: Int?

    /// The demo's PBKDF2 cost: the 210,000 of the policy would spend most of the minute on ~2,300
    /// password hashes (docs/demo.md "Password cost").
    static let defaultIterations = 10_000

    /// The most projects a demo plans: its plan is held in memory (about 4 GB at this bound), and
    /// larger stores come from `scripts/bulk-lines.py` through `apply` (BENCHMARKS.md, growth).
    static let maximumProjects = 1_000_000

    func validate() throws {
        guard (1...Self.maximumProjects).contains(projects) else {
            throw ValidationError("--projects must be from 1 to 1,000,000")
        }
        if let iterations, !(1_000...CLIStore.iterationRange.upperBound).contains(iterations) {
            throw ValidationError("--pbkdf2-iterations must be from 1,000 to 10,000,000")
        }
    }

    func run() throws {
        let started = Self.seconds()
        var options = try CLIStore.ledgerOptions()
        if let iterations {
            options.policy.passwordIterations = iterations
        } else if Environment.value("GRANTLEDGER_PBKDF2_ITERATIONS") == nil {
            options.policy.passwordIterations = Self.defaultIterations
        }
        let path = storeOptions.path
        let ledger: Ledger
        do {
            ledger = try Ledger(path: path, options: options)
        } catch {
            Terminal.err("grantledger: cannot open the store \(path): \(error.message)")
            throw ExitStatus.unusable
        }
        defer { ledger.close() }
        if let head = try? ledger.head(), head.position > 0 {
            Terminal.err(
                "grantledger: the store \(path) already holds \(head.position) events; the demo fills only an empty "
                    + "store (choose another --store)")
            throw ExitStatus.unusable
        }

        let plan = DemoPlan(projects: projects, seed: seed)
        let planned = Self.seconds()
        let progress = ProgressReporter(label: "demo", total: UInt64(plan.steps.count))
        let report: DemoReport
        do {
            report = try ledger.fillDemo(plan) { done, _ in progress.update(UInt64(done)) }
        } catch {
            progress.finish()
            Terminal.err(error.errorLine)
            throw ExitStatus.unusable
        }
        progress.finish()
        let filled = Self.seconds()

        let summary = DemoSummary(
            plan: plan, report: report, ledger: ledger, path: path, explicitStore: storeOptions.store != nil,
            iterations: options.policy.passwordIterations,
            timings: (plan: planned - started, run: filled - planned, total: filled - started))
        Terminal.out(summary.text())
        Terminal.flush()
        if !report.unexpected.isEmpty { throw ExitStatus.rejected }
    }

    static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// The text `grantledger demo` prints at the end: what it made, and five queries to try.
struct DemoSummary {
    var plan: DemoPlan
    var report: DemoReport
    var ledger: Ledger
    var path: String
    var explicitStore: Bool
    var iterations: Int
    var timings: (plan: Double, run: Double, total: Double)

    func text() -> String {
        let inventory = plan.inventory
        // The state as at the end of the demo's year, so that "overdue" means overdue on 31 December.
        let yearEnd = Timestamp(iso8601: "\(DemoPlan.year)-12-31T23:59:59+08:00") ?? Timestamp(epochMilliseconds: 0)
        let stats = (try? ledger.stats(as: .everything, asOf: .time(yearEnd))) ?? .null
        let head = try? ledger.head()
        var lines: [String] = []
        lines.append(
            "GrantLedger demo: the national year \(DemoPlan.year), seed \(plan.seed), \(Self.number(inventory.projects)) projects"
        )
        lines.append("store: \(path)")
        lines.append("")
        lines.append("made:")
        lines.append(
            "  organisation  \(inventory.provinces) provinces, \(inventory.units) units, "
                + "\(inventory.adminAccounts) admin accounts (national office, provincial offices, unit admins)")
        lines.append(
            "  people        \(Self.number(inventory.leaderAccounts)) leader accounts, "
                + "\(inventory.expertAccounts) expert accounts")
        lines.append(
            "  projects      \(Self.counts(stats, "projectsByCategory")); "
                + "\(Self.number(inventory.projectsWithWorkflow)) ran a workflow")
        lines.append(
            "  at year end   \(Self.counts(stats, "projectsByStatus")); overdue \(Self.value(stats, "overdue"))")
        lines.append("  changes       \(Self.counts(stats, "changesByKind"))")
        lines.append("                \(Self.counts(stats, "changesByStatus"))")
        lines.append(
            "  closeouts     \(Self.counts(stats, "closeoutsByStatus")); grades \(Self.counts(stats, "closeoutGrades"))"
        )
        lines.append("  adjustments   \(Self.counts(stats, "adjustmentsByStatus"))")
        lines.append("")
        let expected = report.expectedRejections.keys.sorted().map { "\($0) ×\(report.expectedRejections[$0] ?? 0)" }
        let onPurpose = report.expectedRejections.values.reduce(0, +)
        lines.append(
            "commands: \(Self.number(report.steps)) (\(Self.number(report.accepted)) accepted, "
                + "\(onPurpose) rejected on purpose: \(expected.joined(separator: ", ")))")
        if !report.unexpected.isEmpty {
            lines.append("UNEXPECTED: \(report.unexpected.count) steps did not go as planned, the first ones:")
            for surprise in report.unexpected.prefix(5) { lines.append("  \(surprise)") }
        }
        if let head {
            lines.append("events: \(Self.number(Int(head.position))), head digest \(PasswordHasher.hex(head.digest))")
        }
        lines.append(
            "accounts: password \(DemoPlan.password) for every demo account; PBKDF2-SHA256 with "
                + "\(Self.number(iterations)) iterations for the demo's hashes (the policy default is "
                + "\(Self.number(WorkflowPolicy.standard.passwordIterations)); see docs/demo.md)")
        lines.append(
            "time: \(Self.seconds(timings.total)) (plan \(Self.seconds(timings.plan)), "
                + "commands \(Self.seconds(timings.run)))")
        lines.append("")
        lines.append("try:")
        for query in queries() { lines.append("  " + query) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Queries with real ids: a completed project in Chinese and its certificate, the fullest unit
    /// inbox, the pending requests, an approval form, a project the national office ended, and the audit.
    func queries() -> [String] {
        let store =
            explicitStore || Environment.value("GRANTLEDGER_STORE") != nil ? " --store " + Self.quoted(path) : ""
        let highlights = plan.highlights
        var busiest = highlights.unitAdminIds.first ?? "UA-U001"
        var most = -1
        for admin in highlights.unitAdminIds {
            if case .array(let entries)? = try? ledger.inbox(admin, as: .everything), entries.count > most {
                most = entries.count
                busiest = admin
            }
        }
        var result: [String] = []
        if !highlights.completedProjectNo.isEmpty {
            let no = Self.quoted(highlights.completedProjectNo)
            result.append("grantledger query project \(no) --lang zh\(store)")
            let file = String(highlights.completedProjectNo.map { $0 == "&" ? "_" : $0 })
            result.append("grantledger form completion-certificate \(no) --out \(Self.quoted(file)).html\(store)")
        }
        result.append("grantledger query inbox \(busiest)\(store)")
        result.append("grantledger query changes --status pending\(store)")
        if !highlights.nationallyApprovedRequestId.isEmpty {
            let id = highlights.nationallyApprovedRequestId
            result.append("grantledger form change-approval \(id) --out \(id).html\(store)")
        }
        if !highlights.officeEndedProjectNo.isEmpty {
            result.append("grantledger query project \(Self.quoted(highlights.officeEndedProjectNo))\(store)")
        }
        result.append("grantledger replay verify\(store)")
        return result
    }

    /// The text as one shell word: as is when safe, else in single quotes (`'21&ZD001'`).
    static func quoted(_ text: String) -> String {
        let safe =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "-_./:=@%+,".unicodeScalars.contains(scalar)
            }
        if safe { return text }
        return "'" + text.replacingSingleQuotes() + "'"
    }

    static func counts(_ stats: JSONValue, _ key: String) -> String {
        guard case .object(let object)? = stats[member: key] else { return "-" }
        let parts = object.keys.map { name -> String in
            guard case .number(let text)? = object[name], let count = Int(text) else { return name }
            return "\(name) \(number(count))"
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    static func value(_ stats: JSONValue, _ key: String) -> String {
        if case .number(let text)? = stats[member: key], let count = Int(text) { return number(count) }
        return "-"
    }

    /// 20000 → 20,000.
    static func number(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}

extension String {
    /// The text with each `'` written as `'\''`, for a single-quoted shell word.
    fileprivate func replacingSingleQuotes() -> String {
        var result = ""
        for character in self {
            if character == "'" { result += "'\\''" } else { result.append(character) }
        }
        return result
    }
}
