internal import ArgumentParser
internal import GrantLedger
internal import GrantWorkflow

/// `grantledger query WHAT …`: projections out, scoped by `--as`.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query the read models (table, JSON or CSV), as the operator or as one account.",
        subcommands: [
            ProjectQuery.self, ProjectsQuery.self, ChangeQuery.self, ChangesQuery.self, CloseoutQuery.self,
            AdjustmentQuery.self, InboxQuery.self, AccountQuery.self, HistoryQuery.self, OutboxQuery.self,
            StatsQuery.self, AppraisalMaterialQuery.self, SubjectQuery.self,
        ])
}

struct SubjectQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subject",
        abstract: "Every personal field held about one person, and where (R-LOG-6, PIPL art. 45).")
    @Argument(help: "An account id of the person (or give --id-type and --id-number).") var accountId: String?
    @Option(name: .customLong("id-type"), help: "The person's identity document type.") var idType: String?
    @Option(name: .customLong("id-number"), help: "The person's identity document number.") var idNumber: String?
    @OptionGroup var options: QueryOptions

    func validate() throws {
        switch (accountId, idType, idNumber) {
        case (.some, nil, nil), (nil, .some, .some): break
        default: throw ValidationError("give an account id, or --id-type and --id-number, not both")
        }
        if let idType, IdType(rawValue: idType) == nil {
            throw ValidationError(
                "--id-type must be one of \(IdType.allCases.map(\.rawValue).joined(separator: ", ")), not '\(idType)'")
        }
    }

    func run() throws {
        let renderer = options.renderer
        let target: SubjectTarget
        if let accountId {
            target = .account(accountId)
        } else {
            target = .person(idType: IdType(rawValue: idType ?? "") ?? .residentId, idNumber: idNumber ?? "")
        }
        try options.run { ledger, _ throws(LedgerError) in
            renderer.record(try ledger.subject(target, as: options.viewer), sections: [])
        }
    }
}

struct AppraisalMaterialQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appraisal-material",
        abstract: "What an assigned expert reads to appraise a closeout (R-CLO-5): no leader, unit or members.")
    @Argument(help: "The closeout id.") var closeoutId: String
    @OptionGroup var options: QueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, _ throws(LedgerError) in
            renderer.record(try ledger.appraisalMaterial(closeoutId, as: options.viewer), sections: [])
        }
    }
}

/// The options every query takes. Only the queries that can show the past take `--as-of`
/// (``HistoricalQueryOptions``): the others do not list it in their help.
struct QueryOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "table (default), json or csv.")
    var format: OutputFormat = .table

    @Option(help: "Labels in en (default) or zh (在研, 待单位审核 …).")
    var lang: OutputLanguage = .en

    @Option(name: .customLong("as"), help: "Show only what this account may see.")
    var account: String?

    var viewer: Viewer { account.map(Viewer.account) ?? .everything }

    var renderer: QueryRenderer { QueryRenderer(format: format, language: lang.language) }

    /// Opens the store, runs the query and prints its rendering; a refusal prints the coded error on
    /// standard error and exits 1.
    func run(at moment: AsOf? = nil, _ body: (Ledger, AsOf?) throws(LedgerError) -> String) throws {
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        do {
            Terminal.out(try body(ledger, moment))
            Terminal.flush()
        } catch {
            Terminal.err(error.errorLine)
            throw ExitStatus.rejected
        }
    }
}

/// The options of the seven queries that can show the past: every query's, and `--as-of`.
struct HistoricalQueryOptions: ParsableArguments {
    @OptionGroup var query: QueryOptions

    @Option(name: .customLong("as-of"), help: "A log position or an ISO 8601 time: the state as it was then.")
    var asOf: String?

    var format: OutputFormat { query.format }
    var viewer: Viewer { query.viewer }
    var renderer: QueryRenderer { query.renderer }

    func moment() throws -> AsOf? {
        guard let asOf else { return nil }
        guard let moment = AsOf(asOf) else {
            throw ValidationError("--as-of takes a log position or an ISO 8601 time, not '\(asOf)'")
        }
        return moment
    }

    /// ``QueryOptions/run(at:_:)`` at the moment `--as-of` names (now without it).
    func run(_ body: (Ledger, AsOf?) throws(LedgerError) -> String) throws {
        try query.run(at: try moment(), body)
    }
}

