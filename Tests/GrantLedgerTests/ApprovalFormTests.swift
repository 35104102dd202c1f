import Foundation
import GrantLedger
import GrantWorkflow
import Testing

@Suite("Approval form: the printable 重要事项变更审批表 (R-CHG-10)")
struct ApprovalFormTests {
    /// The standard world with extension CR-1 approved by every level.
    static func approvedExtension(_ path: String) async throws -> Ledger {
        let ledger = try openTestLedger(path)
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Scenario.extensionRequest())
        await ledger.expectAccepted(Scenario.submit("CR-1"))
        for reviewer in ["UA1", "PO1", "N0"] { await ledger.expectAccepted(Scenario.review("CR-1", by: reviewer)) }
        return ledger
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// A form built from its parts, with text that needs escaping.
    static func sampleForm(kindLabel: String = "延期", levels: Int = 3) -> ApprovalForm {
        let titles = ["责任单位意见", "省级社科管理部门意见", "全国社科工作办审批意见"]
        return ApprovalForm(
            requestId: "CR-9", kindLabel: kindLabel,
            header: [
                ApprovalForm.Field(label: "项目批准号", value: "24BZX009"),
                ApprovalForm.Field(label: "项目名称", value: "史料 & <整理>"),
            ],
            changes: [ApprovalForm.Change(item: "计划完成时间", before: "2026年12月31日", after: "2027年6月30日")],
            reason: "第一段\n第二段 <script>alert(1)</script>", applicant: "张三", appliedOn: "2026年3月10日",
            levels: titles.prefix(levels).map {
                ApprovalForm.LevelOpinion(
                    title: $0, decision: "同意", opinion: "同意。", reviewer: "科研处", organisation: "北京大学",
                    date: "2026年3月12日")
            },
            officeName: "全国哲学社会科学工作办公室", effectiveOn: "2026年3月25日",
            particulars: [ApprovalForm.Field(label: "已有研究进展", value: "\"已完成\"")])
    }

    @Test("the form of an effective extension: title, header, kind, before and after, reason, one box per level")
    func structureOfAnEffectiveExtension() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.approvedExtension(dir.path)
        defer { ledger.close() }
        let form = try ledger.approvalForm("CR-1", as: .everything)
        let html = form.html()

        // Title.
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>国家社会科学基金项目重要事项变更审批表（CR-1）</title>"))
        #expect(html.contains("<h1>国家社会科学基金项目重要事项变更审批表</h1>"))
        #expect(html.contains("编号：<span>CR-1</span>"))

        // Header rows: the project as the request found it (the end date before the extension).
        let header = [
            ("项目批准号", "24BZX001"), ("项目类别", "一般项目"), ("项目名称", "中国哲学史研究"), ("项目负责人", "张三"),
            ("责任单位", "北京大学"), ("学科分类", "哲学"), ("立项时间", "2024年6月1日"), ("计划完成时间", "2027年12月31日"),
            ("成果形式", "专著"),
        ]
        #expect(form.header.map(\.label) == header.map(\.0))
        #expect(form.header.map(\.value) == header.map(\.1))
        for (label, value) in header {
            #expect(html.contains("<th scope=\"row\">\(label)</th><td"), "header row \(label)")
            #expect(html.contains(">\(value)</td>"), "header value \(value)")
        }

        // The kind, ticked among all nine.
        #expect(Self.count("<span class=\"choice", in: html) == ChangeKind.allCases.count)
        #expect(Self.count("<span class=\"choice ticked\">", in: html) == 1)
        #expect(html.contains("aria-label=\"已选\"></span>延期</span>"))

        // Before and after.
        #expect(html.contains("<table class=\"changes\">"))
        #expect(html.contains("<th scope=\"col\">变更前</th><th scope=\"col\">变更后</th>"))
        #expect(html.contains("<tr><th scope=\"row\">计划完成时间</th><td>2027年12月31日</td><td>2028年6月30日</td></tr>"))

        // Reason, the extension's progress and plan, the applicant's signature line.
        #expect(html.contains("<p>资料收集需要更多时间</p>"))
        #expect(html.contains("已有研究进展：</span>已完成主体部分"))
        #expect(html.contains("延期后研究计划：</span>补充史料"))
        #expect(html.contains("项目负责人（签字）：<span class=\"name\">张三</span>"))
        #expect(form.appliedOn == "2026年1月5日")

        // One opinion box per level, in review order, each with decision, reviewer, seal line and date.
        #expect(form.levels.map(\.title) == ["责任单位意见", "省级社科管理部门意见", "全国社科工作办审批意见"])
        #expect(Self.count("<tr class=\"box level\">", in: html) == 3)
        #expect(Self.count("审核结论：", in: html) == 3)
        var rest = Substring(html)
        for level in form.levels {
            let box = try #require(rest.range(of: "<th scope=\"row\">\(level.title)</th>"), "box \(level.title)")
            rest = rest[box.upperBound...]
            #expect(rest.contains("\(level.organisation)（公章）"))
            #expect(rest.contains("<p class=\"date\">\(level.date)</p>"))
        }
        #expect(html.contains("经办人：<span class=\"name\">U1科研处</span>"))

