import GrantLedgerDemo
import GrantWorkflow
import Testing

@testable import GrantLedger

/// `query stats` reads counters the projections keep; they must say exactly what a visit of every
/// project and item says, for every scope, after every kind of workflow (units changing included),
/// and equal a rebuild (R-LOG-5).
@Suite("Stats from counters")
struct StatsCounterTests {
    @Test("counted stats equal scanned stats for the operator, the national office, each province and each unit")
    func countersEqualScan() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, now: "2025-12-31T23:00:00+08:00")
        defer { ledger.close() }
        let report = try await ledger.fillDemo(DemoPlan(projects: 400, seed: 3))
        #expect(report.unexpected.isEmpty)
        let viewers: [Viewer] = try ledger.withModels { models, _ in
            var viewers: [Viewer] = [.everything]
            models.forEachAccount { account in
                if account.role.isAdmin { viewers.append(.account(account.id)) }
            }
            return viewers
        }
        #expect(viewers.count > 10)
        for viewer in viewers {
            let counted = try ledger.stats(as: viewer)
            let scanned = try ledger.withModels { models, _ in
                Ledger.stats(
                    models, visibility: try Visibility(viewer, directory: models),
                    today: ledger.today(asOf: nil, lastEventTime: nil))
            }
            #expect(counted == scanned, "\(viewer)")
        }
        #expect(try ledger.checkModels().differences.isEmpty, "the counters equal a rebuild's")
        let all = try ledger.stats(as: .everything)
        if case .number(let overdue)? = all[member: "overdue"] { #expect((Int(overdue) ?? 0) > 0) }
        if case .number(let total)? = all[member: "projects"] { #expect(Int(total) == 400) }
    }
}