/// Opening the store from the command line.
enum CLIStore {
    static func open(
        _ options: StoreOptions, mustExist: Bool, options ledgerOptions: LedgerOptions? = nil, forRebuild: Bool = false
    ) throws -> Ledger {
        let resolved = try ledgerOptions ?? Self.ledgerOptions()
        let path = options.path
        if mustExist { try requireStore(path, hint: " (set --store or GRANTLEDGER_STORE)") }
        do {
            return
                forRebuild
                ? try Ledger.openForRebuild(path: path, options: resolved) : try Ledger(path: path, options: resolved)
        } catch {
            Terminal.err("grantledger: cannot open the store \(path): \(error.message)")
            throw ExitStatus.unusable
        }
    }

    /// Exits 2 unless `path` is a folder holding a non-empty `data.mdb`. A folder without one, or
    /// with an empty one (truncated to nothing), holds no store: opening it would make a new, empty
    /// store and report on that.
    static func requireStore(_ path: String, hint: String = "") throws {
        guard FileSystem.isDirectory(path) else {
            Terminal.err("grantledger: no store at \(path)" + hint)
            throw ExitStatus.unusable
        }
        guard FileSystem.fileSize(path + "/data.mdb") ?? 0 > 0 else {
            Terminal.err(
                "grantledger: no store at \(path): "
                    + (FileSystem.exists(path + "/data.mdb") ? "its data.mdb is empty" : "it holds no data.mdb"))
            throw ExitStatus.unusable
        }
    }

    /// The options the command line uses: the standard policy, with two settings from the
    /// environment for scripts, tests and demonstrations (docs/operations.md):
    /// - `GRANTLEDGER_NOW` (an ISO 8601 time) fixes the clock for commands without `at` and for
    ///   overdue checks;
    /// - `GRANTLEDGER_PBKDF2_ITERATIONS` sets the cost of new password hashes, within
    ///   ``iterationRange`` (R-ACC-6 asks for at least 100,000); anything else is refused with exit
    ///   status 2. Stored hashes keep their own count.
    static func ledgerOptions() throws -> LedgerOptions {
        var options = LedgerOptions()
        if let now = Environment.value("GRANTLEDGER_NOW"), let time = Timestamp(iso8601: now) {
            options.clock = { time }
        }
        if let text = Environment.value("GRANTLEDGER_PBKDF2_ITERATIONS") {
            guard let iterations = Int(text), iterationRange.contains(iterations) else {
                Terminal.err(
                    "grantledger: GRANTLEDGER_PBKDF2_ITERATIONS must be a whole number from 100000 to 10000000 "
                        + "(R-ACC-6), not '\(text)'")
                throw ExitStatus.unusable
            }
            options.policy.passwordIterations = iterations
        }
        return options
    }

    /// The PBKDF2 iteration counts `GRANTLEDGER_PBKDF2_ITERATIONS` may set: at least R-ACC-6's
    /// 100,000, at most 10,000,000 (about ten seconds a hash: beyond it a typo, not a policy).
    static let iterationRange = 100_000...10_000_000
}

struct ProjectQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "project", abstract: "One project.")
    @Argument(help: "The project number (项目批准号).") var projectNo: String
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, asOf throws(LedgerError) in
            let value = try ledger.project(projectNo, as: options.viewer, asOf: asOf)
            return renderer.record(value, sections: Sections.project)
        }
    }
}

struct ProjectsQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "projects", abstract: "Projects, filtered.")
    @Option(help: "Only projects led by this leader account.") var leader: String?
    @Option(help: "Only projects of this unit.") var unit: String?
    @Option(help: "Only projects of units of this province.") var province: String?
    @Option(help: "Only projects with this status (active, completed, terminated, withdrawn).") var status: String?
    @Flag(help: "Only overdue projects.") var overdue = false
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        var filter = ProjectFilter(leader: leader, unit: unit, province: province, overdueOnly: overdue)
        if let status {
            guard let parsed = ProjectStatus(rawValue: status) else {
                throw ValidationError("--status takes active, completed, terminated or withdrawn")
            }
            filter.status = parsed
        }
        let renderer = options.renderer
        let format = options.format
        try options.run { ledger, asOf throws(LedgerError) in
            guard format == .json else {
                return renderer.list(
                    try ledger.projects(filter, as: options.viewer, asOf: asOf),
                    columns: ["projectNo", "title", "status", "unitId", "plannedEndDate", "overdue"])
            }
            // Written as it is made (the same text as the renderer's): 20,000 rows are ~5 MB.
            try ledger.writeProjectsJSON(filter, as: options.viewer, asOf: asOf, pretty: true) {
                Terminal.out(bytes: $0)
            }
            return "\n"
        }
    }
}

