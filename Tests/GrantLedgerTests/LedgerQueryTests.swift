import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// Queries scoped by viewer, as-of states, attachments and the read models' life cycle, in process.
@Suite("Ledger: queries and read models")
struct LedgerQueryTests {
    /// The standard world plus a second province's project (U3, P2) and a project of U2 (P1).
    static func world() async throws -> (TemporaryDirectory, Ledger) {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        for text in Scenario.standard + [
            Scenario.project("24BZX002", leader: IDs.otherLeader, unit: "U2"),
            Scenario.project("24BZX003", leader: IDs.newLeader, unit: "U3"),
        ] {
            await ledger.expectAccepted(text)
        }
        return (dir, ledger)
    }

    static func numbers(_ value: JSONValue) -> [String] {
        guard case .array(let rows) = value else { return [] }
        return rows.compactMap { row in
            if case .string(let number)? = row[member: "projectNo"] { return number }
            return nil
        }
    }

    @Test("each role sees exactly its scope: national all, province its units, unit admin its unit, leader its own")
    func viewerScopes() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        #expect(Self.numbers(try ledger.projects(as: .everything)) == ["24BZX001", "24BZX002", "24BZX003"])
        #expect(Self.numbers(try ledger.projects(as: .account("N0"))) == ["24BZX001", "24BZX002", "24BZX003"])
        #expect(Self.numbers(try ledger.projects(as: .account("PO1"))) == ["24BZX001", "24BZX002"])
        #expect(Self.numbers(try ledger.projects(as: .account("PO2"))) == ["24BZX003"])
        #expect(Self.numbers(try ledger.projects(as: .account("UA2"))) == ["24BZX002"])
        #expect(Self.numbers(try ledger.projects(as: .account("L1"))) == ["24BZX001"])
        #expect(Self.numbers(try ledger.projects(as: .account("E1"))).isEmpty)
        #expect(Self.numbers(try ledger.projects(ProjectFilter(province: "P2"), as: .everything)) == ["24BZX003"])
        #expect(throws: LedgerError.self) { try ledger.project("24BZX003", as: .account("PO1")) }
        do {
            _ = try ledger.project("24BZX002", as: .account("L1"))
            Issue.record("a leader must not see another leader's project")
        } catch {
            #expect(error.code == .forbidden)
        }
    }

    @Test("project lists by unit, province, status and leader come from indexes that follow every change")
    func projectIndexesFollowChanges() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        func listed(_ filter: ProjectFilter, as viewer: Viewer = .everything) throws -> [String] {
            Self.numbers(try ledger.projects(filter, as: viewer))
        }
        #expect(try listed(ProjectFilter(unit: "U1")) == ["24BZX001"])
        #expect(try listed(ProjectFilter(province: "P1")) == ["24BZX001", "24BZX002"])
        #expect(try listed(ProjectFilter(status: .active)) == ["24BZX001", "24BZX002", "24BZX003"])
        #expect(try listed(ProjectFilter(leader: "L1")) == ["24BZX001"])
        // 24BZX001 moves to U3 (P2) and then ends by the leader's own withdrawal.
        for text in [
            Scenario.change("CR-U", kind: "changeUnit", details: ["newUnitId": "U3"]), Scenario.submit("CR-U"),
        ] {
            await ledger.expectAccepted(text)
        }
        for reviewer in ["UA1", "PO1", "N0"] {
            let outcome = await ledger.execute(line: Scenario.review("CR-U", by: reviewer))
            if !outcome.isAccepted {
                // A receiving-unit level, when the rules have one, reviews after the old unit.
                await ledger.expectAccepted(Scenario.review("CR-U", by: "UA3"))
                await ledger.expectAccepted(Scenario.review("CR-U", by: reviewer))
            }
        }
        #expect(try listed(ProjectFilter(unit: "U1")).isEmpty)
        #expect(try listed(ProjectFilter(unit: "U3")) == ["24BZX001", "24BZX003"])
        #expect(try listed(ProjectFilter(province: "P1")) == ["24BZX002"])
        #expect(try listed(ProjectFilter(), as: .account("UA3")) == ["24BZX001", "24BZX003"])
        #expect(try listed(ProjectFilter(), as: .account("PO2")) == ["24BZX001", "24BZX003"])
        await ledger.expectAccepted(
            Scenario.change("CR-W", kind: "withdrawal", details: ["reason": "无法继续", "fundsReceived": 0]))
        await ledger.expectAccepted(Scenario.submit("CR-W"))
        await ledger.expectAccepted(Scenario.review("CR-W", by: "UA3"))
        #expect(try listed(ProjectFilter(status: .withdrawn)) == ["24BZX001"])
        #expect(try listed(ProjectFilter(status: .active)) == ["24BZX002", "24BZX003"])
        #expect(try listed(ProjectFilter(leader: "L1")) == ["24BZX001"])
        let report = try ledger.checkModels()
        #expect(report.differences.isEmpty, "the indexes equal a rebuild: \(report.differences)")
    }

    @Test("R-CHG-7 stats --as-of count the projects the viewer sees now, as they stood then")
    func statsAsOfCountWhatIsSeenNow() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        let before = try ledger.head().position
        await ledger.expectAccepted(Scenario.change("CR-U", kind: "changeUnit", details: ["newUnitId": "U3"]))
        await ledger.expectAccepted(Scenario.submit("CR-U"))
        for reviewer in ["UA1", "PO1", "N0"] {
            if !(await ledger.execute(line: Scenario.review("CR-U", by: reviewer))).isAccepted {
                await ledger.expectAccepted(Scenario.review("CR-U", by: "UA3"))
                await ledger.expectAccepted(Scenario.review("CR-U", by: reviewer))
            }
        }
        /// "N {unit: count, …}": the projects counted and their units.
        func counted(_ viewer: Viewer, asOf: AsOf? = nil) throws -> String {
            let stats = try ledger.stats(as: viewer, asOf: asOf)
            let projects = stats[member: "projects"]?.serialized() ?? "?"
            return projects + " " + (stats[member: "projectsByUnit"]?.serialized() ?? "?")
        }
        let past = AsOf.position(before)
        // U1 has lost 24BZX001: it counts nothing then, as it lists nothing then.
        #expect(try counted(.account("UA1")) == "0 {}")
        #expect(try counted(.account("UA1"), asOf: past) == "0 {}")
        #expect(Self.numbers(try ledger.projects(as: .account("UA1"), asOf: past)).isEmpty)
        // U3 has gained it: it counts it, under the unit it was in then.
        #expect(try counted(.account("UA3")) == #"2 {"U3":2}"#)
        #expect(try counted(.account("UA3"), asOf: past) == #"2 {"U1":1,"U3":1}"#)
        #expect(try counted(.account("PO1"), asOf: past) == #"1 {"U2":1}"#)
        // The operator and the national office count everything, as it stood.
        #expect(try counted(.everything, asOf: past) == #"3 {"U1":1,"U2":1,"U3":1}"#)
        #expect(try counted(.account("N0"), asOf: past) == #"3 {"U1":1,"U2":1,"U3":1}"#)
    }

    @Test("ID numbers are masked outside one's own view and an admin's in scope (R-ACC-8)")
    func masking() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        let own = try ledger.project("24BZX001", as: .account("L1"))
        #expect(own[member: "leader"]?[member: "idNumber"] == .string(IDs.leader))
        guard case .array(let members)? = own[member: "members"] else {
            Issue.record("members missing")
            return
        }
        #expect(members.first?[member: "idNumber"] == .string(IdentityNumber.masked(IDs.member)))
        #expect(IdentityNumber.masked(IDs.member) != IDs.member)
        let admin = try ledger.project("24BZX001", as: .account("UA1"))
        #expect(admin[member: "leader"]?[member: "idNumber"] == .string(IDs.leader))
        guard case .array(let adminMembers)? = admin[member: "members"] else { return }
        #expect(adminMembers.first?[member: "idNumber"] == .string(IDs.member))
        #expect(throws: LedgerError.self) { try ledger.account("L1", as: .account("UA2")) }
        #expect(try ledger.account("L1", as: .account("UA1"))[member: "idNumber"] == .string(IDs.leader))
    }

    @Test("state as of a time and as of a position replay only the project's stream (R-PRJ-4)")
    func asOfTime() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        await ledger.expectAccepted(Scenario.extensionRequest())
        await ledger.expectAccepted(line("submitChangeRequest", ["requestId": "CR-1"], by: "L1"))
        for reviewer in ["UA1", "PO1"] { await ledger.expectAccepted(Scenario.review("CR-1", by: reviewer)) }
        let before = try ledger.head().position
        await ledger.expectAccepted(
            line(
                "reviewChangeRequest", ["requestId": "CR-1", "decision": "approve", "opinion": "同意"], by: "N0",
                at: "2026-02-01T10:00:00+08:00"))
        let now = try ledger.project("24BZX001", as: .everything)
        #expect(now[member: "plannedEndDate"] == .string("2028-06-30"))
        let then = try ledger.project("24BZX001", as: .everything, asOf: .position(before))
        #expect(then[member: "plannedEndDate"] == .string("2027-12-31"))
        let byTime = try ledger.project("24BZX001", as: .everything, asOf: AsOf("2026-01-31"))
        #expect(byTime[member: "plannedEndDate"] == .string("2027-12-31"))
        let change = try ledger.change("CR-1", as: .everything, asOf: .position(before))
        #expect(change[member: "awaiting"] == .string("national"))
        #expect(Self.numbers(try ledger.projects(as: .everything, asOf: .position(1))).isEmpty)
    }

    @Test("attachments read back only by the owner and admins in scope (R-ATT-2)")
    func attachmentsReadBack() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        await ledger.expectAccepted(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1"))
        let attached = await ledger.expectAccepted(
            Scenario.attach("closeoutId", "C1", purpose: "ledger", content: "明细账"))
        let digest = try #require(attached.result["digest"])
        let (reference, bytes) = try ledger.attachment(digest, of: .closeout("C1"), as: .account("L1"))
        #expect(bytes == Array("明细账".utf8))
        #expect(reference.purpose == .ledger)
        #expect(try ledger.attachment(digest, of: .closeout("C1"), as: .account("UA1")).bytes == bytes)
        for outsider in ["UA2", "PO2", "E1"] {
            #expect(throws: LedgerError.self) {
                try ledger.attachment(digest, of: .closeout("C1"), as: .account(outsider))
            }
        }
    }

    @Test("inboxes: each reviewer sees what waits at its level and scope; the leader sees returned items")
    func inboxes() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        await ledger.expectAccepted(Scenario.extensionRequest())
        await ledger.expectAccepted(line("submitChangeRequest", ["requestId": "CR-1"], by: "L1"))
        func ids(_ account: String) throws -> [String] {
            guard case .array(let rows) = try ledger.inbox(account, as: .everything) else { return [] }
            return rows.compactMap { row in
                if case .string(let id)? = row[member: "id"] { return id }
                return nil
            }
        }
        #expect(try ids("UA1") == ["CR-1"])
        #expect(try ids("UA2").isEmpty)
        #expect(try ids("PO1").isEmpty)
        await ledger.expectAccepted(Scenario.review("CR-1", by: "UA1"))
        #expect(try ids("UA1").isEmpty)
        #expect(try ids("PO1") == ["CR-1"])
        await ledger.expectAccepted(Scenario.review("CR-1", "return", by: "PO1"))
        #expect(try ids("L1") == ["CR-1"])
        #expect(throws: LedgerError.self) { try ledger.inbox("UA1", as: .account("L1")) }
    }

    @Test("many concurrent callers share commits; every one is answered and the models equal a rebuild")
    func concurrentCallers() async throws {
        let (dir, ledger) = try await Self.world()
        defer { ledger.close() }
        _ = dir
        let outcomes = await withTaskGroup(of: CommandOutcome.self) { group in
            for index in 0..<200 {
                group.addTask { await ledger.execute(line: Scenario.project(String(format: "25BZX%04d", index))) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0.isAccepted })
        #expect(Set(outcomes.map(\.position)).count == 200)
        #expect(try ledger.checkModels().differences.isEmpty)
        #expect(try ledger.verify().isValid)
    }

    @Test("reopening does not replay; models lagging the log (a plain event-log writer) are caught up at open")
    func catchUpAtOpen() async throws {
        let dir = TemporaryDirectory()
        do {
            let ledger = try openTestLedger(dir.path)
            for text in Scenario.organisation { await ledger.expectAccepted(text) }
            ledger.close()
        }
        // Append a domain event behind the engine's back, as another tool might.
        do {
            var options = EventStoreOptions()
            options.extraDatabases = ["models", "outbox", "credentials", "attachments", "ledger", "subjects"]
            let store = try EventStore(path: dir.path, options: options)
            let time = try #require(Timestamp(iso8601: "2026-01-05T10:00:00+08:00"))
            let event = DomainEvent.provinceCreated(ProvinceCreated(provinceId: "P9", name: "广东省", by: "N0", at: time))
            _ = try await store.append(
                [
                    NewEvent(
                        type: event.typeName, schemaVersion: UInt16(event.schemaVersion),
                        payload: event.unsealedPayload ?? [],
                        time: time.epochMilliseconds)
                ], to: event.streamId)
            store.close()
        }
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        await ledger.expectAccepted(
            line(
                "createUnit", ["unitId": "U9", "name": "中山大学", "provinceId": "P9"], by: "N0",
                at: "2026-01-05T11:00:00+08:00"))
        #expect(try ledger.checkModels().differences.isEmpty)
    }
}
