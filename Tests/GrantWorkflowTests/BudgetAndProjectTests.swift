import GrantWorkflow
import Testing

@Suite("Budget adjustments (R-BUD)") struct BudgetTests {
    @Test("R-BUD-1 the indirect amount is never adjustable")
    func indirectFixed() {
        var w = World.standard()
        w.when("draftBudgetAdjustment", World.adjustmentFields("B1", indirect: 90_000), by: "L1")
            .thenError(.indirectCostNotAdjustable, rule: "R-BUD-1", field: "indirect")
        w.when("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1").thenEvents(["BudgetAdjustmentDrafted"])
        w.when("editBudgetAdjustment", World.adjustmentFields("B1", indirect: 110_000), by: "L1")
            .thenError(.indirectCostNotAdjustable, rule: "R-BUD-1")
    }

    @Test("R-BUD-2 on submit: no negative amount, the new total adds up, allocations add up and fit")
    func submitValidation() {
        var w = World.standard()
        w.given(
            "draftBudgetAdjustment", World.adjustmentFields("B1", direct: ["equipment": -1, "business": 500_001]),
            by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenError(.invalidAmount, rule: "R-BUD-2")
        w.given("editBudgetAdjustment", World.adjustmentFields("B1", newTotal: 700_000), by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-BUD-2", field: "newTotal")
        let partner: [String: Any] = [
            "partner": "某研究所", "creditCode": "12100000400000000X", "amount": 60_000,
            "byCategory": ["business": 50_000],
        ]
        w.given("editBudgetAdjustment", World.adjustmentFields("B1", external: [partner]), by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-BUD-2", field: "external[0].byCategory")
        var big = partner
        big["amount"] = 600_000
        big["byCategory"] = ["business": 600_000]
        w.given("editBudgetAdjustment", World.adjustmentFields("B1", external: [big]), by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenError(.budgetMismatch, rule: "R-BUD-2")
        w.given("editBudgetAdjustment", World.adjustmentFields("B1", newTotal: 600_000), by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenEvents(["BudgetAdjustmentSubmitted"])
    }

    @Test("R-BUD-2 an allocation names only direct categories, and a category's allocations fit its amount")
    func allocationsFitTheirCategories() {
        var w = World.standard()
        func partner(_ name: String, _ category: String, _ amount: Int) -> [String: Any] {
            let code = name == "某大学" ? "12100000400000001X" : "12100000400000000X"
            return ["partner": name, "creditCode": code, "amount": amount, "byCategory": [category: amount]]
        }
        // An outside audit had both accepted: a category the budget does not have, and more equipment
        // sent out than the budget's equipment.
        w.given(
            "draftBudgetAdjustment", World.adjustmentFields("B1", external: [partner("某研究所", "travel", 10_000)]),
            by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-BUD-2", field: "external[0].byCategory.travel")
        // The adjustment's equipment is 50,000: 30,000 + 30,000 does not fit, 20,000 + 30,000 does.
        w.given(
            "editBudgetAdjustment",
            World.adjustmentFields(
                "B1", external: [partner("某研究所", "equipment", 30_000), partner("某大学", "equipment", 30_000)]),
            by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-BUD-2", field: "external")
        w.given(
            "editBudgetAdjustment",
            World.adjustmentFields(
                "B1", external: [partner("某研究所", "equipment", 20_000), partner("某大学", "equipment", 30_000)]),
            by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenEvents(["BudgetAdjustmentSubmitted"])
    }

    @Test("R-BUD-2 one allocation per partner: a credit code twice is refused, in a project and in an adjustment")
    func partnerOnce() {
        var w = World.standard()
        let first: [String: Any] = [
            "partner": "某研究所", "creditCode": "12100000400000000X", "amount": 10_000, "byCategory": ["business": 10_000],
        ]
        var second = first
        second["partner"] = "某研究所（二）"
        w.given("draftBudgetAdjustment", World.adjustmentFields("B1", external: [first, second]), by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
            .thenError(.invalidInput, rule: "R-BUD-2", field: "external[1].creditCode")
        second["creditCode"] = "12100000400000001X"
        w.given("editBudgetAdjustment", World.adjustmentFields("B1", external: [first, second]), by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenEvents(["BudgetAdjustmentSubmitted"])
    }

    @Test(
        "R-BUD-3 an adjustment within the total takes effect at the unit, with a filing record for the national office")
    func unitRoute() {
        var w = World.standard()
        w.given("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1")
        w.given("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
        #expect(w.state.budgetAdjustment("B1")?.needsNational == false)
        let decision = w.when(
            "reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: "UA1"
        )
        .thenEvents(["BudgetAdjustmentReviewed", "BudgetAdjustmentTookEffect", "ProjectBudgetAdjusted"])
        #expect(w.project.budget.direct["equipment"] == 50_000)
        #expect(w.project.budget.total == 600_000)
        #expect(decision.notifications.contains { $0.template == "filingRecord" && $0.recipient == "N0" })
    }

    @Test("R-BUD-3 changing the total or adding a partner needs unit, province and national approval")
    func nationalRoute() {
        var w = World.standard()
        w.given(
            "draftBudgetAdjustment",
            World.adjustmentFields(
                "B1", direct: ["equipment": 200_000, "business": 300_000, "labor": 100_000], newTotal: 700_000),
            by: "L1")
        w.given("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
        #expect(w.state.budgetAdjustment("B1")?.needsNational == true)
        for reviewer in ["UA1", "PO1"] {
            w.when(
                "reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: reviewer
            )
            .thenEvents(["BudgetAdjustmentReviewed"])
        }
        w.when("reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: "N0")
            .thenEvents(["BudgetAdjustmentReviewed", "BudgetAdjustmentTookEffect", "ProjectBudgetAdjusted"])
        #expect(w.project.budget.total == 700_000)
        let partner: [String: Any] = [
            "partner": "某研究所", "creditCode": "12100000400000000X", "amount": 50_000, "byCategory": ["business": 50_000],
        ]
        w.given(
            "draftBudgetAdjustment",
            World.adjustmentFields(
                "B2", direct: ["equipment": 200_000, "business": 300_000, "labor": 100_000], external: [partner]),
            by: "L1")
        w.given("submitBudgetAdjustment", ["adjustmentId": "B2"], by: "L1")
        #expect(w.state.budgetAdjustment("B2")?.needsNational == true)
    }

    @Test("R-BUD-4 one open adjustment per project, leader only; return, recall and cancel behave as for requests")
    func lifecycle() {
        var w = World.standard()
        w.given("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1")
        w.when("draftBudgetAdjustment", World.adjustmentFields("B2"), by: "L1").thenError(
            .duplicatePendingChange, rule: "R-BUD-4")
        w.when("draftBudgetAdjustment", World.adjustmentFields("B2"), by: "UA1").thenError(.forbidden)
        w.given("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
        w.when("recallBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenEvents(["BudgetAdjustmentRecalled"])
        w.given("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
        w.when("reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "notAccept", "opinion": "材料不全"], by: "UA1")
            .thenEvents(["BudgetAdjustmentReviewed"])
        #expect(w.state.budgetAdjustment("B1")?.status == .returned)
        w.when("cancelBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenEvents(["BudgetAdjustmentCancelled"])
        w.when("draftBudgetAdjustment", World.adjustmentFields("B2"), by: "L1").thenEvents(["BudgetAdjustmentDrafted"])
        w.closeoutUnderReview()
        w.when("submitBudgetAdjustment", ["adjustmentId": "B2"], by: "L1").thenError(.projectNotActive, rule: "R-BUD-4")
    }
}

@Suite("Projects (R-PRJ)") struct ProjectTests {
    @Test("R-PRJ-1 completed, terminated and withdrawn are final; active is not")
    func finalStatuses() {
        #expect(ProjectStatus.allCases.filter(\.isFinal) == [.completed, .terminated, .withdrawn])
        var w = World.standard()
        w.submitted("W1", kind: "withdrawal", details: ["reason": "r", "fundsReceived": 0])
        w.approveAll("W1", levels: ["UA1"])
        #expect(w.project.status == .withdrawn)
        w.when(
            "draftChangeRequest",
            ["projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "x"], "reason": "r"], by: "L1"
        )
        .thenError(.projectNotActive)
        w.when("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1").thenError(.projectNotActive)
    }

    @Test("R-PRJ-2 a leader sees the projects with its ID number; the unit admin can set a missing one")
    func leaderIdNumber() {
        var w = World.standard()
        w.given("registerProject", World.projectFields("24BZX002", leader: IDs.otherLeader), by: "N0")
        let draft: [String: Any] = [
            "projectNo": "24BZX002", "kind": "changeTitle", "details": ["newTitle": "x"], "reason": "r",
        ]
        w.when("draftChangeRequest", draft, by: "L1").thenError(.forbidden, rule: "R-CHG-4")
        w.when(
            "setLeaderIdNumber", ["projectNo": "24BZX002", "idType": "residentId", "idNumber": IDs.leader], by: "UA2"
        )
        .thenError(.forbidden, rule: "R-PRJ-2")
        w.when("setLeaderIdNumber", ["projectNo": "24BZX002", "idType": "residentId", "idNumber": "123"], by: "UA1")
            .thenError(.invalidIdNumber)
        w.when(
            "setLeaderIdNumber", ["projectNo": "24BZX002", "idType": "residentId", "idNumber": IDs.leader], by: "UA1"
        )
        .thenEvents(["LeaderIdNumberSet"])
        w.when("draftChangeRequest", draft, by: "L1").thenEvents(["ChangeRequestDrafted"])
    }

    @Test("R-PRJ-3 a project is overdue after its end date while active with no closeout under review")
    func overdue() {
        var w = World.standard()
        let end = w.project.plannedEndDate
        #expect(!isOverdue(w.project, today: end))
        #expect(isOverdue(w.project, today: end.adding(days: 1)))
        w.closeoutUnderReview()
        #expect(!isOverdue(w.project, today: end.adding(days: 1)))
    }

    @Test("R-PRJ-4 every attribute change keeps its history: the state at any past log position can be rebuilt")
    func history() {
        var w = World.standard()
        let before = w.log.count
        w.submitted("CR-1", kind: "changeTitle", details: ["newTitle": "新题目"])
        w.approveAll("CR-1")
        w.submitted("CR-2", kind: "extension", details: extensionDetails)
        w.approveAll("CR-2")
        let then = Workflow.replay(Array(w.log.prefix(before)))
        #expect(then.project("24BZX001")?.title == "中国哲学史研究")
        #expect(then.project("24BZX001")?.plannedEndDate == CalendarDate("2027-12-31"))
        #expect(w.project.title == "新题目")
        let projectEvents = w.log.filter { $0.streamId == "project-24BZX001" }.map(\.typeName)
        #expect(projectEvents.contains("ProjectTitleChanged"))
        #expect(projectEvents.contains("ProjectEndDateExtended"))
        #expect(Workflow.replay(w.log) == w.stateWithoutCredentials)
    }

    @Test("registerProject refuses a duplicate number, an unknown unit, a bad budget")
    func registerValidation() {
        var w = World.standard()
        w.when("registerProject", World.projectFields(), by: "N0").thenError(.duplicateId, field: "projectNo")
        var fields = World.projectFields("24BZX002")
        fields["unitId"] = "U9"
        w.when("registerProject", fields, by: "N0").thenError(.unknownUnit)
        fields = World.projectFields("24BZX002")
        fields["budget"] = ["direct": ["equipment": -5], "indirect": 0]
        w.when("registerProject", fields, by: "N0").thenError(.invalidAmount, field: "budget.direct.equipment")
        let partner: [String: Any] = [
            "partner": "某研究所", "creditCode": "12100000400000000X", "amount": 1_000, "byCategory": ["equipment": 1_000],
        ]
        fields["budget"] = ["direct": ["equipment": 5_000], "indirect": 0, "external": [partner, partner]]
        w.when("registerProject", fields, by: "N0").thenError(.invalidInput, field: "budget.external[1].creditCode")
        w.when("registerProject", World.projectFields("24BZX002"), by: "PO1").thenError(.forbidden)
    }
}

@Suite("Notifications and the deadline sweep (R-NTF)") struct NotificationTests {
    @Test("R-NTF-1 an item waiting for a reviewer and a decided item notify the people concerned")
    func reviewNotifications() {
        var w = World.standard()
        w.given(
            "draftChangeRequest",
            [
                "requestId": "CR-1", "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新"],
                "reason": "r",
            ], by: "L1")
        let submitted = w.when("submitChangeRequest", ["requestId": "CR-1"], by: "L1").accepted()
        #expect(submitted.notifications.map(\.recipient) == ["UA1"])
        #expect(submitted.notifications.first?.template == "reviewRequested")
        let returned = w.when(
            "reviewChangeRequest", ["requestId": "CR-1", "decision": "return", "opinion": "补充"], by: "UA1"
        ).accepted()
        #expect(Set(returned.notifications.map(\.recipient)) == ["L1"])
        #expect(
            returned.notifications.allSatisfy { $0.template == "itemDecided" && $0.parameters["decision"] == "return" })
        let draft = w.when(
            "editChangeRequest", ["requestId": "CR-1", "details": ["newTitle": "新二"], "reason": "r"], by: "L1"
        ).accepted()
        #expect(draft.notifications.isEmpty)
    }

    @Test("R-NTF-2 the sweep reminds 120 and 90 days before the end date and lists overdue projects, once each")
    func sweep() {
        var w = World.standard()
        w.on("2027-08-01")
        w.when("runDeadlineSweep", by: "L1").thenError(.forbidden)
        w.when("runDeadlineSweep", by: "N0").thenEvents([])
        w.on("2027-09-02")
        let first = w.when("runDeadlineSweep", by: "N0").thenEvents(["DeadlineReminderSent"])
        #expect(first.notifications.allSatisfy { $0.recipient == "L1" && $0.parameters["daysBefore"] == "120" })
        w.when("runDeadlineSweep", by: "N0").thenEvents([])
        w.on("2027-10-02")
        let second = w.when("runDeadlineSweep", by: "N0").thenEvents(["DeadlineReminderSent"])
        #expect(second.notifications.first?.parameters["daysBefore"] == "90")
        w.when("runDeadlineSweep", by: "N0").thenEvents([])
        w.on("2028-01-01")
        let overdue = w.when("runDeadlineSweep", by: "N0").thenEvents(["ProjectListedOverdue"])
        #expect(overdue.notifications.map(\.recipient) == ["UA1"])
        w.when("runDeadlineSweep", by: "N0").thenEvents([])
    }
}

extension World {
    /// The state without credentials and reset tokens (which live outside the event log).
    var stateWithoutCredentials: WorkflowState {
        var copy = state
        copy.credentials = [:]
        copy.resetTokens = [:]
        copy.passwordResets = [:]
        return copy
    }
}