struct ChangeQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "change", abstract: "One change request.")
    @Argument(help: "The request id.") var requestId: String
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, asOf throws(LedgerError) in
            renderer.record(try ledger.change(requestId, as: options.viewer, asOf: asOf), sections: Sections.change)
        }
    }
}

struct ChangesQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "changes", abstract: "Change requests, filtered.")
    @Option(help: "Only requests of this project.") var project: String?
    @Option(help: "Only requests with this status.") var status: String?
    @Option(help: "Only requests of this kind.") var kind: String?
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        var filter = ChangeFilter(project: project)
        if let status {
            guard let parsed = ItemStatus(rawValue: status) else {
                throw ValidationError("--status takes \(ItemStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = parsed
        }
        if let kind {
            guard let parsed = ChangeKind(rawValue: kind) else {
                throw ValidationError("--kind takes \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.kind = parsed
        }
        let renderer = options.renderer
        try options.run { ledger, asOf throws(LedgerError) in
            renderer.list(
                try ledger.changes(filter, as: options.viewer, asOf: asOf),
                columns: ["requestId", "projectNo", "kind", "status", "awaiting"])
        }
    }
}

struct CloseoutQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "closeout", abstract: "One closeout (结项).")
    @Argument(help: "The closeout id.") var closeoutId: String
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, asOf throws(LedgerError) in
            renderer.record(
                try ledger.closeout(closeoutId, as: options.viewer, asOf: asOf), sections: Sections.closeout)
        }
    }
}

struct AdjustmentQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "adjustment", abstract: "One budget adjustment.")
    @Argument(help: "The adjustment id.") var adjustmentId: String
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, asOf throws(LedgerError) in
            let value = try ledger.adjustment(adjustmentId, as: options.viewer, asOf: asOf)
            return renderer.record(value, sections: Sections.adjustment)
        }
    }
}

struct InboxQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inbox", abstract: "What waits for an account.")
    @Argument(help: "The account id.") var accountId: String
    @OptionGroup var options: QueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, _ throws(LedgerError) in
            renderer.list(
                try ledger.inbox(accountId, as: options.viewer),
                columns: ["kind", "id", "projectNo", "since", "action"])
        }
    }
}

struct AccountQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "account", abstract: "One account.")
    @Argument(help: "The account id.") var accountId: String
    @OptionGroup var options: QueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, _ throws(LedgerError) in
            renderer.record(try ledger.account(accountId, as: options.viewer), sections: [])
        }
    }
}

struct HistoryQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every event touching a project (R-PRJ-4).")
    @Argument(help: "The project number.") var projectNo: String
    @OptionGroup var options: QueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, _ throws(LedgerError) in
            renderer.list(
                try ledger.history(projectNo, as: options.viewer),
                columns: ["position", "at", "type", "actor", "summary"])
        }
    }
}

struct OutboxQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Notifications to deliver (never a reset token, R-ACC-7).")
    @Flag(help: "Only notifications still waiting for delivery.") var undelivered = false
    @Flag(help: "Only dead letters: notifications that failed every allowed attempt.") var dead = false
    @OptionGroup var options: QueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, _ throws(LedgerError) in
            renderer.list(
                try ledger.outbox(undeliveredOnly: undelivered, deadOnly: dead, as: options.viewer),
                columns: ["id", "recipient", "channel", "template", "params", "delivered", "attempts", "nextAttemptAt"]
                    + (dead ? ["lastError"] : []))
        }
    }
}

struct StatsQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts and review times.")
    @OptionGroup var options: HistoricalQueryOptions

    func run() throws {
        let renderer = options.renderer
        try options.run { ledger, asOf throws(LedgerError) in
            let value = try ledger.stats(as: options.viewer, asOf: asOf)
            return renderer.record(value, sections: Sections.stats(value))
        }
    }
}
