import GrantWorkflow
import Testing

extension World {
    /// Given: a second approved leader L2 (U1) with the other ID number.
    mutating func secondLeader() {
        approvedAccount("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1", name: "王二")
    }

    func notices(_ decision: Decision, template: String) -> [GrantWorkflow.Notification] {
        decision.notifications.filter { $0.template == template }
    }
}

@Suite("Closeouts, rules revision 2 (R-CLO-2, R-CLO-3, R-CLO-7, R-ATT-1)") struct CloseoutRevisionTwoTests {
    @Test("R-CLO-2 exemption grounds on the platform are award and adopted", arguments: ["award", "adopted"])
    func platformGrounds(_ ground: String) {
        var w = World.standard()
        w.readyCloseout(mode: "exempt", ground: ground)
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1").thenEvents(["CloseoutSubmitted"])
    }

    @Test(
        "R-CLO-2 a leader's instruction or a classified result goes the paper way (offPlatformProcedure)",
        arguments: ["leadershipInstruction", "classified"])
    func offPlatformGrounds(_ ground: String) {
        var w = World.standard()
        w.given("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")
        let basic = World.sections(mode: "exempt", ground: ground)[0].1
        let error = w.when(
            "saveCloseoutSection", ["closeoutId": "C1", "section": "basicInfo", "data": basic], by: "L1"
        )
        .thenError(.offPlatformProcedure, rule: "R-CLO-2", field: "data.exemptionGround")
        #expect(error?.message == "成果涉密或以领导批示申请免于鉴定的，不在平台申请，请按涉密程序报送纸质审批书")
    }

    @Test("R-CLO-2 a closeout for appraisal needs its final deliverable, checked after the ledger")
    func finalDeliverableRequired() {
        var w = World.standard()
        w.given("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")
        for (section, data) in World.sections() {
            w.given("saveCloseoutSection", ["closeoutId": "C1", "section": section, "data": data], by: "L1")
        }
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1").thenError(.ledgerAttachmentRequired, rule: "R-CLO-2")
        w.given("attachFile", World.attachment("closeoutId", "C1", purpose: "ledger"), by: "L1")
        let error = w.when("submitCloseout", ["closeoutId": "C1"], by: "L1")
            .thenError(.finalDeliverableRequired, rule: "R-CLO-2")
        #expect(error?.message == "请先上传最终成果再提交！")
        w.given(
            "attachFile", World.attachment("closeoutId", "C1", purpose: "finalDeliverable", content: "书稿"), by: "L1")
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1").thenEvents(["CloseoutSubmitted"])
    }

    static func accounts(
        equipment: [String: Int] = ["approved": 100_000, "spent": 90_000, "balance": 10_000],
        extra: [String: [String: Int]] = [:]
    ) -> [String: Any] {
        var direct: [String: Any] = [
            "equipment": equipment,
            "business": ["approved": 300_000, "spent": 300_000, "balance": 0],
            "labor": ["approved": 100_000, "spent": 50_000, "balance": 50_000],
        ]
        for (key, value) in extra { direct[key] = value }
        return ["direct": direct, "indirect": ["approved": 100_000, "spent": 100_000, "balance": 0]]
    }

    @Test("R-CLO-3 negative spent or balance is invalidAmount, even when the line adds up")
    func negativeAmounts() {
        var w = World.standard()
        w.readyCloseout()
        let bad = Self.accounts(equipment: ["approved": 100_000, "spent": -1, "balance": 100_001])
        w.given("saveCloseoutSection", ["closeoutId": "C1", "section": "finalAccounts", "data": bad], by: "L1")
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1")
            .thenError(.invalidAmount, rule: "R-CLO-3", field: "finalAccounts.direct.equipment")
    }

    @Test("R-CLO-3 the categories are exactly the budget's, each with the budget's approved amount")
    func exactCategories() {
        var w = World.standard()
        w.readyCloseout()
        let extra = Self.accounts(extra: ["misc": ["approved": 0, "spent": 0, "balance": 0]])
        w.given("saveCloseoutSection", ["closeoutId": "C1", "section": "finalAccounts", "data": extra], by: "L1")
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.direct.misc")
        let shifted = Self.accounts(equipment: ["approved": 90_000, "spent": 90_000, "balance": 0])
        w.given("saveCloseoutSection", ["closeoutId": "C1", "section": "finalAccounts", "data": shifted], by: "L1")
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-CLO-3", field: "finalAccounts.direct.equipment")
        w.given(
            "saveCloseoutSection", ["closeoutId": "C1", "section": "finalAccounts", "data": Self.accounts()], by: "L1")
        w.when("submitCloseout", ["closeoutId": "C1"], by: "L1").thenEvents(["CloseoutSubmitted"])
    }

    @Test("R-CLO-7 an exempt closeout is completed only with a grade from the national office")
    func exemptNeedsGrade() {
        var w = World.standard()
        w.readyCloseout(mode: "exempt", ground: "award")
        w.given("submitCloseout", ["closeoutId": "C1"], by: "L1")
        w.given("reviewCloseout", ["closeoutId": "C1", "decision": "approve", "opinion": "同意"], by: "UA1")
        w.given("reviewCloseout", ["closeoutId": "C1", "decision": "approve", "opinion": "同意"], by: "PO1")
        w.when(
            "concludeCloseout", ["closeoutId": "C1", "outcome": "completed", "certificateNo": "JX-1"], by: "N0"
        )
        .thenError(.invalidInput, rule: "R-CLO-7", field: "grade")
        w.when(
            "concludeCloseout",
            ["closeoutId": "C1", "outcome": "completed", "grade": "good", "certificateNo": "JX-1"], by: "N0"
        )
        .thenEvents(["CloseoutConcluded", "ProjectCompleted"])
        #expect(w.project.grade == .good)
    }

    @Test("R-ATT-1 an empty file is invalidInput; a file with content is stored")
    func emptyFile() {
        var w = World.standard()
        w.given("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")
        w.when("attachFile", World.attachment("closeoutId", "C1", purpose: "ledger", content: ""), by: "L1")
            .thenError(.invalidInput, rule: "R-ATT-1", field: "contentBase64")
        w.when("attachFile", World.attachment("closeoutId", "C1", purpose: "ledger"), by: "L1")
            .thenEvents(["AttachmentAdded"])
    }
}

