import EventLog
import Foundation
import GrantLedger
import GrantLedgerDemo
import GrantWorkflow
import Testing

/// The demo (`grantledger demo`, docs/demo.md): a deterministic national year in which every
/// workflow reaches every outcome, with no rejection but the ones shown on purpose.
@Suite struct DemoTests {
    /// The rejections the plan shows on purpose, and nothing else: five failed logins and a login
    /// while locked (R-ACC-6), a second open extension (R-CHG-3), a third extension (R-CHG-9), a
    /// closeout submitted without its ledger (R-CLO-2).
    static let expectedRejections: [String: Int] = [
        "invalidCredentials": 5, "accountLocked": 1, "duplicatePendingChange": 1, "extensionLimitReached": 1,
        "ledgerAttachmentRequired": 1,
    ]

    static func fill(_ path: String, projects: Int, seed: UInt64) async throws -> (Ledger, DemoPlan, DemoReport) {
        let ledger = try openTestLedger(path, now: "2025-12-31T23:00:00+08:00")
        let plan = DemoPlan(projects: projects, seed: seed)
        let report = try await ledger.fillDemo(plan)
        return (ledger, plan, report)
    }

    @Test func samePlanForTheSameSeed() {
        let first = DemoPlan(projects: 150, seed: 42)
        let second = DemoPlan(projects: 150, seed: 42)
        #expect(first.steps == second.steps)
        #expect(first.highlights == second.highlights)
        #expect(DemoPlan(projects: 150, seed: 43).steps != first.steps)
    }

    @Test func planTimesNeverGoBackAndIdsAreUnique() {
        let plan = DemoPlan(projects: 300, seed: 1)
        #expect(zip(plan.steps, plan.steps.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(Set(plan.steps.map(\.commandId)).count == plan.steps.count)
        #expect(plan.steps.allSatisfy { $0.time.chinaDate.parts.year == DemoPlan.year })
        #expect(plan.expectedRejections == Self.expectedRejections)
        #expect(plan.inventory.projects == 300)
        #expect(Set(plan.inventory.scenarios.keys) == Set(DemoScenario.coverage.map(\.name)))
    }

