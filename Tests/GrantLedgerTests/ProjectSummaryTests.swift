import EventLog
import Foundation
import GrantWorkflow
import Testing

@testable import GrantLedger

/// `query projects` reads the projects' summary records (``ProjectSummary``) and writes its JSON
/// straight to bytes: the output must stay what the whole projects gave, filters, scopes and
/// erasures included, and the summaries must follow rebuilds, erasures and older stores.
@Suite("Project summaries: query projects")
struct ProjectSummaryTests {
    /// The listing as `query projects` built it before summaries: every whole project, scanned
    /// (no index), filtered and rendered as the JSON the command printed.
    static func reference(_ ledger: Ledger, _ filter: ProjectFilter, as viewer: Viewer) throws -> JSONValue {
        let today = ledger.today(asOf: nil, lastEventTime: nil)
        return try ledger.withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            var leaderAccount: Account?
            if let leader = filter.leader {
                guard let account = models.account(leader), visibility.sees(account) else {
                    throw visibility.hidden("account \(leader)")
                }
                leaderAccount = account
            }
            var rows: [JSONValue] = []
            models.forEachProject { project in
                if let unit = filter.unit, project.unitId != unit { return }
                if let province = filter.province, visibility.provinceId(ofUnit: project.unitId) != province { return }
                if let status = filter.status, project.status != status { return }
                if let leaderAccount, !leaderAccount.leads(project) { return }
                if filter.overdueOnly && !project.isOverdue(on: today) { return }
                guard visibility.sees(project) else { return }
                rows.append(
                    .object([
                        ("projectNo", .string(project.projectNo)), ("title", .string(project.title)),
                        ("status", .string(project.status.rawValue)), ("category", .string(project.category.rawValue)),
                        ("unitId", .string(project.unitId)),
                        ("plannedEndDate", .string(project.plannedEndDate.description)),
                        ("overdue", .bool(project.isOverdue(on: today))),
                    ]))
            }
            return .array(rows)
        }
    }

    static let viewers: [Viewer] = [
        .everything, .account("N0"), .account("PO1"), .account("PO2"), .account("UA1"), .account("UA2"),
        .account("UA3"), .account("L1"), .account("E1"),
    ]

    static let filters: [ProjectFilter] = [
        ProjectFilter(), ProjectFilter(unit: "U1"), ProjectFilter(unit: "U3"), ProjectFilter(province: "P1"),
        ProjectFilter(province: "P2"), ProjectFilter(status: .active), ProjectFilter(status: .completed),
        ProjectFilter(overdueOnly: true), ProjectFilter(leader: "L1"), ProjectFilter(leader: "L1", unit: "U1"),
        ProjectFilter(unit: "U1", status: .active, overdueOnly: true), ProjectFilter(unit: "NOPE"),
    ]

    /// Every viewer and filter: the summary-based list, its JSON written to bytes, and the reference
    /// agree byte for byte (or all refuse alike).
    static func expectSameListings(_ ledger: Ledger, _ context: String) throws {
        var compared = 0
        for viewer in viewers {
            for filter in filters {
                let expected: String
                do {
                    expected = try reference(ledger, filter, as: viewer).serialized(pretty: true)
                } catch {
                    #expect(throws: LedgerError.self, "\(context): \(viewer) \(filter)") {
                        try ledger.projectList(filter, as: viewer)
                    }
                    var written = 0
                    #expect(throws: LedgerError.self, "\(context): \(viewer) \(filter)") {
                        try ledger.writeProjectsJSON(filter, as: viewer, pretty: true) { written += $0.count }
                    }
                    #expect(written == 0)
                    continue
                }
                let list = try ledger.projectList(filter, as: viewer)
                #expect(list.json.serialized(pretty: true) == expected, "\(context): \(viewer) \(filter)")
                // The command line's path: summaries read in place, written inside the transaction.
                var direct: [UInt8] = []
                try ledger.writeProjectsJSON(filter, as: viewer, pretty: true) { direct += $0 }
                #expect(String(decoding: direct, as: UTF8.self) == expected, "\(context): \(viewer) \(filter)")
                for pretty in [true, false] {
                    var bytes: [UInt8] = []
                    list.writeJSON(pretty: pretty, chunk: 300) { bytes += $0 }
                    #expect(
                        String(decoding: bytes, as: UTF8.self) == list.json.serialized(pretty: pretty),
                        "\(context): \(viewer) \(filter), pretty \(pretty)")
                }
                compared += 1
            }
        }
        #expect(compared > 50)
    }

    /// The standard world, eleven more projects of L1 and random change requests and adjustments,
    /// plus projects in other units and provinces, one of them overdue and one completed.
    static func world(_ path: String) async throws -> Ledger {
        let ledger = try openTestLedger(path, now: "2028-03-01T09:00:00+08:00")
        // A title JSON must escape: a quote, a backslash and U+2028.
        let escaped = Scenario.project("24BZX103", leader: IDs.newLeader, unit: "U3")
            .replacingOccurrences(of: "中国哲学史研究", with: #"引号\"与反斜杠\\及\u2028分隔"#)
        let lines =
            RandomWorkload.lines(count: 150, seed: 7) + [
                Scenario.project("24BZX101", leader: IDs.otherLeader, unit: "U2"),
                Scenario.project("24BZX102", category: "major", leader: IDs.newLeader, unit: "U3", end: "2027-06-30"),
                escaped,
            ] + Scenario.readyCloseout() + [line("submitCloseout", ["closeoutId": "C1"], by: "L1")]
        for text in lines { _ = await ledger.execute(line: text) }
        return ledger
    }

    @Test("the listing from summaries equals the one from whole projects, before and after an erasure")
    func sameAsWholeProjects() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        let all = try ledger.projectList(as: .everything)
        #expect(all.count >= 14)
        #expect(LedgerQueryTests.numbers(all.json).contains("24BZX103"))
        #expect(all.json.serialized().contains(#"引号\"与反斜杠\\及\u2028分隔"#))
        try Self.expectSameListings(ledger, "before erasure")
        #expect(try ledger.checkModels().differences == [])

        // Erase the leader of most projects: the summaries' leader numbers are rewritten with the
        // projects, the listings stay equal, and the models still equal a rebuild.
        await ledger.expectAccepted(ErasureTests.erase(["accountId": "L1"]))
        try ledger.withModels { models, _ in
            var count = 0
            models.forEachProjectSummary { summary in
                #expect(summary.leaderIdNumber != IDs.leader, "\(summary.projectNo) keeps the erased number")
                #expect(summary == models.project(summary.projectNo).map(ProjectSummary.init))
                count += 1
            }
            models.forEachProjectSummaryView { view in
                #expect(view.summary == models.project(view.summary.projectNo).map(ProjectSummary.init))
                count -= 1
            }
            #expect(count == 0)
        }
        try Self.expectSameListings(ledger, "after erasure")
        #expect(try ledger.checkModels().differences == [])
        _ = try ledger.rebuildModels()
        try Self.expectSameListings(ledger, "after rebuild")
        #expect(try ledger.checkModels().differences == [])
    }

    @Test("query projects --format json prints the reference listing; as of a position too")
    func commandLine() async throws {
        let dir = TemporaryDirectory()
        do {
            let ledger = try await Self.world(dir.path)
            ledger.close()
        }
        let environment = ["GRANTLEDGER_NOW": "2028-03-01T09:00:00+08:00"]
        let ledger = try openTestLedger(dir.path, now: "2028-03-01T09:00:00+08:00")
        let expected = try Self.reference(ledger, ProjectFilter(), as: .everything).serialized(pretty: true) + "\n"
        let asOf = try ledger.projects(as: .everything, asOf: .position(40)).serialized(pretty: true) + "\n"
        ledger.close()
        let result = try runCLI(["query", "projects", "--format", "json"], store: dir.path, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected)
        let then = try runCLI(
            ["query", "projects", "--format", "json", "--as-of", "40"], store: dir.path, environment: environment)
        #expect(then.stdout == asOf)
        let none = try runCLI(
            ["query", "projects", "--format", "json", "--unit", "NOPE"], store: dir.path, environment: environment)
        #expect(none.stdout == "[]\n")
    }

    @Test("a store whose models have the previous format gets its summaries at open")
    func olderFormatRebuilt() async throws {
        let dir = TemporaryDirectory()
        do {
            let ledger = try await Self.world(dir.path)
            let dbs = ledger.dbs
            // The previous format: no summary records.
            try ledger.store.writeSync { txn in
                var keys: [[UInt8]] = []
                try txn.scan(dbs.models, prefix: ModelKey.prefix(.projectSummary)) { key, _ in
                    keys.append(Array(key))
                    return true
                }
                #expect(keys.count >= 14)
                for key in keys { _ = try txn.delete(dbs.models, key) }
                try txn.withUnsafeAccess { access in
                    try access.put(dbs.ledger, LedgerMetaKey.modelFormat, BigEndian.bytes(Ledger.modelFormat - 1))
                }
            }
            ledger.close()
        }
        let ledger = try openTestLedger(dir.path, now: "2028-03-01T09:00:00+08:00")
        defer { ledger.close() }
        #expect(try ledger.checkModels().differences == [])
        try Self.expectSameListings(ledger, "after the upgrade")
    }
}