@Suite("Change requests, rules revision 2 (R-CHG-3 … R-CHG-11)") struct ChangeRequestRevisionTwoTests {
    @Test("R-CHG-9 the 90 days count at the first submission: returned and resubmitted later is not late")
    func firstSubmissionCounts() {
        var w = World.standard()
        w.on("2027-09-22")
        w.submitted("X1", kind: "extension", details: extensionDetails)
        w.on("2027-10-07")
        w.given("reviewChangeRequest", ["requestId": "X1", "decision": "return", "opinion": "请补充"], by: "UA1")
        w.on("2027-10-08")
        w.when("submitChangeRequest", ["requestId": "X1"], by: "L1").thenEvents(["ChangeRequestSubmitted"])
        #expect(w.request("X1").firstSubmittedAt == Timestamp(iso8601: "2027-09-22T09:00:00+08:00"))
    }

    @Test("R-CHG-9 a recalled request is a draft again: resubmitted after the cut-off it is too late")
    func recallClearsFirstSubmission() {
        var w = World.standard()
        w.on("2027-09-22")
        w.submitted("X1", kind: "extension", details: extensionDetails)
        w.given("recallChangeRequest", ["requestId": "X1"], by: "L1")
        #expect(w.request("X1").firstSubmittedAt == nil)
        w.on("2027-10-08")
        w.when("submitChangeRequest", ["requestId": "X1"], by: "L1").thenError(.extensionTooLate, rule: "R-CHG-9")
    }

    @Test("R-CHG-9 a request first submitted 84 days before the end date is too late")
    func firstSubmissionLate() {
        var w = World.standard()
        w.on("2027-10-08")
        w.given(
            "draftChangeRequest",
            [
                "requestId": "X1", "projectNo": "24BZX001", "kind": "extension", "details": extensionDetails,
                "reason": "r",
            ], by: "L1")
        w.when("submitChangeRequest", ["requestId": "X1"], by: "L1").thenError(.extensionTooLate, rule: "R-CHG-9")
    }

    @Test("R-CHG-9 youth and western projects never pass approval + 5 years", arguments: ["youth", "western"])
    func fiveYearCap(_ category: String) {
        var w = World.standard()
        w.given("registerProject", World.projectFields("24CZX002", category: category, end: "2028-12-31"), by: "N0")
        func draft(_ date: String) -> Then {
            w.when(
                "draftChangeRequest",
                [
                    "projectNo": "24CZX002", "kind": "extension",
                    "details": ["newEndDate": date, "progress": "p", "plan": "q"], "reason": "r",
                ], by: "L1")
        }
        draft("2029-06-02").thenError(.exceedsMaximumPeriod, rule: "R-CHG-9", field: "details.newEndDate")
        draft("2029-06-01").thenEvents(["ChangeRequestDrafted"])
    }

    @Test("R-CHG-9 the five-year cap is checked again at final approval")
    func fiveYearCapAtApproval() {
        var w = World.standard()
        w.submitted("X1", kind: "extension", details: ["newEndDate": "2028-12-31", "progress": "p", "plan": "q"])
        w.approveAll("X1", levels: ["UA1", "PO1"])
        w.policy.maximumProjectYears = 4
        w.when("reviewChangeRequest", ["requestId": "X1", "decision": "approve", "opinion": "同意"], by: "N0")
            .thenError(.exceedsMaximumPeriod, rule: "R-CHG-9")
        w.policy.maximumProjectYears = 5
        w.when("reviewChangeRequest", ["requestId": "X1", "decision": "approve", "opinion": "同意"], by: "N0")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectEndDateExtended"])
    }

    @Test(
        "R-CHG-3 a pending or a returned request blocks a second one of its kind", arguments: ["pending", "returned"])
    func blockedByOpen(_ status: String) {
        var w = World.standard()
        w.submitted("T1", kind: "changeTitle", details: ["newTitle": "新"])
        if status == "returned" {
            w.given("reviewChangeRequest", ["requestId": "T1", "decision": "return", "opinion": "请修改"], by: "UA1")
        }
        #expect(w.request("T1").status.rawValue == status)
        w.when(
            "draftChangeRequest",
            ["projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新二"], "reason": "r"], by: "L1"
        )
        .thenError(.duplicatePendingChange, rule: "R-CHG-3")
    }

    @Test("R-CHG-4 only the leader submits, recalls or cancels", arguments: ["submit", "recall", "cancel"])
    func leaderOnlySteps(_ step: String) {
        var w = World.standard()
        w.secondLeader()
        w.given(
            "draftChangeRequest",
            [
                "requestId": "T1", "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新"],
                "reason": "r",
            ], by: "L1")
        if step == "recall" { w.given("submitChangeRequest", ["requestId": "T1"], by: "L1") }
        let type = step + "ChangeRequest"
        for intruder in ["L2", "UA1", "E1"] {
            w.when(type, ["requestId": "T1"], by: intruder).thenError(.forbidden)
        }
        w.when("submitChangeRequest", ["requestId": "T1"], by: "L2").thenError(.forbidden, rule: "R-CHG-4")
        w.when(type, ["requestId": "T1"], by: "L1").accepted()
    }

    @Test("R-CHG-6 a change of unit awaits the receiving unit after the current unit, then goes up")
    func receivingUnitAgrees() throws {
        var w = World.standard()
        w.submitted("U1", kind: "changeUnit", details: ["newUnitId": "U3"])
        w.when("reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意"], by: "UA3")
            .thenError(.forbidden)
        let first = w.when(
            "reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意调出"], by: "UA1"
        )
        .thenEvents(["ChangeRequestReviewed"])
        #expect(w.request("U1").awaiting == .receivingUnit)
        #expect(w.notices(first, template: NotificationTemplate.reviewRequested).map(\.recipient) == ["UA3"])
        for reviewer in ["UA1", "PO1", "N0"] {
            w.when("reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意"], by: reviewer)
                .thenError(.invalidState)
        }
        // The receiving unit's province does not see the request before the project moves (R-ACC-11).
        w.when("reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意"], by: "PO2")
            .thenError(.forbidden, rule: "R-CHG-5")
        w.when("reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意"], by: "UA2")
            .thenError(.forbidden, rule: "R-CHG-5")
        w.when(
            "reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意接收"], by: "UA3"
        )
        .thenEvents(["ChangeRequestReviewed"])
        #expect(w.request("U1").awaiting == .province)
        w.approveAll("U1", levels: ["PO1", "N0"])
        #expect(w.project.unitId == "U3")
        let form = try ChangeApprovalForm(requestId: "U1", state: w.state)
        #expect(form.levels.map(\.level) == [.unit, .receivingUnit, .province, .national])
        #expect(form.levels.map(\.opinion).prefix(2) == ["同意调出", "同意接收"])
    }

    @Test("R-CHG-6 the receiving unit may return the request to the leader")
    func receivingUnitReturns() {
        var w = World.standard()
        w.submitted("U1", kind: "changeUnit", details: ["newUnitId": "U2"])
        w.approveAll("U1", levels: ["UA1"])
        w.when("reviewChangeRequest", ["requestId": "U1", "decision": "reject"], by: "UA2")
            .thenError(.invalidInput, field: "opinion")
        w.when("reviewChangeRequest", ["requestId": "U1", "decision": "reject", "opinion": "不同意接收"], by: "UA2")
            .thenEvents(["ChangeRequestReviewed"])
        #expect(w.request("U1").status == .returned)
        #expect(w.project.unitId == "U1")
    }

    @Test(
        "R-CHG-6 selfTermination and withdrawal send filing notices to the province and the national office",
        arguments: ["selfTermination", "withdrawal"])
    func filingNotices(_ kind: String) {
        var w = World.standard()
        let details: [String: Any] =
            kind == "selfTermination" ? ["reason": "r", "fundsUsed": 1_000] : ["reason": "r", "fundsReceived": 1_000]
        w.submitted("F1", kind: kind, details: details)
        let decision = w.when(
            "reviewChangeRequest", ["requestId": "F1", "decision": "approve", "opinion": "同意"], by: "UA1"
        )
        .accepted()
        #expect(
            Set(w.notices(decision, template: NotificationTemplate.filingRecord).map(\.recipient)) == ["PO1", "N0"])
        #expect(w.request("F1").filed)
        w.when("reviewChangeRequest", ["requestId": "F1", "decision": "approve", "opinion": "同意"], by: "PO1")
            .thenError(.invalidState, rule: "R-CHG-6")
    }

    @Test("R-CHG-8 a closeout under review is closed when the project ends")
    func closesCloseoutUnderReview() {
        var w = World.standard()
        w.submitted("S1", kind: "selfTermination", details: ["reason": "r", "fundsUsed": 0])
        w.closeoutUnderReview()
        w.when("reviewChangeRequest", ["requestId": "S1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectTerminated", "CloseoutClosed"])
        #expect(w.closeout().status == .closed)
        #expect(!w.project.closeoutUnderReview)
        w.when("reviewCloseout", ["closeoutId": "C1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenError(.invalidState, rule: "R-CHG-8")
    }

    @Test("R-CHG-8 items awaiting the old unit move to the new one, whose admins are notified")
    func itemsFollowTheUnit() {
        var w = World.standard()
        w.given("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1")
        w.given("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
        w.submitted("U1", kind: "changeUnit", details: ["newUnitId": "U2"])
        w.approveAll("U1", levels: ["UA1", "UA2", "PO1"])
        let decision = w.when(
            "reviewChangeRequest", ["requestId": "U1", "decision": "approve", "opinion": "同意"], by: "N0"
        )
        .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectUnitChanged"])
        let moved = w.notices(decision, template: NotificationTemplate.reviewRequested)
        #expect(moved.map(\.recipient) == ["UA2"])
        #expect(moved.first?.parameters["itemId"] == "B1")
        w.when("reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenError(.forbidden)
        w.when("reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: "UA2")
            .thenEvents(["BudgetAdjustmentReviewed", "BudgetAdjustmentTookEffect", "ProjectBudgetAdjusted"])
    }

    @Test("R-CHG-10 the form of an effective change of leader names the applicant, not the successor")
    func formAfterChangeOfLeader() throws {
        var w = World.standard()
        let details: [String: Any] = ["newLeader": ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader]]
        w.submitted("CL1", kind: "changeLeader", details: details)
        #expect(throws: WorkflowError.self) { try ChangeApprovalForm(requestId: "CL1", state: w.state) }
        w.approveAll("CL1")
        #expect(w.project.leader.idNumber == IDs.newLeader)
        let form = try ChangeApprovalForm(requestId: "CL1", state: w.state)
        #expect(form.changes.map(\.field) == ["leader"])
        #expect(form.changes.first?.before.hasPrefix("张三") == true)
        #expect(w.request("CL1").createdBy == "L1")
        w.when(
            "draftChangeRequest",
            ["projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新"], "reason": "r"], by: "L1"
        )
        .thenError(.forbidden, rule: "R-CHG-4")
    }

    @Test("R-CHG-11 changeMembers: an ID number at most once, never the leader's (invalidInput naming the field)")
    func memberListRules() {
        var w = World.standard()
        let newcomer: [String: Any] = [
            "name": "周十", "idType": "residentId", "idNumber": IDs.expert4, "unit": "北京大学", "title": "讲师", "role": "成员",
        ]
        var leader = newcomer
        leader["idNumber"] = IDs.leader
        func draft(_ add: [[String: Any]]) -> Then {
            w.when(
                "draftChangeRequest",
                [
                    "projectNo": "24BZX001", "kind": "changeMembers", "details": ["add": add, "remove": [] as [Any]],
                    "reason": "r",
                ], by: "L1")
        }
        draft([newcomer, newcomer]).thenError(.invalidInput, rule: "R-CHG-11", field: "details.add[1].idNumber")
        draft([leader]).thenError(.invalidInput, rule: "R-CHG-11", field: "details.add[0].idNumber")
        draft([newcomer]).thenEvents(["ChangeRequestDrafted"])
    }

    @Test("R-CHG-11 a member who becomes the leader leaves the member list in the same append")
    func memberMadeLeaderLeavesTheMembers() {
        var w = World.standard()
        // An outside audit ended with the leader in the member list, and the leader's next change of
        // members accepted with it.
        w.submitted(
            "K1", kind: "changeLeader",
            details: ["newLeader": ["name": "李四", "idType": "residentId", "idNumber": IDs.member]])
        w.approveAll("K1", levels: ["UA1", "PO1"])
        w.when("reviewChangeRequest", ["requestId": "K1", "decision": "approve", "opinion": "同意"], by: "N0")
            .thenEvents([
                "ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectLeaderChanged", "ProjectMembersChanged",
            ])
        #expect(w.project.leader.idNumber == IDs.member)
        #expect(!w.project.members.contains { $0.idNumber == IDs.member })
        // Another person's change of leader leaves the members alone.
        var other = World.standard()
        other.submitted(
            "K2", kind: "changeLeader",
            details: ["newLeader": ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader]])
        other.approveAll("K2", levels: ["UA1", "PO1"])
        other.when("reviewChangeRequest", ["requestId": "K2", "decision": "approve", "opinion": "同意"], by: "N0")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectLeaderChanged"])
        #expect(other.project.members.map(\.idNumber) == [IDs.member])
    }

    @Test("R-CHG-11 a new leader who already leads another active project is refused (policy, on by default)")
    func leaderLimit() {
        var w = World.standard()
        w.given("registerProject", World.projectFields("24BZX002", leader: IDs.newLeader), by: "N0")
        let details: [String: Any] = ["newLeader": ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader]]
        let fields: [String: Any] = [
            "requestId": "CL1", "projectNo": "24BZX001", "kind": "changeLeader", "details": details, "reason": "r",
        ]
        let error = w.when("draftChangeRequest", fields, by: "L1")
            .thenError(.leaderLimitExceeded, rule: "R-CHG-11", field: "details.newLeader.idNumber")
        // Which project the person leads is not the asking leader's to see (R-ACC-11).
        #expect(error.map { !"\($0)".contains("24BZX002") } == true, "\(String(describing: error))")
        w.policy.oneActiveProjectPerLeader = false
        w.when("draftChangeRequest", fields, by: "L1").thenEvents(["ChangeRequestDrafted"])
    }
}

