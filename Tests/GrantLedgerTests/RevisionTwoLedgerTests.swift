import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// The queries and forms of the rules' revision 2: the expert's appraisal material (R-CLO-5), the
/// completion certificate (R-CLO-9), the applicant's access after a change of leader (R-CHG-10),
/// the receiving unit (R-CHG-6) and the office's ending of a project (R-PRJ-5).
@Suite("Rules revision 2 through the ledger's queries and forms")
struct RevisionTwoLedgerTests {
    static let expert5 = Scenario.account(
        "E5", role: "expert", phone: "13900000005", idNumber: residentId("31010419740909009"), unit: "U3", name: "周九")

    /// The standard world with closeout C1 in appraisal by E1, E2 and E5.
    static func inAppraisal(_ path: String) async throws -> Ledger {
        let ledger = try openTestLedger(path)
        for text in Scenario.standard + Self.expert5 + Scenario.readyCloseout() { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(line("submitCloseout", ["closeoutId": "C1"], by: "L1"))
        await ledger.expectAccepted(Scenario.reviewCloseout(by: "UA1"))
        await ledger.expectAccepted(Scenario.reviewCloseout(by: "PO1"))
        await ledger.expectAccepted(
            line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E5"]], by: "PO1"))
        return ledger
    }

    static func code(_ body: () throws(LedgerError) -> some Any) -> String? {
        do throws(LedgerError) {
            _ = try body()
            return nil
        } catch {
            return error.code.rawValue
        }
    }

    @Test("R-CLO-5 an assigned expert reads the basic information, interim outputs without authors, the deliverable")
    func expertReadsMaterial() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.inAppraisal(dir.path)
        defer { ledger.close() }
        let material = try ledger.appraisalMaterial("C1", as: .account("E1"))
        let text = material.serialized()
        #expect(text.contains("中国哲学史研究"))
        #expect(text.contains("论文一"))
        #expect(text.contains("finalDeliverable.pdf"))
        for secret in ["张三", IDs.leader, "北京大学", "李四", IDs.member, "U1", "L1", "UA1", "PO1", "E2", "E5"] {
            #expect(!text.contains(secret), "the material names \(secret)")
        }
        guard case .object(let root) = material, case .array(let files)? = root["finalDeliverable"],
            case .object(let file)? = files.first, case .string(let digest)? = file["digest"]
        else {
            Issue.record("no final deliverable in \(text)")
            return
        }
        let read = try ledger.attachment(digest, of: .closeout("C1"), as: .account("E1"))
        #expect(String(decoding: read.bytes, as: UTF8.self) == "书稿")
    }

    @Test("R-CLO-5 the history shows a leader and a unit that an appraisal came in, never whose or its grade")
    func historyHidesAppraisals() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.inAppraisal(dir.path)
        defer { ledger.close() }
        await ledger.expectAccepted(
            line("submitAppraisal", ["closeoutId": "C1", "grade": "excellent", "comments": "论证充分"], by: "E1"))
        for viewer in ["L1", "UA1"] {
            let text = try ledger.history("24BZX001", as: .account(viewer)).serialized()
            #expect(text.contains("AppraisalSubmitted"), "\(viewer): \(text)")
            for secret in ["excellent", "E1", "E2", "E5", "论证充分"] {
                #expect(!text.contains(secret), "\(viewer) reads \(secret)")
            }
            // The closeout's own view agrees: a count, no appraisal.
            let closeout = try ledger.closeout("C1", as: .account(viewer)).serialized()
            #expect(closeout.contains(#""appraisalsSubmitted":1"#) && !closeout.contains("excellent"), "\(closeout)")
        }
        let office = try ledger.history("24BZX001", as: .account("PO1")).serialized()
        #expect(office.contains("grade=excellent") && office.contains("E1"), "\(office)")
    }

    @Test("R-CLO-5 an admin reading an expert's inbox sees an assignment only if it may know the experts")
    func expertInboxReadByAdmins() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.inAppraisal(dir.path)
        defer { ledger.close() }
        func lists(_ expert: String, as viewer: String) throws -> Bool {
            try ledger.inbox(expert, as: .account(viewer)).serialized().contains(#""id":"C1""#)
        }
        #expect(try lists("E5", as: "E5"))
        #expect(try lists("E1", as: "PO1"))  // the organiser
        #expect(try !lists("E5", as: "UA3"))  // E5's own unit admin: the appraisal is blind to units
        #expect(try !lists("E5", as: "PO2"))  // E5's province, not the project's
        #expect(try !lists("E1", as: "UA2"))
    }

