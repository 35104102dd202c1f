import GrantWorkflow
import PropertyBased
import Testing

/// Turns random integers into plausible commands against the standard world.
struct RandomDriver {
    var world = World.standard()
    var finalProjects: [String: Project] = [:]
    var nextId = 0
    let projects = ["24BZX001", "24BZX002"]

    init() {
        world.given("registerProject", World.projectFields("24BZX002", category: "key", end: "2028-06-30"), by: "N0")
    }

    mutating func step(_ n: Int) {
        var r = n
        func pick<T>(_ options: [T]) -> T {
            let value = options[r % options.count]
            r /= max(options.count, 2)
            return value
        }
        let action = pick(Array(0..<20))
        let no = pick(projects)
        let leader = pick(["L1", "L1", "L1", "L3"])
        var reviewer = pick(["UA1", "UA2", "PO1", "N0", "UA1", "PO1", "N0"])
        nextId += 1
        let state = world.state
        let wanted: Set<ItemStatus> = action >= 3 && action <= 4 ? [.pending] : [.draft, .returned, .pending]
        let openRequests = state.changeRequests.values.filter { wanted.contains($0.status) }.map(\.id).sorted()
        let requestId = action <= 1 ? "R\(nextId)" : (openRequests.isEmpty ? "R0" : pick(openRequests))
        let openCloseouts = state.closeouts.values.filter(\.status.isOpen).map(\.id).sorted()
        let closeoutId = action == 6 ? "C\(nextId)" : (openCloseouts.isEmpty ? "C0" : pick(openCloseouts))
        let openAdjustments = state.budgetAdjustments.values.filter(\.status.isOpen).map(\.id).sorted()
        let adjustmentId =
            action == 14 && r % 2 == 0 ? "B\(nextId)" : (openAdjustments.isEmpty ? "B0" : pick(openAdjustments))
        if r % 4 != 0 {
            var target: (Awaiting?, String?) = (nil, nil)
            switch action {
            case 3, 4: target = (state.changeRequest(requestId)?.awaiting, state.changeRequest(requestId)?.projectNo)
            case 9: target = (state.closeout(closeoutId)?.awaiting, state.closeout(closeoutId)?.projectNo)
            case 16, 17:
                target = (
                    state.budgetAdjustment(adjustmentId)?.awaiting, state.budgetAdjustment(adjustmentId)?.projectNo
                )
            default: break
            }
            if let awaiting = target.0, let unit = target.1.flatMap({ state.project($0)?.unitId }) {
                switch awaiting {
                case .unit: reviewer = "UA" + unit.dropFirst()
                case .receivingUnit:
                    if case .changeUnit(let newUnitId)? = state.changeRequest(requestId)?.details {
                        reviewer = "UA" + newUnitId.dropFirst()
                    }
                case .province: reviewer = unit == "U3" ? "PO2" : "PO1"
                case .national, .appraisal: reviewer = "N0"
                }
            }
        }
        let decision = pick(["approve", "approve", "approve", "return", "reject", "notAccept"])
        switch action {
        case 0, 1:
            let project = world.state.project(no)
            let end = project?.plannedEndDate ?? CalendarDate("2027-12-31")!
            var kind = pick(ChangeKind.allCases)
            if kind == .selfTermination || kind == .withdrawal, r % 4 != 0 { kind = .changeTitle }
            let details: [String: Any]
            switch kind {
            case .extension:
                details = [
                    "newEndDate": end.adding(months: 1 + pick(Array(0..<14))).description, "progress": "p", "plan": "q",
                ]
            case .changeLeader:
                details = [
                    "newLeader": ["name": "陈十", "idType": "residentId", "idNumber": pick([IDs.newLeader, IDs.leader])]
                ]
            case .changeUnit: details = ["newUnitId": pick(["U1", "U2", "U3"])]
            case .changeDeliverableForm: details = ["newForm": pick(DeliverableForm.allCases).rawValue]
            case .changeTitle: details = ["newTitle": "题目\(r % 97)"]
            case .changeMembers: details = ["remove": [IDs.member]]
            case .majorContentAdjustment: details = ["original": "a", "adjusted": "b\(r % 7)", "impact": "c"]
            case .selfTermination: details = ["reason": "r", "fundsUsed": r % 1000]
            case .withdrawal: details = ["reason": "r", "fundsReceived": r % 1000]
            }
            run(
                "draftChangeRequest",
                ["requestId": requestId, "projectNo": no, "kind": kind.rawValue, "details": details, "reason": "r"],
                by: leader)
        case 2: run("submitChangeRequest", ["requestId": requestId], by: leader)
        case 3, 4:
            run("reviewChangeRequest", ["requestId": requestId, "decision": decision, "opinion": "意见"], by: reviewer)
        case 5: run(pick(["recallChangeRequest", "cancelChangeRequest"]), ["requestId": requestId], by: leader)
        case 6: run("openCloseout", ["closeoutId": closeoutId, "projectNo": no], by: leader)
        case 7:
            for (section, data) in World.sections(mode: pick(["review", "exempt"]), ground: nil)
            where section != "basicInfo" {
                run("saveCloseoutSection", ["closeoutId": closeoutId, "section": section, "data": data], by: leader)
            }
            let mode = pick(["review", "review", "exempt"])
            var basic = World.sections(mode: mode, ground: mode == "exempt" ? "award" : nil)[0].1
            if mode == "review", var fields = basic as? [String: Any] {
                fields.removeValue(forKey: "exemptionGround")
                basic = fields
            }
            run("saveCloseoutSection", ["closeoutId": closeoutId, "section": "basicInfo", "data": basic], by: leader)
            run(
                "attachFile",
                World.attachment(
                    "closeoutId", closeoutId, purpose: pick(["ledger", "exemptionProof", "revisionNotes"])), by: leader)
        case 8: run("submitCloseout", ["closeoutId": closeoutId], by: leader)
        case 9: run("reviewCloseout", ["closeoutId": closeoutId, "decision": decision, "opinion": "意见"], by: reviewer)
        case 10:
            run(
                "assignAppraisalExperts",
                ["closeoutId": closeoutId, "experts": pick([["E1", "E2", "E5"], ["E1", "E2", "E3"]])],
                by: pick(["PO1", "N0"]))
        case 11:
            run(
                "submitAppraisal", ["closeoutId": closeoutId, "grade": pick(Grade.allCases).rawValue, "comments": "c"],
                by: pick(["E1", "E2", "E5"]))
        case 12:
            run(
                "concludeCloseout",
                ["closeoutId": closeoutId, "outcome": pick(["completed", "deferred"]), "certificateNo": "Z\(r % 5)"],
                by: "N0")
        case 13: run("recallCloseout", ["closeoutId": closeoutId], by: leader)
        case 14:
            let direct = [
                "equipment": pick([50_000, 100_000, 200_000]), "business": 300_000, "labor": pick([100_000, -1]),
            ]
            let external: [[String: Any]] = pick([
                [], [["partner": "p", "creditCode": "X1", "amount": 1_000, "byCategory": ["business": 1_000]]],
            ])
            run(
                pick(["draftBudgetAdjustment", "editBudgetAdjustment"]),
                [
                    "adjustmentId": adjustmentId, "projectNo": no, "direct": direct,
                    "indirect": pick([100_000, 100_000, 1]), "external": external, "reason": "r",
                ], by: leader)
        case 15: run("submitBudgetAdjustment", ["adjustmentId": adjustmentId], by: leader)
        case 16, 17:
            run(
                "reviewBudgetAdjustment", ["adjustmentId": adjustmentId, "decision": decision, "opinion": "意见"],
                by: reviewer)
        case 18:
            run(pick(["recallBudgetAdjustment", "cancelBudgetAdjustment"]), ["adjustmentId": adjustmentId], by: leader)
        default:
            world.now = world.now.adding(minutes: 60 * 24 * pick([1, 10, 30, 60, 120]))
            run("runDeadlineSweep", [:], by: "N0")
        }
        if world.state.account("L3") == nil,
            world.state.projects.values.contains(where: { $0.leader.idNumber == IDs.newLeader })
        {
            world.approvedAccount("L3", phone: "13800000003", idNumber: IDs.newLeader, unit: "U2")
        }
    }