@Suite("Budget and projects, rules revision 2 (R-BUD-2, R-BUD-3, R-PRJ-5, R-NTF-1)") struct ProjectRevisionTwoTests {
    @Test("R-BUD-2 without newTotal the direct table plus indirect must equal the current total")
    func undeclaredTotal() {
        var w = World.standard()
        let fields = World.adjustmentFields(
            "B1", direct: ["equipment": 100_000, "business": 400_000, "labor": 100_000])
        w.given("draftBudgetAdjustment", fields, by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
            .thenError(.budgetMismatch, rule: "R-BUD-2", field: "direct")
        var declared = fields
        declared["newTotal"] = 700_000
        w.given("editBudgetAdjustment", declared, by: "L1")
        w.when("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1").thenEvents(["BudgetAdjustmentSubmitted"])
        #expect(w.state.budgetAdjustment("B1")?.needsNational == true)
    }

    @Test("R-BUD-3 raising an existing partner's allocation within the same total ends at the unit")
    func existingPartnerAtUnit() {
        var w = World.standard()
        var fields = World.projectFields("24BZX002")
        let partner: [String: Any] = [
            "partner": "复旦大学", "creditCode": "12100000425006117P", "amount": 50_000, "byCategory": ["business": 50_000],
        ]
        fields["budget"] = [
            "direct": ["equipment": 100_000, "business": 300_000, "labor": 100_000], "indirect": 100_000,
            "external": [partner],
        ]
        w.given("registerProject", fields, by: "N0")
        var raised = partner
        raised["amount"] = 80_000
        raised["byCategory"] = ["business": 80_000]
        var adjustment = World.adjustmentFields("B1", external: [raised])
        adjustment["projectNo"] = "24BZX002"
        w.given("draftBudgetAdjustment", adjustment, by: "L1")
        w.given("submitBudgetAdjustment", ["adjustmentId": "B1"], by: "L1")
        #expect(w.state.budgetAdjustment("B1")?.needsNational == false)
        w.when("reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenEvents(["BudgetAdjustmentReviewed", "BudgetAdjustmentTookEffect", "ProjectBudgetAdjusted"])
        w.when("reviewBudgetAdjustment", ["adjustmentId": "B1", "decision": "approve", "opinion": "同意"], by: "PO1")
            .thenError(.invalidState, rule: "R-BUD-4")
    }

    @Test("R-NTF-1 a rejection notifies the leader with the decision and opinion; no opinion, no rejection")
    func rejectionNotice() {
        var w = World.standard()
        w.submitted("T1", kind: "changeTitle", details: ["newTitle": "新"])
        w.when("reviewChangeRequest", ["requestId": "T1", "decision": "reject"], by: "UA1")
            .thenError(.invalidInput, field: "opinion")
        let decision = w.when(
            "reviewChangeRequest", ["requestId": "T1", "decision": "reject", "opinion": "理由不充分"], by: "UA1"
        )
        .accepted()
        let notices = w.notices(decision, template: NotificationTemplate.itemDecided)
        #expect(Set(notices.map(\.recipient)) == ["L1"])
        #expect(notices.first?.parameters["decision"] == "reject")
        #expect(notices.first?.parameters["opinion"] == "理由不充分")
    }

    @Test("R-PRJ-5 the national office ends a project: open items close, leader and unit are told")
    func officeEndsProject() {
        var w = World.standard()
        w.given("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1")
        w.closeoutUnderReview()
        let decision = w.when(
            "endProject", ["projectNo": "24BZX001", "outcome": "withdrawn", "reason": "逾期未结项，予以撤项"], by: "N0"
        )
        .thenEvents(["ProjectEndedByOffice", "BudgetAdjustmentClosed", "CloseoutClosed"])
        #expect(w.project.status == .withdrawn)
        #expect(w.closeout().closedReason == "withdrawn")
        let ended = w.notices(decision, template: NotificationTemplate.projectEnded)
        #expect(Set(ended.filter { $0.recipient == "L1" }.map(\.channel)) == [.sms, .email])
        #expect(ended.filter { $0.recipient == "UA1" }.map(\.channel) == [.inbox])
        guard case .projectEndedByOffice(let event)? = decision.domainEvents.first else {
            Issue.record("no ProjectEndedByOffice")
            return
        }
        #expect(event.by == "N0")
        #expect(event.reason == "逾期未结项，予以撤项")
    }

    @Test("R-PRJ-5 only the national office ends a project, once, with a reason and a final outcome")
    func officeEndsProjectRefusals() {
        var w = World.standard()
        let fields: [String: Any] = ["projectNo": "24BZX001", "outcome": "terminated", "reason": "清理"]
        w.when("endProject", fields, by: "UA1").thenError(.forbidden, rule: "R-PRJ-5")
        w.when("endProject", fields, by: "L1").thenError(.forbidden, rule: "R-PRJ-5")
        w.when("endProject", fields.merging(["outcome": "completed"]) { $1 }, by: "N0")
            .thenError(.invalidInput, field: "outcome")
        w.when("endProject", fields.merging(["reason": " "]) { $1 }, by: "N0")
            .thenError(.invalidInput, rule: "R-PRJ-5", field: "reason")
        w.when("endProject", fields, by: "N0").thenEvents(["ProjectEndedByOffice"])
        w.when("endProject", fields, by: "N0").thenError(.projectNotActive, rule: "R-PRJ-5")
        w.when(
            "draftChangeRequest",
            ["projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "x"], "reason": "r"], by: "L1"
        )
        .thenError(.projectNotActive, rule: "R-CHG-4")
    }
}
