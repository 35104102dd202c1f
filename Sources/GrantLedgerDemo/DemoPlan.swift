public import GrantWorkflow

/// A realistic, deterministic national year (2025) of NSSF project management, as the ordered list
/// of commands that builds it: provinces, units and their admins, experts, `projects` projects of
/// every category and discipline, and the leaders of the projects that run a workflow, with every
/// workflow in every outcome (docs/demo.md).
///
/// The same `projects` and `seed` always give the same steps, byte for byte: every choice comes from
/// a ``SplitMix64`` seeded with `seed`, every command carries its own time (`at`) and id, and no
/// dictionary or set order leaks into the output. Executed in order on an empty store
/// (``Ledger/fillDemo(_:progress:)``), the plan gives the same event log, down to the head digest.
///
/// ```swift
/// let plan = DemoPlan(projects: 2_000, seed: 7)
/// let report = try await ledger.fillDemo(plan)
/// assert(report.unexpected.isEmpty)
/// ```
public struct DemoPlan: Sendable {
    /// The simulated year.
    public static let year = 2025
    /// The password of every account the demo creates (documented, so that people can try `login`).
    public static let password = "Nssf2025demo"
    /// Below this many projects, the plan cannot give every scenario its own project: the first
    /// `projects` scenarios run, and coverage is incomplete.
    public static var projectsForFullCoverage: Int { DemoScenario.coverage.count }

    /// How many projects the plan registers.
    public let projectCount: Int
    /// The seed of every choice.
    public let seed: UInt64
    /// The commands, in the order they must run (their times never decrease).
    public let steps: [DemoStep]
    /// What the plan creates.
    public let inventory: DemoInventory
    /// Ids worth looking at afterwards.
    public let highlights: DemoHighlights

    /// The plan for `projects` projects (at least 1) and `seed`.
    ///
    /// One project in five runs a workflow during the year (with a leader account); every
    /// scenario of ``DemoScenario/coverage`` runs at least once when `projects` allows it; the others
    /// stay quiet, and some of those run past their end date (overdue).
    public init(projects: Int, seed: UInt64) {
        var builder = DemoBuilder(projects: max(1, projects), seed: seed)
        builder.build()
        projectCount = max(1, projects)
        self.seed = seed
        steps = builder.finishedSteps()
        inventory = builder.inventory
        highlights = builder.highlights
    }

    /// How many steps are expected to be rejected, by error code: the ones that show a rule
    /// (five failed logins and a login while locked, a duplicate open change, a third extension,
    /// a closeout submitted without its ledger).
    public var expectedRejections: [String: Int] {
        var counts: [String: Int] = [:]
        for step in steps {
            if let code = step.expectedError { counts[code, default: 0] += 1 }
        }
        return counts
    }

    /// The plan as JSON Lines for `grantledger apply`, except the password resets, whose token only
    /// exists once the reset was requested (those steps are left out).
    public var jsonLines: [String] {
        steps.compactMap { step in
            if case .line(let line) = step.action { return line }
            return nil
        }
    }
}

/// One command of a ``DemoPlan``.
public struct DemoStep: Sendable, Hashable {
    /// What to execute.
    public enum Action: Sendable, Hashable {
        /// A complete JSON command line (docs/cli.md), with its `id` and `at`.
        case line(String)
        /// `resetPassword` for the account with the token it was last sent (read from the outbox at
        /// run time, as the account holder would read the SMS), and this new password.
        case resetPassword(accountId: String, newPassword: String)
    }

    /// The command id (idempotency, R-LOG-3): `d<seed>-<index>`.
    public var commandId: String
    /// The command type.
    public var type: String
    /// The command's time.
    public var time: Timestamp
    /// The command.
    public var action: Action
    /// The error code this step shows on purpose, or nil when it must be accepted.
    public var expectedError: String?

    /// Whether the step must see every earlier step committed before it is prepared: password checks
    /// read the stored credential outside the write transaction, and resets need the sent token.
    public var waitsForCommit: Bool {
        type == "login" || type == "resubmitRegistration" || type == "resetPassword"
    }

    /// Whether preparing the step hashes a password (the slow part of the demo).
    public var hashesPassword: Bool {
        type == "bootstrap" || type == "createAdminAccount" || type == "registerAccount" || type == "resetPassword"
    }

    /// The JSON line of a ``Action/resetPassword(accountId:newPassword:)`` step for `token`.
    public func resetLine(token: String) -> String? {
        guard case .resetPassword(_, let newPassword) = action else { return nil }
        return JSONValue.object([
            ("id", .string(commandId)), ("type", .string(type)), ("at", .string(time.description)),
            ("token", .string(token)), ("newPassword", .string(newPassword)),
        ]).serialized()
    }
}

/// What a ``DemoPlan`` creates.
public struct DemoInventory: Sendable, Hashable {
    /// Provinces (省级).
    public var provinces = 0
    /// Responsible units (责任单位).
    public var units = 0
    /// Admin accounts: the national office, provincial offices and unit admins.
    public var adminAccounts = 0
    /// Leader accounts (one per project that runs a workflow).
    public var leaderAccounts = 0
    /// Expert accounts.
    public var expertAccounts = 0
    /// Projects registered.
    public var projects = 0
    /// Projects that run a workflow during the year.
    public var projectsWithWorkflow = 0
    /// Projects by category (`major`, `key` …).
    public var projectsByCategory: [String: Int] = [:]
    /// Scenarios run, by name (``DemoScenario/name``).
    public var scenarios: [String: Int] = [:]
    /// Steps in the plan.
    public var steps = 0
}

/// Ids from a ``DemoPlan`` that are worth a look afterwards.
public struct DemoHighlights: Sendable, Hashable {
    /// A general project completed with grade excellent.
    public var completedProjectNo = ""
    /// A change request approved by the national office (it has a printable approval form).
    public var nationallyApprovedRequestId = ""
    /// A project with a long history (extended twice, a third extension refused).
    public var extendedProjectNo = ""
    /// The account locked by five failed logins.
    public var lockedAccountId = ""
    /// A project the national office ended itself (R-PRJ-5).
    public var officeEndedProjectNo = ""
    /// A change of unit agreed by the receiving unit (R-CHG-6).
    public var receivingUnitRequestId = ""
    /// The unit admins, in unit order (the CLI picks one with a full inbox).
    public var unitAdminIds: [String] = []
}