        // The issuing office and the effective date at the foot.
        #expect(html.contains("<p class=\"office\">全国哲学社会科学工作办公室制</p>"))
        #expect(html.contains("自2026年1月5日起生效"))
    }

    @Test("the page prints on A4 and loads nothing from anywhere")
    func printableAndSelfContained() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.approvedExtension(dir.path)
        defer { ledger.close() }
        let html = try ledger.approvalForm("CR-1", as: .everything).html()

        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        for external in [
            "<script", "<link", "<img", "<iframe", "<object", "src=", "href=", "url(", "@import", "http:", "https:",
        ] {
            #expect(!html.contains(external), "\(external) in the page")
        }
        for element in ["html", "head", "body", "main", "table", "tbody", "tr", "th", "td", "p", "div", "span"] {
            #expect(
                Self.count("<\(element)>", in: html) + Self.count("<\(element) ", in: html)
                    == Self.count("</\(element)>", in: html), "<\(element)> balanced")
        }
    }

    @Test("text from commands is escaped, and each line of a reason is its own paragraph")
    func escaping() {
        let html = Self.sampleForm().html()
        #expect(!html.contains("<script>"))
        #expect(html.contains("<p>第二段 &lt;script&gt;alert(1)&lt;/script&gt;</p>"))
        #expect(html.contains("<p>第一段</p>"))
        #expect(html.contains("史料 &amp; &lt;整理&gt;"))
        #expect(html.contains("已有研究进展：</span>&quot;已完成&quot;"))
    }

    @Test("every kind has its box, and a label outside the list is added and ticked")
    func kindBoxes() {
        for kind in ChangeKind.allCases {
            let html = Self.sampleForm(kindLabel: kind.label(.zh)).html()
            #expect(Self.count("<span class=\"choice", in: html) == ChangeKind.allCases.count, "\(kind)")
            #expect(html.contains("aria-label=\"已选\"></span>\(kind.label(.zh))</span>"), "\(kind)")
        }
        let other = Self.sampleForm(kindLabel: "其他").html()
        #expect(Self.count("<span class=\"choice", in: other) == ChangeKind.allCases.count + 1)
        #expect(other.contains("aria-label=\"已选\"></span>其他</span>"))
    }

    @Test("a kind the unit approves alone has one opinion box (R-CHG-6)")
    func unitOnlyKind() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let newMember: [String: Any] = [
            "name": "周八", "idType": "residentId", "idNumber": IDs.otherLeader, "unit": "北京大学", "title": "讲师",
            "role": "成员",
        ]
        await ledger.expectAccepted(Scenario.change("CR-M", kind: "changeMembers", details: ["add": [newMember]]))
        await ledger.expectAccepted(Scenario.submit("CR-M"))
        await ledger.expectAccepted(Scenario.review("CR-M", by: "UA1"))

        let form = try ledger.approvalForm("CR-M", as: .account("L1"))
        #expect(form.levels.map(\.title) == ["责任单位意见"])
        #expect(Self.count("<tr class=\"box level\">", in: form.html()) == 1)
        #expect(form.changes == [ApprovalForm.Change(item: "课题组成员", before: "李四", after: "李四、周八")])
    }

    @Test("after a change of leader the form is signed by the leader who applied")
    func changeOfLeader() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let newLeader = ["name": "王新", "idType": "residentId", "idNumber": IDs.newLeader]
        await ledger.expectAccepted(Scenario.change("CR-L", kind: "changeLeader", details: ["newLeader": newLeader]))
        await ledger.expectAccepted(Scenario.submit("CR-L"))
        for reviewer in ["UA1", "PO1", "N0"] { await ledger.expectAccepted(Scenario.review("CR-L", by: reviewer)) }

        let form = try ledger.approvalForm("CR-L", as: .everything)
        #expect(form.applicant == "张三")
        #expect(form.header.first { $0.label == "项目负责人" }?.value == "张三")
        #expect(form.changes.first?.item == "项目负责人")
        #expect(form.changes.first?.after.hasPrefix("王新 ") == true)

        // Once both leaders are erased, the change reads 已删除 where their numbers were: never the
        // engine's pseudonym, in the query, the form or its HTML (R-LOG-6).
        for target in [["accountId": "L1"], ["idType": "residentId", "idNumber": IDs.newLeader]] {
            await ledger.expectAccepted(line("eraseSubject", target.merging(["reason": "依本人申请"]) { $1 }, by: "N0"))
        }
        let erasedForm = try ledger.approvalForm("CR-L", as: .everything)
        let change = try ledger.change("CR-L", as: .everything).serialized()
        for text in [erasedForm.html(), change, "\(erasedForm.changes)"] {
            #expect(!text.unicodeScalars.contains(PersonalData.marker) && !text.contains("erased:"), "\(text)")
            #expect(!text.contains("\\ufdd0"), "\(text)")
        }
        #expect(erasedForm.changes.first?.before == "张三 已删除")
        #expect(erasedForm.changes.first?.after == "王新 已删除")
        #expect(change.contains("张三 已删除"), "\(change)")
    }

    @Test("only an effective request has a form (R-CHG-10)")
    func onlyEffectiveRequests() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Scenario.extensionRequest())
        #expect {
            try ledger.approvalForm("CR-1", as: .everything)
        } throws: { error in
            (error as? LedgerError)?.code.rawValue == "invalidState"
        }
    }
}