    @Test("R-CLO-5 an expert's inbox and notifications name the closeout, never the project number")
    func expertNeverLearnsTheProjectNumber() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.inAppraisal(dir.path)
        defer { ledger.close() }
        let inbox = try ledger.inbox("E1", as: .account("E1")).serialized()
        #expect(inbox.contains(#""kind":"appraisal""#) && inbox.contains(#""id":"C1""#), "\(inbox)")
        let outbox = try ledger.outbox(as: .account("E1")).serialized()
        #expect(outbox.contains("appraisalAssigned"), "\(outbox)")
        for text in [inbox, outbox] { #expect(!text.contains("24BZX001"), "\(text)") }
        // The office that assigned the experts still sees the project.
        #expect(try ledger.outbox(as: .everything).serialized().contains("24BZX001"))
    }

    @Test("R-CLO-5 others get forbidden, the same for an unknown id; the appraisal closed, the expert reads nothing")
    func expertScope() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.inAppraisal(dir.path)
        defer { ledger.close() }
        #expect(
            Self.code { () throws(LedgerError) in try ledger.appraisalMaterial("C1", as: .account("E3")) }
                == "forbidden")
        #expect(
            Self.code { () throws(LedgerError) in try ledger.appraisalMaterial("C9", as: .account("E1")) }
                == "forbidden")
        #expect(
            Self.code { () throws(LedgerError) in try ledger.appraisalMaterial("C1", as: .account("UA2")) }
                == "forbidden")
        #expect(
            Self.code { () throws(LedgerError) in try ledger.appraisalMaterial("C9", as: .everything) } == "notFound")
        #expect(Self.code { () throws(LedgerError) in try ledger.appraisalMaterial("C1", as: .account("PO1")) } == nil)
        // Blind both ways: the project, its history and the closeout itself name the leader.
        #expect(
            Self.code { () throws(LedgerError) in try ledger.project("24BZX001", as: .account("E1")) } == "forbidden")
        #expect(
            Self.code { () throws(LedgerError) in try ledger.history("24BZX001", as: .account("E1")) } == "forbidden")
        #expect(Self.code { () throws(LedgerError) in try ledger.closeout("C1", as: .account("E1")) } == "forbidden")
        let closeout = try ledger.closeout("C1", as: .everything)
        guard case .object(let root) = closeout, case .array(let files)? = root["attachments"] else {
            Issue.record("no attachments")
            return
        }
        for case .object(let file) in files {
            guard case .string(let purpose)? = file["purpose"], purpose == "ledger",
                case .string(let digest)? = file["digest"]
            else { continue }
            #expect(
                Self.code { () throws(LedgerError) in
                    try ledger.attachment(digest, of: .closeout("C1"), as: .account("E1"))
                } == "forbidden")
        }
        await ledger.expectAccepted(
            line("submitAppraisal", ["closeoutId": "C1", "grade": "good", "comments": "论证充分"], by: "E1"))
        let mine = try ledger.appraisalMaterial("C1", as: .account("E1")).serialized()
        let theirs = try ledger.appraisalMaterial("C1", as: .account("E2")).serialized()
        #expect(mine.contains("\"ownAppraisal\":{\"grade\":\"good\",\"comments\":\"论证充分\""))
        #expect(theirs.contains("\"ownAppraisal\":null"))
        for (expert, grade) in [("E2", "good"), ("E5", "pass")] {
            await ledger.expectAccepted(
                line("submitAppraisal", ["closeoutId": "C1", "grade": grade, "comments": "可以"], by: expert))
        }
        #expect(
            Self.code { () throws(LedgerError) in try ledger.appraisalMaterial("C1", as: .account("E1")) }
                == "forbidden")
    }

    @Test("R-CLO-9 the certificate of a completed project: number, project, leader, unit, grade, date; one A4 page")
    func certificate() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.inAppraisal(dir.path)
        defer { ledger.close() }
        #expect(
            Self.code { () throws(LedgerError) in try ledger.completionCertificate("24BZX001", as: .everything) }
                == "invalidState")
        for (expert, grade) in [("E1", "good"), ("E2", "excellent"), ("E5", "good")] {
            await ledger.expectAccepted(
                line("submitAppraisal", ["closeoutId": "C1", "grade": grade, "comments": "可以"], by: expert))
        }
        await ledger.expectAccepted(
            line(
                "concludeCloseout", ["closeoutId": "C1", "outcome": "completed", "certificateNo": "JX2026-001"],
                by: "N0"))
        let html = try ledger.completionCertificate("24BZX001", as: .account("L1")).html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("@page { size: A4;"))
        for expected in [
            "证书编号：<span>JX2026-001</span>", "<td>24BZX001</td>", "<td>中国哲学史研究</td>", "<td>张三</td>",
            "<td>北京大学</td>", "<td>良好</td>", "2026年1月5日", "全国哲学社会科学工作办公室",
        ] {
            #expect(html.contains(expected), "missing \(expected)")
        }
        #expect(!html.contains("<script"))
        #expect(!html.contains("http"))
        #expect(
            Self.code { () throws(LedgerError) in try ledger.completionCertificate("24BZX001", as: .account("UA1")) }
                == nil)
        #expect(
            Self.code { () throws(LedgerError) in try ledger.completionCertificate("24BZX001", as: .account("PO1")) }
                == nil)
        for outsider in ["UA2", "PO2", "E1"] {
            #expect(
                Self.code { () throws(LedgerError) in
                    try ledger.completionCertificate("24BZX001", as: .account(outsider))
                } == "forbidden")
        }
    }

    @Test("R-CHG-10 the leader who applied keeps its request and form after a change of leader")
    func applicantKeepsAccess() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        for text in Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1") {
            await ledger.expectAccepted(text)
        }
        let newLeader: [String: Any] = ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader]
        await ledger.expectAccepted(Scenario.change("CR-1", kind: "changeLeader", details: ["newLeader": newLeader]))
        await ledger.expectAccepted(Scenario.submit("CR-1"))
        for reviewer in ["UA1", "PO1", "N0"] { await ledger.expectAccepted(Scenario.review("CR-1", by: reviewer)) }
        #expect(
            Self.code { () throws(LedgerError) in try ledger.project("24BZX001", as: .account("L1")) } == "forbidden")
        #expect(Self.code { () throws(LedgerError) in try ledger.change("CR-1", as: .account("L1")) } == nil)
        #expect(Self.code { () throws(LedgerError) in try ledger.approvalForm("CR-1", as: .account("L1")) } == nil)
        #expect(Self.code { () throws(LedgerError) in try ledger.change("CR-1", as: .account("L2")) } == "forbidden")
        #expect(
            Self.code { () throws(LedgerError) in try ledger.approvalForm("CR-1", as: .account("L2")) } == "forbidden")
    }

    @Test("R-CHG-6 the receiving unit finds the request in its inbox; the form shows both units' opinions")
    func receivingUnit() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Scenario.change("CR-1", kind: "changeUnit", details: ["newUnitId": "U3"]))
        // Until the current unit passes it on, the receiving unit sees nothing of it: not the leader's
        // draft, nor the request at the current unit.
        func receivingSees() -> Bool {
            Self.code { () throws(LedgerError) in try ledger.change("CR-1", as: .account("UA3")) } == nil
        }
        #expect(!receivingSees())
        await ledger.expectAccepted(Scenario.submit("CR-1"))
        #expect(!receivingSees())
        await ledger.expectAccepted(Scenario.review("CR-1", by: "UA1"))
        let inbox = try ledger.inbox("UA3", as: .everything).serialized()
        #expect(inbox.contains("\"CR-1\""))
        #expect(try ledger.inbox("UA3", as: .account("UA3")).serialized().contains("\"CR-1\""))
        // It lists the request it reads by id.
        #expect(try ledger.changes(as: .account("UA3")).serialized().contains("\"CR-1\""))
        // The receiving unit's province reads that unit's inbox, but not an entry of a project it may not see.
        let province = try ledger.inbox("UA3", as: .account("PO2")).serialized()
        #expect(!province.contains("CR-1") && !province.contains("24BZX001"), "\(province)")
        #expect(Self.code { () throws(LedgerError) in try ledger.change("CR-1", as: .account("UA3")) } == nil)
        #expect(Self.code { () throws(LedgerError) in try ledger.change("CR-1", as: .account("UA2")) } == "forbidden")
        for reviewer in ["UA3", "PO1", "N0"] { await ledger.expectAccepted(Scenario.review("CR-1", by: reviewer)) }
        let html = try ledger.approvalForm("CR-1", as: .everything).html()
        #expect(html.contains("接收单位意见"))
        #expect(html.contains("北京大学（公章）"))
        #expect(html.contains("复旦大学（公章）"))
    }

    @Test("R-CHG-7 --as-of: who sees is decided by the project now; a former leader or unit reads no past")
    func asOfScopeIsTheCurrentOne() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let newLeader: [String: Any] = ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader]
        await ledger.expectAccepted(Scenario.change("CL1", kind: "changeLeader", details: ["newLeader": newLeader]))
        await ledger.expectAccepted(Scenario.submit("CL1"))
        await ledger.expectAccepted(Scenario.change("CU1", kind: "changeTitle", details: ["newTitle": "新题目"]))
        let before = await ledger.expectAccepted(Scenario.submit("CU1")).position
        for reviewer in ["UA1", "PO1", "N0"] { await ledger.expectAccepted(Scenario.review("CL1", by: reviewer)) }
        for text in Scenario.account("L3", phone: "13800000003", idNumber: IDs.newLeader, unit: "U1") {
            await ledger.expectAccepted(text)
        }
        let past = AsOf.position(before)
        func code(_ body: () throws(LedgerError) -> some Any) -> String { Self.code(body) ?? "seen" }
        // The former leader: the project and the lists, then, are the unknown id's answer.
        #expect(
            code { () throws(LedgerError) in try ledger.project("24BZX001", as: .account("L1"), asOf: past) }
                == "forbidden")
        #expect(
            code { () throws(LedgerError) in try ledger.project("24BZX404", as: .account("L1"), asOf: past) }
                == "forbidden")
        #expect(try ledger.projects(as: .account("L1"), asOf: past).serialized() == "[]")
        #expect(try ledger.changes(as: .account("L1"), asOf: past).serialized() == "[]")
        // It keeps the change of leader it applied for (R-CHG-10) as it is now, decided, not as it was
        // while open; the other request, still open, is the new leader's, and the former one's answer is
        // the unknown id's.
        func unknown(_ asOf: AsOf?) -> String {
            code { () throws(LedgerError) in try ledger.change("CU404", as: .account("L1"), asOf: asOf) }
        }
        #expect(code { () throws(LedgerError) in try ledger.change("CL1", as: .account("L1")) } == "seen")
        #expect(
            code { () throws(LedgerError) in try ledger.change("CL1", as: .account("L1"), asOf: past) } == unknown(past)
        )
        for asOf in [nil, past] {
            #expect(
                code { () throws(LedgerError) in try ledger.change("CU1", as: .account("L1"), asOf: asOf) }
                    == unknown(asOf))
            #expect(
                code { () throws(LedgerError) in try ledger.change("CU1", as: .account("L3"), asOf: asOf) } == "seen")
        }
        #expect(try ledger.changes(as: .account("L1")).serialized().contains("\"CL1\""))
        await ledger.expectRejected(line("recallChangeRequest", ["requestId": "CU1"], by: "L1"), "forbidden")
        await ledger.expectAccepted(line("recallChangeRequest", ["requestId": "CU1"], by: "L3"))
        // The new leader reads the project's past.
        #expect(
            code { () throws(LedgerError) in try ledger.project("24BZX001", as: .account("L3"), asOf: past) }
                == "seen")
        #expect(try ledger.projects(as: .account("L3"), asOf: past).serialized().contains("24BZX001"))
    }

    @Test("R-CHG-6 a receiving unit reads a change of unit only while it is one: not re-addressed, not the draft")
    func receivingUnitOnlyWhileItIsOne() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let draft = await ledger.expectAccepted(
            Scenario.change("CR-1", kind: "changeUnit", details: ["newUnitId": "U3"])
        ).position
        await ledger.expectAccepted(Scenario.submit("CR-1"))
        await ledger.expectAccepted(Scenario.review("CR-1", by: "UA1"))
        let awaitingU3 = await ledger.expectAccepted(
            line(
                "reviewChangeRequest", ["requestId": "CR-1", "decision": "return", "opinion": "不接收"], by: "UA3")
        ).position
        await ledger.expectAccepted(
            line(
                "editChangeRequest", ["requestId": "CR-1", "details": ["newUnitId": "U2"], "reason": "改调清华"],
                by: "L1"))
        func answer(_ id: String, as viewer: String, asOf: AsOf? = nil) -> String {
            Self.code { () throws(LedgerError) in try ledger.change(id, as: .account(viewer), asOf: asOf) } ?? "seen"
        }
        // Re-addressed to U2: neither U2 (never awaited yet) nor U3 (no longer named) reads it.
        for viewer in ["UA2", "UA3"] {
            #expect(answer("CR-1", as: viewer) == answer("CR-404", as: viewer), "\(viewer)")
            #expect(!(try ledger.changes(as: .account(viewer)).serialized().contains("CR-1")))
        }
        await ledger.expectAccepted(Scenario.submit("CR-1"))
        await ledger.expectAccepted(Scenario.review("CR-1", by: "UA1"))
        #expect(answer("CR-1", as: "UA2") == "seen")
        // Now a party, U2 still does not read the request as it was before it awaited U2.
        for moment in [draft, awaitingU3] {
            #expect(answer("CR-1", as: "UA2", asOf: .position(moment)) == answer("CR-404", as: "UA2"), "\(moment)")
        }
    }

    @Test("R-PRJ-5 the project shows who ended it, when and why")
    func officeEnding() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectRejected(
            line("endProject", ["projectNo": "24BZX001", "outcome": "terminated", "reason": "清理"], by: "UA1"),
            "forbidden")
        await ledger.expectAccepted(
            line("endProject", ["projectNo": "24BZX001", "outcome": "terminated", "reason": "逾期三年未结项"], by: "N0"))
        let project = try ledger.project("24BZX001", as: .account("L1")).serialized()
        #expect(project.contains("\"status\":\"terminated\""))
        #expect(project.contains("\"endedByOffice\":{\"outcome\":\"terminated\",\"by\":\"N0\""))
        #expect(project.contains("逾期三年未结项"))
    }
}
