import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// Envelopes built in Swift keep the input rules of docs/cli.md, as decoded lines do: an outside
/// audit of the embedding API (round 22) found a date the event codec cannot read back accepted
/// (the log then never verified again), values that trapped the process on arithmetic overflow, and
/// none of the length, identifier, amount and list rules applied.
@Suite("Commands built in Swift")
struct TypedCommandTests {
    static func project(
        approvedOn: CalendarDate = CalendarDate(year: 2024, month: 6, day: 1)!,
        plannedEndDate: CalendarDate = CalendarDate(year: 2027, month: 12, day: 31)!,
        title: String = "数字经济的统计测度研究", members: [Member] = [], direct: [String: Fen] = ["business": 150_000_00]
    ) -> CommandEnvelope {
        CommandEnvelope(
            actor: "N0",
            command: .registerProject(
                RegisterProject(
                    projectNo: "24BTJ901", title: title, category: .general, discipline: "统计学", unitId: "U1",
                    leader: Person(name: "张三", idType: .residentId, idNumber: IDs.leader), members: members,
                    approvedOn: approvedOn, plannedEndDate: plannedEndDate, deliverableForm: .researchReport,
                    budget: Budget(direct: direct, indirect: 50_000_00))))
    }

    @Test("values the JSON decoder refuses are refused from Swift too, naming the field; nothing is written")
    func theInputRulesHold() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.organisation { await ledger.expectAccepted(text) }
        let member = Member(
            name: "李四", idType: .residentId, idNumber: IDs.member, unit: "北京大学", title: "讲师", role: "成员")
        let refused: [(CommandEnvelope, String)] = [
            // A date outside 1900–2999: the event codec could not read it back.
            (Self.project(approvedOn: CalendarDate(daysSinceEpoch: -200_000)), "approvedOn"),
            (Self.project(plannedEndDate: CalendarDate(daysSinceEpoch: 400_000)), "plannedEndDate"),
            // Values whose arithmetic trapped the process.
            (Self.project(plannedEndDate: CalendarDate(daysSinceEpoch: .max)), "plannedEndDate"),
            (Self.project(approvedOn: CalendarDate(daysSinceEpoch: .min)), "approvedOn"),
            (
                CommandEnvelope(
                    actor: "N0", at: Timestamp(epochMilliseconds: .min),
                    command: .createProvince(provinceId: "P9", name: "广东省")), "at"
            ),
            (CommandEnvelope(actor: "N0", command: .createUnit(unitId: "", name: "某大学", provinceId: "P1")), "unitId"),
            (
                CommandEnvelope(actor: "N0", command: .createUnit(unitId: "U 1/../x", name: "某大学", provinceId: "P1")),
                "unitId"
            ),
            (
                CommandEnvelope(
                    actor: "N0",
                    command: .createUnit(unitId: String(repeating: "u", count: 65), name: "某大学", provinceId: "P1")),
                "unitId"
            ),
            (CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P9", name: "")), "name"),
            (
                CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P9", name: " \u{200B}\u{FEFF}")),
                "name"
            ),
            (
                CommandEnvelope(
                    actor: "N0", command: .createProvince(provinceId: "P9", name: String(repeating: "省", count: 201))),
                "name"
            ),
            (
                CommandEnvelope(
                    actor: "N0",
                    command: .createProvince(provinceId: "P9", name: String(repeating: "x", count: 1 << 20))),
                "name"
            ),
            (
                CommandEnvelope(
                    actor: "N0",
                    command: .createProvince(provinceId: "P9", name: "a" + String(repeating: "\u{301}", count: 40))),
                "name"
            ),
            (CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P9", name: "Cafe\u{301}")), "name"),
            (Self.project(direct: ["business": 1_000_000_000_000_001]), "budget.direct.business"),
            (Self.project(direct: ["equipment": .max, "business": .max, "labor": 3]), "budget.direct."),
            (Self.project(members: Array(repeating: member, count: 1_001)), "members"),
            (Self.project(title: String(repeating: "研", count: 201)), "title"),
        ]
        for (envelope, field) in refused {
            let before = try ledger.head()
            let outcome = await ledger.execute(envelope)
            #expect(outcome.error?.code.rawValue == "invalidInput", "\(field): \(outcome.jsonLine)")
            #expect(outcome.error?.field?.hasPrefix(field) == true, "\(field): \(outcome.jsonLine)")
            #expect(try ledger.head() == before)
        }
        // What keeps the rules is accepted, and the log verifies.
        // A member's title and role may be left empty, as a line may leave them out.
        let quiet = Member(name: "王五", idType: .residentId, idNumber: IDs.expert1, unit: "北京大学", title: "", role: "")
        let registered = await ledger.execute(Self.project(members: [member, quiet]))
        #expect(registered.isAccepted, "\(registered.jsonLine)")
        let fine = await ledger.execute(
            CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P9", name: "Café 广东省\n")))
        #expect(fine.isAccepted, "\(fine.jsonLine)")
        // A profile's further fields are free text: empty, or longer than a name, as in a line.
        let profile = Profile(
            gender: "男", birthDate: CalendarDate(year: 1980, month: 1, day: 1)!, title: "教授", degree: "博士",
            researchArea: "统计学", extra: ["hobby": "", "note": String(repeating: "长", count: 500)])
        let completed = await ledger.execute(CommandEnvelope(actor: "N0", command: .completeProfile(profile)))
        #expect(completed.error?.code.rawValue != "invalidInput", "\(completed.jsonLine)")
        #expect(try ledger.verify().isValid)
    }

    @Test("a host's widest clock tolerance does not overflow the time check")
    func widestTolerance() async throws {
        let dir = TemporaryDirectory()
        var policy = WorkflowPolicy.standard
        policy.clockToleranceSeconds = .max
        let now = Timestamp(iso8601: "2026-01-05T09:00:00+08:00")!
        let ledger = try Ledger(path: dir.path, options: LedgerOptions(policy: policy, clock: { now }))
        defer { ledger.close() }
        let outcome = await ledger.execute(
            CommandEnvelope(
                at: Timestamp(iso8601: "2999-12-31T00:00:00+08:00"),
                command: .bootstrap(accountId: "N0", username: "national", password: "Nssf2025demo", name: "全国社科工作办")))
        #expect(outcome.isAccepted, "\(outcome.jsonLine)")
    }
}