    /// Every command accepted but the planned refusals; every change kind, decision, closeout and
    /// budget outcome present; the log verifies and the read models equal a rebuild (R-LOG-2, R-LOG-5).
    @Test func smallDemoCoversEveryWorkflowWithoutSurprises() async throws {
        let directory = TemporaryDirectory()
        let (ledger, plan, report) = try await Self.fill(directory.child("demo"), projects: 200, seed: 3)
        defer { ledger.close() }
        #expect(report.unexpected.isEmpty, "\(report.unexpected.prefix(5))")
        #expect(report.expectedRejections == Self.expectedRejections)
        #expect(report.steps == plan.steps.count)
        #expect(report.accepted + report.rejected == plan.steps.count)

        let verify = try ledger.verify()
        #expect(verify.isValid)
        #expect(try ledger.checkModels().differences.isEmpty)

        let stats = try ledger.stats(as: .everything)
        func counts(_ key: String) -> [String: Int] {
            guard case .object(let object)? = stats[member: key] else { return [:] }
            var result: [String: Int] = [:]
            for key in object.keys {
                if case .number(let text)? = object[key] { result[key] = Int(text) }
            }
            return result
        }
        #expect(counts("projectsByStatus").keys.sorted() == ["active", "completed", "terminated", "withdrawn"])
        #expect(Set(counts("changesByKind").keys) == Set(ChangeKind.allCases.map(\.rawValue)))
        #expect(
            Set(counts("changesByStatus").keys).isSuperset(of: [
                "draft", "pending", "returned", "effective", "cancelled",
            ]))
        #expect(
            Set(counts("closeoutsByStatus").keys).isSuperset(of: ["pending", "appraisal", "completed", "deferred"]))
        #expect(Set(counts("closeoutGrades").keys) == ["excellent", "good", "pass"])
        #expect(Set(counts("adjustmentsByStatus").keys) == ["cancelled", "closed", "effective", "pending", "returned"])
        #expect(counts("projectsByCategory").keys.sorted() == ["general", "key", "major", "western", "youth"])
        if case .number(let overdue)? = stats[member: "overdue"] { #expect((Int(overdue) ?? 0) > 0) }

        // Each decision at each level of change requests (R-CHG-5), and the awaited levels at year end.
        var decisions: Set<String> = []
        var awaiting: Set<String> = []
        guard case .array(let requests) = try ledger.changes(as: .everything) else {
            throw DemoTestFailure("changes is not an array")
        }
        for request in requests {
            guard case .string(let id)? = request[member: "requestId"] else { continue }
            if case .string(let level)? = request[member: "awaiting"] { awaiting.insert(level) }
            guard case .array(let records)? = try ledger.change(id, as: .everything)[member: "decisions"] else {
                continue
            }
            for record in records {
                if case .string(let level)? = record[member: "level"],
                    case .string(let decision)? = record[member: "decision"]
                {
                    decisions.insert(level + "." + decision)
                }
            }
        }
        for level in [ReviewLevel.unit, .province, .national] {
            for decision in ReviewDecision.allCases {
                #expect(decisions.contains("\(level.rawValue).\(decision.rawValue)"), "no \(decision) at \(level)")
            }
        }
        #expect(decisions.contains("receivingUnit.approve"), "no receiving unit's agreement (R-CHG-6)")
        #expect(awaiting == ["unit", "province", "national"])

        // The events of the other workflows.
        var types: [String: Int] = [:]
        var closeoutIds: [String] = []
        var overridden = 0
        try ledger.forEachEvent { event in
            guard case .string(let type)? = event[member: "type"] else { return }
            types[type, default: 0] += 1
            if type == "CloseoutOpened", case .string(let id)? = event[member: "data"]?[member: "closeoutId"] {
                closeoutIds.append(id)
            }
            if type == "CloseoutConcluded", case .string? = event[member: "data"]?[member: "overrideReason"] {
                overridden += 1
            }
        }
        #expect(overridden > 0, "no grade overridden with a reason (R-CLO-7)")

        // Exempt closeouts completed; a deferred closeout revised and completed (R-CLO-7).
        var exemptCompleted = false
        var deferredThenCompleted = false
        for id in closeoutIds {
            let closeout = try ledger.closeout(id, as: .everything)
            let completed = closeout[member: "status"] == .string("completed")
            if completed, closeout[member: "appraisalMode"] == .string("exempt") { exemptCompleted = true }
            if completed, case .array(let records)? = closeout[member: "decisions"],
                records.contains(where: {
                    $0[member: "level"] == .string("national") && $0[member: "decision"] == .string("return")
                })
            {
                deferredThenCompleted = true
            }
        }
        #expect(exemptCompleted)
        #expect(deferredThenCompleted)
        for type in [
            "ChangeRequestRecalled", "ChangeRequestCancelled", "ChangeRequestClosed", "CloseoutRecalled",
            "CloseoutClosed",
            "BudgetAdjustmentRecalled", "BudgetAdjustmentCancelled", "BudgetAdjustmentClosed", "ProjectTerminated",
            "ProjectWithdrawn", "ProjectEndDateExtended", "ProjectLeaderChanged", "ProjectUnitChanged",
            "ProjectTitleChanged", "ProjectDeliverableFormChanged", "ProjectMembersChanged", "ProjectContentAdjusted",
            "ProjectBudgetAdjusted", "PasswordChanged", "RegistrationResubmitted", "LeaderIdNumberSet",
            "AccountEnabledSet", "DeadlineReminderSent", "ProjectListedOverdue", "AttachmentAdded",
        ] {
            #expect(types[type, default: 0] > 0, "no \(type)")
        }
        #expect(types["ProjectEndDateExtended", default: 0] >= 2)

        // Both budget routes: one effective with a filing record, one through the national office (R-BUD-3).
        let outbox = try ledger.outboxNotifications()
        #expect(outbox.contains { $0.template == "filingRecord" && $0.parameters["itemKind"] == "budgetAdjustment" })
        #expect(outbox.contains { $0.template == "filingRecord" && $0.parameters["itemKind"] == "changeRequest" })
        #expect(outbox.contains { $0.template == "passwordReset" })

        // The highlights exist.
        let completed = try ledger.project(plan.highlights.completedProjectNo, as: .everything)
        #expect(completed[member: "status"] == .string("completed"))
        #expect(completed[member: "grade"] == .string("excellent"))
        let form = try ledger.approvalForm(plan.highlights.nationallyApprovedRequestId, as: .everything)
        #expect(!form.html().isEmpty)
        let extended = try ledger.project(plan.highlights.extendedProjectNo, as: .everything)
        #expect(extended[member: "extensionCount"] == .number("2"))
    }

    /// The same seed gives the same log: the same events at the same positions, decoding to the same
    /// payloads (R-LOG-4). The digests differ: personal fields are sealed under fresh random keys and
    /// nonces in each store (R-LOG-6), so two stores never share ciphertext.
    @Test func sameSeedGivesTheSameEvents() async throws {
        let directory = TemporaryDirectory()
        var logs: [[JSONValue]] = []
        var digests: [[UInt8]] = []
        for name in ["first", "second"] {
            let (ledger, _, report) = try await Self.fill(directory.child(name), projects: 80, seed: 11)
            #expect(report.unexpected.isEmpty, "\(report.unexpected.prefix(5))")
            var events: [JSONValue] = []
            try ledger.forEachEvent { event in
                guard case .object(let object) = event else { return }
                events.append(.object(object.keys.filter { $0 != "digest" }.map { ($0, object[$0] ?? .null) }))
            }
            logs.append(events)
            digests.append(try ledger.head().digest)
            ledger.close()
        }
        #expect(logs[0].count > 0)
        #expect(logs[0] == logs[1])
        #expect(digests[0] != digests[1], "two stores must not share ciphertext")
        let (other, _, _) = try await Self.fill(directory.child("other"), projects: 80, seed: 12)
        var otherEvents: [JSONValue] = []
        try other.forEachEvent { otherEvents.append($0) }
        #expect(otherEvents.count != logs[0].count || otherEvents.first != logs[0].first)
        other.close()
    }

    /// `grantledger demo` prints what it made and five queries, each of which works; a second run on
    /// the same store is refused with exit status 2.
    @Test func commandLinePrintsQueriesThatWorkAndRefusesAUsedStore() throws {
        let directory = TemporaryDirectory()
        let store = directory.child("cli")
        let first = try runCLI(
            ["demo", "--projects", "120", "--seed", "5", "--pbkdf2-iterations", "1000"], store: store)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("rejected on purpose"))
        #expect(first.stdout.contains("1,000 iterations"))
        let queries = first.lines.drop { $0 != "try:" }.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(queries.count == 7)
        for query in queries {
            var arguments = query.split(separator: " ").dropFirst().map(String.init)
            if let out = arguments.firstIndex(of: "--out") { arguments[out + 1] = directory.child("form.html") }
            let result = try runCLI(arguments.map { $0.replacingOccurrences(of: "'", with: "") }, store: store)
            #expect(result.status == 0, "\(query): \(result.stderr)")
        }
        let second = try runCLI(["demo", "--projects", "120"], store: store)
        #expect(second.status == 2)
        #expect(second.stderr.contains("already holds"))
    }

    /// Options beyond their bounds are usage errors, and nothing is created (an outside audit had
    /// `--pbkdf2-iterations 4294967296` die by SIGILL and `--projects 1000000000` take 4 GB).
    @Test func optionsOutOfBoundsAreUsageErrors() throws {
        let directory = TemporaryDirectory()
        let store = directory.child("none")
        for arguments in [
            ["--projects", "0"], ["--projects", "1000001"], ["--projects", "1000000000"],
            ["--pbkdf2-iterations", "999"], ["--pbkdf2-iterations", "10000001"],
            ["--pbkdf2-iterations", "4294967296"],
        ] {
            let refused = try runCLI(["demo"] + arguments, store: store)
            #expect(refused.status == 64, "\(arguments): \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    /// The demo fills only an empty store.
    @Test func refusesAStoreThatHasEvents() async throws {
        let directory = TemporaryDirectory()
        let ledger = try openTestLedger(directory.child("used"))
        defer { ledger.close() }
        await ledger.expectAccepted(Scenario.organisation[0])
        await #expect(throws: LedgerError.self) { try await ledger.fillDemo(DemoPlan(projects: 10, seed: 1)) }
    }
}

struct DemoTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
