import GrantWorkflow
import Testing

extension World {
    /// Drafts and submits a request, returning its id.
    @discardableResult
    mutating func submitted(_ id: String, kind: String, details: [String: Any], reason: String = "理由") -> String {
        given(
            "draftChangeRequest",
            ["requestId": id, "projectNo": "24BZX001", "kind": kind, "details": details, "reason": reason],
            by: "L1")
        given("submitChangeRequest", ["requestId": id], by: "L1")
        return id
    }

    /// Approves a request at each level up to its final one.
    mutating func approveAll(_ id: String, levels: [String] = ["UA1", "PO1", "N0"]) {
        for reviewer in levels {
            given("reviewChangeRequest", ["requestId": id, "decision": "approve", "opinion": "同意"], by: reviewer)
        }
    }

    func request(_ id: String) -> ChangeRequest { state.changeRequest(id)! }
}

var extensionDetails: [String: Any] { ["newEndDate": "2028-06-30", "progress": "已完成大半", "plan": "补充调研"] }

@Suite("Change requests (R-CHG)") struct ChangeRequestTests {
    @Test("R-CHG-1 a request carries exactly one kind")
    func oneKind() {
        var w = World.standard()
        w.when(
            "draftChangeRequest",
            [
                "projectNo": "24BZX001", "kind": ["extension", "changeTitle"], "details": extensionDetails,
                "reason": "r",
            ],
            by: "L1"
        ).thenError(.invalidInput, rule: "R-CHG-1", field: "kind")
        var mixed = extensionDetails
        mixed["newTitle"] = "新题目"
        w.when(
            "draftChangeRequest", ["projectNo": "24BZX001", "kind": "extension", "details": mixed, "reason": "r"],
            by: "L1"
        )
        .thenError(.invalidInput, rule: "R-CHG-1", field: "details.newTitle")
        w.when(
            "draftChangeRequest",
            ["projectNo": "24BZX001", "kind": "extension", "details": extensionDetails, "reason": "r"],
            by: "L1"
        ).thenEvents(["ChangeRequestDrafted"])
    }

    @Test("R-CHG-2 requests of different kinds are open at once and move independently")
    func severalKinds() {
        var w = World.standard()
        w.submitted("CR-1", kind: "extension", details: extensionDetails)
        w.submitted("CR-2", kind: "changeTitle", details: ["newTitle": "中国哲学通史研究"])
        w.given("reviewChangeRequest", ["requestId": "CR-2", "decision": "return", "opinion": "请补充"], by: "UA1")
        #expect(w.request("CR-1").status == .pending)
        #expect(w.request("CR-2").status == .returned)
    }

    @Test("R-CHG-3 a second open request of the same kind is refused")
    func duplicateKind() {
        var w = World.standard()
        w.given(
            "draftChangeRequest",
            [
                "requestId": "CR-1", "projectNo": "24BZX001", "kind": "extension", "details": extensionDetails,
                "reason": "r",
            ], by: "L1")
        w.when(
            "draftChangeRequest",
            [
                "requestId": "CR-2", "projectNo": "24BZX001", "kind": "extension", "details": extensionDetails,
                "reason": "r",
            ], by: "L1"
        )
        .thenError(.duplicatePendingChange, rule: "R-CHG-3")
        w.given("cancelChangeRequest", ["requestId": "CR-1"], by: "L1")
        w.when(
            "draftChangeRequest",
            [
                "requestId": "CR-2", "projectNo": "24BZX001", "kind": "extension", "details": extensionDetails,
                "reason": "r",
            ], by: "L1"
        )
        .thenEvents(["ChangeRequestDrafted"])
        w.when(
            "draftChangeRequest",
            [
                "requestId": "CR-2", "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "x"],
                "reason": "r",
            ], by: "L1"
        )
        .thenError(.duplicateId)
    }

    @Test("R-CHG-3 a request becoming effective frees the kind")
    func effectiveFreesKind() {
        var w = World.standard()
        w.submitted("CR-1", kind: "changeTitle", details: ["newTitle": "新题目"])
        w.approveAll("CR-1")
        w.when(
            "draftChangeRequest",
            [
                "requestId": "CR-2", "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "再改"],
                "reason": "r",
            ], by: "L1"
        )
        .thenEvents(["ChangeRequestDrafted"])
    }

    @Test(
        "R-CHG-4 only the project's leader drafts, and only while the project is active with no closeout under review")
    func leaderOnly() {
        var w = World.standard()
        w.approvedAccount("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1")
        let draft: [String: Any] = [
            "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新"], "reason": "r",
        ]
        w.when("draftChangeRequest", draft, by: "L2").thenError(.forbidden, rule: "R-CHG-4")
        w.when("draftChangeRequest", draft, by: "UA1").thenError(.forbidden)
        w.closeoutUnderReview()
        w.when("draftChangeRequest", draft, by: "L1").thenError(.projectNotActive, rule: "R-CHG-4")
    }

    @Test("R-CHG-5 each level acts only at its turn and in its scope")
    func reviewLevels() {
        var w = World.standard()
        w.submitted("CR-1", kind: "changeTitle", details: ["newTitle": "新题目"])
        let approve: [String: Any] = ["requestId": "CR-1", "decision": "approve", "opinion": "同意"]
        w.when("reviewChangeRequest", approve, by: "UA2").thenError(.forbidden, rule: "R-CHG-5")
        w.when("reviewChangeRequest", approve, by: "PO2").thenError(.forbidden, rule: "R-CHG-5")
        w.when("reviewChangeRequest", approve, by: "PO1").thenError(.invalidState, rule: "R-CHG-5")
        w.when("reviewChangeRequest", approve, by: "N0").thenError(.invalidState, rule: "R-CHG-5")
        w.when("reviewChangeRequest", approve, by: "L1").thenError(.forbidden)
        w.when("reviewChangeRequest", approve, by: "UA1").thenEvents(["ChangeRequestReviewed"])
        #expect(w.request("CR-1").awaiting == .province)
        w.when("reviewChangeRequest", approve, by: "UA1").thenError(.invalidState, rule: "R-CHG-5")
        w.when("reviewChangeRequest", approve, by: "PO1").thenEvents(["ChangeRequestReviewed"])
        #expect(w.request("CR-1").awaiting == .national)
        w.when("reviewChangeRequest", approve, by: "N0")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectTitleChanged"])
        #expect(w.request("CR-1").status == .effective)
        #expect(w.project.title == "新题目")
    }

    @Test("R-CHG-6 changeMembers, selfTermination and withdrawal take effect at the unit, with a filing record")
    func unitLevelKinds() {
        var w = World.standard()
        w.submitted(
            "CR-1", kind: "changeMembers",
            details: [
                "add": [
                    [
                        "name": "王二", "idType": "passport", "idNumber": "P1234567", "unit": "北大", "title": "讲师",
                        "role": "成员",
                    ]
                ],
                "remove": [IDs.member],
            ])
        let decision = w.when(
            "reviewChangeRequest", ["requestId": "CR-1", "decision": "approve", "opinion": "同意"], by: "UA1"
        )
        .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectMembersChanged"])
        #expect(w.project.members.map(\.name) == ["王二"])
        #expect(w.request("CR-1").filed)
        let filings = decision.notifications.filter { $0.template == "filingRecord" }.map(\.recipient)
        #expect(Set(filings) == ["PO1", "N0"])
        w.submitted("CR-2", kind: "changeTitle", details: ["newTitle": "新题目"])
        w.when("reviewChangeRequest", ["requestId": "CR-2", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenEvents(["ChangeRequestReviewed"])
        #expect(w.request("CR-2").status == .pending)
    }

    @Test("R-CHG-7 each kind updates the project at once, in the same append")
    func everyKindTakesEffect() {
        var w = World.standard()
        w.submitted("K1", kind: "extension", details: extensionDetails)
        w.approveAll("K1")
        #expect(w.project.plannedEndDate == CalendarDate("2028-06-30"))
        #expect(w.project.extensionCount == 1)
        w.submitted("K2", kind: "changeUnit", details: ["newUnitId": "U2"])
        w.approveAll("K2", levels: ["UA1", "UA2", "PO1", "N0"])
        #expect(w.project.unitId == "U2")
        w.submitted("K3", kind: "changeDeliverableForm", details: ["newForm": "researchReport"])
        w.approveAll("K3", levels: ["UA2", "PO1", "N0"])
        #expect(w.project.deliverableForm == .researchReport)
        w.submitted("K4", kind: "majorContentAdjustment", details: ["original": "旧", "adjusted": "新", "impact": "无"])
        w.approveAll("K4", levels: ["UA2", "PO1", "N0"])
        #expect(w.project.contentAdjustments.map(\.adjusted) == ["新"])
        w.submitted(
            "K5", kind: "changeLeader",
            details: ["newLeader": ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader]])
        w.approveAll("K5", levels: ["UA2", "PO1", "N0"])
        #expect(w.project.leader.idNumber == IDs.newLeader)
        #expect(w.request("K5").changes.map(\.field) == ["leader"])
        w.when(
            "draftChangeRequest",
            ["projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "x"], "reason": "r"], by: "L1"
        )
        .thenError(.forbidden)
        w.approvedAccount("L3", phone: "13800000003", idNumber: IDs.newLeader, unit: "U2")
        w.when(
            "draftChangeRequest",
            [
                "requestId": "K6", "projectNo": "24BZX001", "kind": "withdrawal",
                "details": ["reason": "无法完成", "fundsReceived": 200_000], "reason": "r",
            ], by: "L3"
        )
        .thenEvents(["ChangeRequestDrafted"])
        w.given("submitChangeRequest", ["requestId": "K6"], by: "L3")
        w.when("reviewChangeRequest", ["requestId": "K6", "decision": "approve", "opinion": "同意"], by: "UA2")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectWithdrawn"])
        #expect(w.project.status == .withdrawn)
        #expect(w.project.effectiveChangeRequests == ["K1", "K2", "K3", "K4", "K5", "K6"])
    }

    @Test("R-CHG-7 selfTermination makes the project terminated")
    func selfTermination() {
        var w = World.standard()
        w.submitted("CR-1", kind: "selfTermination", details: ["reason": "健康原因", "fundsUsed": 120_000])
        w.when("reviewChangeRequest", ["requestId": "CR-1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectTerminated"])
        #expect(w.project.status == .terminated)
        w.when("openCloseout", ["projectNo": "24BZX001"], by: "L1").thenError(.projectNotActive, rule: "R-CLO-1")
    }

    @Test("R-CHG-8 when a project leaves active, its other open items are closed, each with an event")
    func closesOpenItems() {
        var w = World.standard()
        w.given(
            "draftChangeRequest",
            [
                "requestId": "T1", "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新"],
                "reason": "r",
            ], by: "L1")
        w.submitted("E1", kind: "extension", details: extensionDetails)
        w.given("draftBudgetAdjustment", World.adjustmentFields("B1"), by: "L1")
        w.given("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")
        w.submitted("S1", kind: "selfTermination", details: ["reason": "r", "fundsUsed": 0])
        w.when("reviewChangeRequest", ["requestId": "S1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenEvents([
                "ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectTerminated", "ChangeRequestClosed",
                "ChangeRequestClosed", "BudgetAdjustmentClosed", "CloseoutClosed",
            ])
        #expect(w.request("T1").status == .closed)
        #expect(w.request("E1").closedReason == "terminated")
        #expect(w.state.budgetAdjustment("B1")?.status == .closed)
        #expect(w.state.closeout("C1")?.status == .closed)
        #expect(w.state.openChangeRequestId(projectNo: "24BZX001", kind: .extension) == nil)
    }

    @Test("R-CHG-8 a project that stays active closes nothing")
    func activeClosesNothing() {
        var w = World.standard()
        w.given(
            "draftChangeRequest",
            [
                "requestId": "T1", "projectNo": "24BZX001", "kind": "extension", "details": extensionDetails,
                "reason": "r",
            ], by: "L1")
        w.submitted("M1", kind: "changeMembers", details: ["remove": [IDs.member]])
        w.when("reviewChangeRequest", ["requestId": "M1", "decision": "approve", "opinion": "同意"], by: "UA1")
            .thenEvents(["ChangeRequestReviewed", "ChangeRequestTookEffect", "ProjectMembersChanged"])
        #expect(w.request("T1").status == .draft)
    }

    @Test("R-CHG-9 the new end date must be later than the current one")
    func extensionNotLater() {
        var w = World.standard()
        w.when(
            "draftChangeRequest",
            [
                "projectNo": "24BZX001", "kind": "extension",
                "details": ["newEndDate": "2027-12-31", "progress": "", "plan": ""], "reason": "r",
            ], by: "L1"
        )
        .thenError(.extensionNotLater, rule: "R-CHG-9")
    }

    @Test("R-CHG-9 each extension is at most 12 months, and general projects never pass approval + 5 years")
    func maximumPeriod() {
        var w = World.standard()
        func draft(_ no: String, _ date: String) -> Then {
            w.when(
                "draftChangeRequest",
                [
                    "projectNo": no, "kind": "extension", "details": ["newEndDate": date, "progress": "", "plan": ""],
                    "reason": "r",
                ],
                by: "L1")
        }
        draft("24BZX001", "2029-01-01").thenError(.exceedsMaximumPeriod, rule: "R-CHG-9")
        w.given(
            "registerProject", World.projectFields("24BZX002", approvedOn: "2023-01-01", end: "2027-06-30"), by: "N0")
        draft("24BZX002", "2028-03-01").thenError(.exceedsMaximumPeriod, rule: "R-CHG-9")
        draft("24BZX002", "2027-12-31").thenEvents(["ChangeRequestDrafted"])
        w.given(
            "registerProject",
            World.projectFields("24AZX003", category: "key", approvedOn: "2023-01-01", end: "2027-06-30"),
            by: "N0")
        draft("24AZX003", "2028-03-01").thenEvents(["ChangeRequestDrafted"])
        draft("24BZX001", "2028-12-31").thenEvents(["ChangeRequestDrafted"])
    }

    @Test("R-CHG-9 at most 2 extensions, each submitted at least 90 days before the end date")
    func extensionLimitsAndTiming() {
        var w = World.standard()
        w.given(
            "registerProject",
            World.projectFields("24AZX002", category: "key", approvedOn: "2020-01-01", end: "2026-12-31"), by: "N0")
        func extend(_ id: String, to date: String) -> Then {
            w.given(
                "draftChangeRequest",
                [
                    "requestId": id, "projectNo": "24AZX002", "kind": "extension",
                    "details": ["newEndDate": date, "progress": "", "plan": ""], "reason": "r",
                ], by: "L1")
            return w.when("submitChangeRequest", ["requestId": id], by: "L1")
        }
        w.on("2026-10-03")
        extend("X1", to: "2027-06-30").thenError(.extensionTooLate, rule: "R-CHG-9")
        w.on("2026-10-02")
        w.when("submitChangeRequest", ["requestId": "X1"], by: "L1").thenEvents(["ChangeRequestSubmitted"])
        w.approveAll("X1")
        w.on("2027-01-01")
        extend("X2", to: "2027-12-31").thenEvents(["ChangeRequestSubmitted"])
        w.approveAll("X2")
        w.when(
            "draftChangeRequest",
            [
                "projectNo": "24AZX002", "kind": "extension",
                "details": ["newEndDate": "2028-06-30", "progress": "", "plan": ""], "reason": "r",
            ], by: "L1"
        )
        .thenError(.extensionLimitReached, rule: "R-CHG-9")
        #expect(w.state.project("24AZX002")?.extensionCount == 2)
    }

    @Test("R-CHG-10 after final approval the form has header, kind, before and after, reason and each level")
    func approvalForm() throws {
        var w = World.standard()
        w.submitted("CR-1", kind: "extension", details: extensionDetails, reason: "调研延误")
        #expect(throws: WorkflowError.self) { try ChangeApprovalForm(requestId: "CR-1", state: w.state) }
        w.approveAll("CR-1")
        let form = try ChangeApprovalForm(requestId: "CR-1", state: w.state)
        #expect(form.projectNo == "24BZX001")
        #expect(form.kind == .extension)
        #expect(form.changes == [FieldChange(field: "plannedEndDate", before: "2027-12-31", after: "2028-06-30")])
        #expect(form.reason == "调研延误")
        #expect(form.levels.map(\.level) == [.unit, .province, .national])
        #expect(form.levels.map(\.reviewerName) == ["U1科研处", "北京市社科规划办", "全国社科工作办"])
    }

    @Test("return, reject and notAccept send a request back; recall until the first reviewer acts; resubmit")
    func returnRecallResubmit() {
        var w = World.standard()
        w.submitted("CR-1", kind: "changeTitle", details: ["newTitle": "新题目"])
        w.when("recallChangeRequest", ["requestId": "CR-1"], by: "L1").thenEvents(["ChangeRequestRecalled"])
        #expect(w.request("CR-1").status == .draft)
        w.given("submitChangeRequest", ["requestId": "CR-1"], by: "L1")
        w.given("reviewChangeRequest", ["requestId": "CR-1", "decision": "approve", "opinion": "同意"], by: "UA1")
        w.when("recallChangeRequest", ["requestId": "CR-1"], by: "L1").thenError(.invalidState)
        for decision in ["return", "reject", "notAccept"] {
            w.when("reviewChangeRequest", ["requestId": "CR-1", "decision": decision], by: "PO1")
                .thenError(.invalidInput, field: "opinion")
            w.when("reviewChangeRequest", ["requestId": "CR-1", "decision": decision, "opinion": "请修改"], by: "PO1")
                .thenEvents(["ChangeRequestReviewed"])
            #expect(w.request("CR-1").status == .returned)
            w.when(
                "editChangeRequest", ["requestId": "CR-1", "details": ["newTitle": "新题目二"], "reason": "补充"], by: "L1"
            )
            .thenEvents(["ChangeRequestEdited"])
            w.when("editChangeRequest", ["requestId": "CR-1", "details": extensionDetails, "reason": "x"], by: "L1")
                .thenError(.invalidInput, rule: "R-CHG-1", field: "details")
            w.given("submitChangeRequest", ["requestId": "CR-1"], by: "L1")
            w.given("reviewChangeRequest", ["requestId": "CR-1", "decision": "approve", "opinion": "同意"], by: "UA1")
        }
        w.when("cancelChangeRequest", ["requestId": "CR-1"], by: "L1").thenError(.invalidState)
        w.approveAll("CR-1", levels: ["PO1", "N0"])
        #expect(w.project.title == "新题目二")
        #expect(w.request("CR-1").decisions.count == 9)
    }
}