    mutating func run(_ type: String, _ fields: [String: Any], by actor: String) {
        _ = world.when(type, fields, by: actor).outcome
    }

    /// The invariants, checked after every step.
    mutating func checkInvariants() {
        let state = world.state
        for no in projects {
            guard let project = state.project(no) else { continue }
            let requests = state.changeRequests(ofProject: no)
            for kind in ChangeKind.allCases {
                let open = requests.filter { $0.kind == kind && $0.status.isOpen }
                #expect(open.count <= 1, "two open \(kind) requests on \(no)")
                #expect(state.openChangeRequestId(projectNo: no, kind: kind) == open.first?.id)
            }
            let openCloseouts = state.closeouts(ofProject: no).filter(\.status.isOpen)
            #expect(openCloseouts.count <= 1)
            #expect(state.openCloseoutId(projectNo: no) == openCloseouts.first?.id)
            let openAdjustments = state.budgetAdjustments(ofProject: no).filter(\.status.isOpen)
            #expect(openAdjustments.count <= 1)
            if project.status.isFinal {
                #expect(requests.allSatisfy { !$0.status.isOpen }, "open request on a final project")
                #expect(openAdjustments.isEmpty && openCloseouts.isEmpty)
                if let earlier = finalProjects[no] { #expect(earlier == project, "a final project changed") }
                finalProjects[no] = project
            }
            let budget = project.budget
            #expect(budget.indirect == 100_000)
            #expect(budget.direct.values.allSatisfy { $0 >= 0 })
            #expect(budget.externalTotal <= budget.directTotal)
            #expect(budget.external.allSatisfy { $0.byCategory.values.reduce(0, +) == $0.amount })
            #expect(budget.total == budget.directTotal + budget.indirect)
            let effective = requests.filter { $0.status == .effective }.sorted {
                ($0.effectiveAt ?? world.now) < ($1.effectiveAt ?? world.now)
            }
            #expect(Set(project.effectiveChangeRequests) == Set(effective.map(\.id)))
            #expect(project.extensionCount == effective.filter { $0.kind == .extension }.count)
            for request in effective {
                let later = effective.drop { $0.id != request.id }.dropFirst().contains { $0.kind == request.kind }
                if later { continue }
                switch request.details {
                case .extension(let date, _, _): #expect(project.plannedEndDate == date)
                case .changeTitle(let title): #expect(project.title == title)
                case .changeUnit(let unit): #expect(project.unitId == unit)
                case .changeDeliverableForm(let form): #expect(project.deliverableForm == form)
                case .changeLeader(let leader): #expect(project.leader.idNumber == leader.idNumber)
                case .changeMembers(_, let removed):
                    #expect(!project.members.contains { removed.contains($0.idNumber) })
                case .majorContentAdjustment(_, let adjusted, _):
                    #expect(project.contentAdjustments.last?.adjusted == adjusted)
                case .selfTermination: #expect(project.status == .terminated)
                case .withdrawal: #expect(project.status == .withdrawn)
                }
            }
        }
    }

    /// Replaying the accepted events, directly and through the binary codec, reproduces the state.
    func checkReplay() {
        #expect(Workflow.replay(world.log) == world.stateWithoutCredentials)
        var decoded: [DomainEvent] = []
        for event in world.log {
            guard
                let copy = try? DomainEvent.decode(
                    typeName: event.typeName, schemaVersion: event.schemaVersion, payload: event.testPayload,
                    opener: TestKeys.shared)
            else {
                Issue.record("\(event.typeName) did not decode")
                return
            }
            decoded.append(copy)
        }
        #expect(Workflow.replay(decoded) == world.stateWithoutCredentials)
    }
}

@Suite("Properties") struct PropertyTests {
    @Test("long random command sequences keep every invariant, and replay reproduces the state")
    func invariants() async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...Int(Int32.max)).array(of: 40...120)) { actions in
            var driver = RandomDriver()
            for (index, action) in actions.enumerated() {
                driver.step(action)
                driver.checkInvariants()
                if index % 20 == 19 { driver.checkReplay() }
            }
            driver.checkReplay()
        }
    }
}

@Suite("Random driver coverage") struct DriverCoverageTests {
    @Test("the random driver reaches effective requests, adjustment reviews and closeout reviews")
    func coverage() {
        var generator = SplitMix(seed: 2027)
        var types: [String: Int] = [:]
        for _ in 0..<10 {
            var driver = RandomDriver()
            for _ in 0..<150 { driver.step(Int(generator.next() % UInt64(Int32.max))) }
            for event in driver.world.log { types[event.typeName, default: 0] += 1 }
            driver.checkInvariants()
            driver.checkReplay()
        }
        #expect(types["ChangeRequestTookEffect", default: 0] > 0, "\(types)")
        #expect(types["BudgetAdjustmentReviewed", default: 0] > 0, "\(types)")
        #expect(types["CloseoutReviewed", default: 0] > 0, "\(types)")
    }
}
