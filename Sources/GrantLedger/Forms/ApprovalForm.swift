/// The printable 重要事项变更审批表 (approval form of a project change request), R-CHG-10.
///
/// A value that holds everything the form shows, and renders it as one self-contained HTML page
/// with an A4 print stylesheet: title, project header, before and after, reason, each review
/// level's opinion, reviewer and date, and the issuing office. No scripts, fonts or images are
/// loaded from anywhere, so the page prints the same offline.
public struct ApprovalForm: Sendable, Equatable {
    /// One row of the project header (项目批准号, 项目名称 …).
    public struct Field: Sendable, Equatable {
        /// The printed label, e.g. `项目批准号`.
        public var label: String
        /// The value as printed.
        public var value: String

        /// A header field.
        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// What changes: one row of the before/after table.
    public struct Change: Sendable, Equatable {
        /// The attribute, e.g. `计划完成时间`.
        public var item: String
        /// The value before the change.
        public var before: String
        /// The value after the change.
        public var after: String

        /// A before/after row.
        public init(item: String, before: String, after: String) {
            self.item = item
            self.before = before
            self.after = after
        }
    }

    /// One review level's box: 责任单位意见, 省级社科管理部门意见, 全国社科工作办审批意见.
    public struct LevelOpinion: Sendable, Equatable {
        /// The box title, e.g. `责任单位意见`.
        public var title: String
        /// The decision as printed, e.g. `同意`.
        public var decision: String
        /// The reviewer's written opinion.
        public var opinion: String
        /// The reviewer's name (经办人).
        public var reviewer: String
        /// The reviewer's organisation, printed above the seal line.
        public var organisation: String
        /// The date of the decision, `YYYY年MM月DD日`.
        public var date: String

        /// A level's opinion box.
        public init(
            title: String, decision: String, opinion: String, reviewer: String, organisation: String, date: String
        ) {
            self.title = title
            self.decision = decision
            self.opinion = opinion
            self.reviewer = reviewer
            self.organisation = organisation
            self.date = date
        }
    }

    /// The request id, printed as the form number.
    public var requestId: String
    /// The kind in Chinese, e.g. `延期`: ticked in the row of every kind (变更事项).
    public var kindLabel: String
    /// The project header rows.
    public var header: [Field]
    /// The before/after rows.
    public var changes: [Change]
    /// The leader's reason (变更理由).
    public var reason: String
    /// Further statements of the request printed under the reason, e.g. `已有研究进展` and
    /// `延期后研究计划` of an extension.
    public var particulars: [Field]
    /// The leader's name, printed on the signature line (项目负责人签字).
    public var applicant: String
    /// The submission date, `YYYY年MM月DD日`.
    public var appliedOn: String
    /// The opinion boxes, in review order.
    public var levels: [LevelOpinion]
    /// The issuing office printed at the foot (全国哲学社会科学工作办公室).
    public var officeName: String
    /// The date the request took effect, `YYYY年MM月DD日`.
    public var effectiveOn: String

    /// A form from its parts.
    public init(
        requestId: String, kindLabel: String, header: [Field], changes: [Change], reason: String,
        applicant: String, appliedOn: String, levels: [LevelOpinion], officeName: String, effectiveOn: String,
        particulars: [Field] = []
    ) {
        self.requestId = requestId
        self.kindLabel = kindLabel
        self.header = header
        self.changes = changes
        self.reason = reason
        self.particulars = particulars
        self.applicant = applicant
        self.appliedOn = appliedOn
        self.levels = levels
        self.officeName = officeName
        self.effectiveOn = effectiveOn
    }

    /// The kinds in the order the printed form lists them (变更事项), each with a box to tick.
    static let kindLabels = [
        "变更项目责任人", "变更责任单位", "改变项目名称", "研究内容有重大调整", "改变成果形式", "延期", "变更课题组成员",
        "自行终止项目", "撤项",
    ]

    /// The form as a complete HTML document (UTF-8), ready to print on A4.
    ///
    /// One bordered table in the layout of the paper form: the project header, a row ticking the
    /// kind, the before/after table, the reason with the leader's signature line, and one opinion box
    /// per review level with its decision, reviewer, organisation (where the seal goes) and date.
    public func html() -> String {
        var h = ""
        h += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<title>国家社会科学基金项目重要事项变更审批表（\(escape(requestId))）</title>\n"
        h += "<style>\n\(Self.stylesheet)</style>\n</head>\n<body>\n<main class=\"sheet\">\n"
        h += "<header class=\"masthead\">\n"
        h += "<p class=\"form-no\">编号：<span>\(escape(requestId))</span></p>\n"
        h += "<h1>国家社会科学基金项目重要事项变更审批表</h1>\n"
        h += "</header>\n"
        h += "<table class=\"form\">\n"
        h += "<colgroup><col class=\"label\"><col class=\"value\">"
        h += "<col class=\"label\"><col class=\"value\"></colgroup>\n"
        h += "<tbody class=\"header\">\n"
        h += headerRows()
        h += "</tbody>\n<tbody class=\"request\">\n"
        h += kindRow()
        h += changesRow()
        h += reasonRow()
        h += "</tbody>\n<tbody class=\"opinions\">\n"
        for level in levels { h += levelRow(level) }
        h += "</tbody>\n</table>\n"
        h += "<footer>\n<p class=\"note\">"
        if !effectiveOn.isEmpty { h += "注：本表依据审批记录生成，所列变更事项自\(escape(effectiveOn))起生效。" }
        h += "</p>\n<p class=\"office\">\(escape(officeName))制</p>\n</footer>\n"
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// The header fields two to a row; the project title, and any long value, on a row of its own.
    private func headerRows() -> String {
        var h = ""
        func wide(_ field: Field) -> String {
            "<tr><th scope=\"row\">\(escape(field.label))</th><td colspan=\"3\">\(escape(field.value))</td></tr>\n"
        }
        var waiting: Field?
        for field in header {
            if field.label == "项目名称" || field.value.count > 16 {
                if let earlier = waiting { h += wide(earlier) }
                waiting = nil
                h += wide(field)
            } else if let earlier = waiting {
                h += "<tr><th scope=\"row\">\(escape(earlier.label))</th><td>\(escape(earlier.value))</td>"
                h += "<th scope=\"row\">\(escape(field.label))</th><td>\(escape(field.value))</td></tr>\n"
                waiting = nil
            } else {
                waiting = field
            }
        }
        if let last = waiting { h += wide(last) }
        return h
    }

    /// 变更事项: every kind with a box, this request's ticked.
    private func kindRow() -> String {
        var labels = Self.kindLabels
        if !labels.contains(kindLabel) { labels.append(kindLabel) }
        var h = "<tr class=\"kinds\"><th scope=\"row\">变更事项</th><td colspan=\"3\">"
        for label in labels {
            let ticked = label == kindLabel
            h += "<span class=\"choice\(ticked ? " ticked" : "")\">"
            h += "<span class=\"mark\(ticked ? " ticked" : "")\" role=\"img\" "
            h += "aria-label=\"\(ticked ? "已选" : "未选")\"></span>"
            h += "\(escape(label))</span>"
        }
        h += "</td></tr>\n"
        return h
    }

    /// 变更内容: the before/after table inside one row of the form.
    private func changesRow() -> String {
        var h = "<tr class=\"changes-row\"><th scope=\"row\">变更内容</th><td colspan=\"3\" class=\"nested\">\n"
        h += "<table class=\"changes\">\n<colgroup><col class=\"item\"><col><col></colgroup>\n"
        h += "<thead><tr><th scope=\"col\">变更项目</th><th scope=\"col\">变更前</th><th scope=\"col\">变更后</th></tr></thead>\n"
        h += "<tbody>\n"
        for change in changes {
            h += "<tr><th scope=\"row\">\(escape(change.item))</th>"
            h += "<td>\(multiline(change.before))</td><td>\(multiline(change.after))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n</td></tr>\n"
        return h
    }

    /// 变更理由, the request's further statements and the leader's signature line.
    private func reasonRow() -> String {
        var h = "<tr class=\"box reason\"><th scope=\"row\">变更理由</th><td colspan=\"3\"><div class=\"cell\">\n"
        h += "<div class=\"text\">\(paragraphs(reason))</div>\n"
        for particular in particulars {
            h += "<p class=\"particular\"><span class=\"caption\">\(escape(particular.label))：</span>"
            h += "\(multiline(particular.value))</p>\n"
        }
        h += "<div class=\"sign\"><p>项目负责人（签字）：<span class=\"name\">\(escape(applicant))</span></p>"
        h += "<p class=\"date\">\(escape(appliedOn))</p></div>\n"
        h += "</div></td></tr>\n"
        return h
    }

    /// One review level's opinion box.
    private func levelRow(_ level: LevelOpinion) -> String {
        var h = "<tr class=\"box level\"><th scope=\"row\">\(escape(level.title))</th>"
        h += "<td colspan=\"3\"><div class=\"cell\">\n"
        h += "<p class=\"decision\">审核结论：<span class=\"mark ticked\" role=\"img\" aria-label=\"已选\"></span>"
        h += "\(escape(level.decision))</p>\n"
        h += "<div class=\"text\">\(paragraphs(level.opinion))</div>\n"
        // Office accounts are named after their office: then the seal line names the reviewer already.
        h += "<div class=\"signatures\">\n"
        if level.reviewer != level.organisation {
            h += "<p class=\"reviewer\">经办人：<span class=\"name\">\(escape(level.reviewer))</span></p>\n"
        }
        h += "<div class=\"sign\"><p class=\"seal\">\(escape(level.organisation))（公章）</p>"
        h += "<p class=\"date\">\(escape(level.date))</p></div>\n</div>\n"
        h += "</div></td></tr>\n"
        return h
    }

    /// HTML-escapes text for element content and attribute values.
    func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// Each line of `text` as an indented paragraph.
    private func paragraphs(_ text: String) -> String {
        text.split(separator: "\n").map { "<p>\(escape(String($0)))</p>" }.joined()
    }

    private func multiline(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
        return lines.joined(separator: "<br>")
    }

    /// The print stylesheet: A4, black rules, 宋体 labels and 仿宋 entries as on the paper form, with
    /// the fonts every Chinese office has first and free equivalents (Noto CJK) after them.
    static let stylesheet = """
        @page { size: A4; margin: 14mm 18mm 12mm; }
        * { box-sizing: border-box; }
        html { background: #e8e8e8; }
        body { margin: 0; color: #000;
          font-family: "SimSun", "宋体", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", serif;
          font-size: 10.5pt; line-height: 1.5; }
        .sheet { width: 210mm; min-height: 297mm; margin: 0 auto; padding: 14mm 18mm 12mm; background: #fff; }
        .masthead { margin-bottom: 3mm; }
        .form-no { margin: 0 0 2mm; text-align: right; }
        .form-no span { display: inline-block; min-width: 30mm; padding: 0 2mm; border-bottom: 0.75pt solid #000;
          text-align: center; }
        h1 { margin: 0; text-align: center; font-size: 18pt; font-weight: bold; letter-spacing: 0.06em;
          font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "华文中宋", "SimHei", "黑体",
            "Noto Serif CJK SC", "Source Han Serif SC", serif; }
        table { border-collapse: collapse; table-layout: fixed; width: 100%; }
        table.form { border: 1.5pt solid #000; }
        col.label { width: 17%; }
        col.value { width: 33%; }
        th, td { border: 0.75pt solid #000; padding: 1.6mm 2.2mm; vertical-align: middle; text-align: left;
          word-break: break-all; overflow-wrap: anywhere; }
        th { font-weight: normal; text-align: center; letter-spacing: 0.04em; }
        td { font-family: "FangSong", "仿宋", "STFangsong", "FangSong_GB2312", "Noto Serif CJK SC", serif;
          font-size: 11pt; }
        .header td { height: 7.5mm; }
        .kinds td { font-size: 10.5pt; line-height: 1.9; padding-top: 1.2mm; padding-bottom: 1.2mm; }
        .choice { display: inline-block; margin-right: 3.5mm; white-space: nowrap; }
        .mark { display: inline-block; position: relative; width: 3.3mm; height: 3.3mm; margin: 0 1mm 0 0;
          border: 0.75pt solid #000; vertical-align: -0.35mm; }
        .mark.ticked::after { content: ""; position: absolute; left: 0.95mm; top: -0.55mm; width: 1.15mm;
          height: 2.5mm; border: solid #000; border-width: 0 0.5mm 0.5mm 0; transform: rotate(45deg); }
        td.nested { padding: 0; }
        table.changes { border-style: hidden; }
        .changes col.item { width: 22%; }
        .changes th, .changes td { padding: 1.5mm 2.2mm; }
        .changes thead th { height: 7.5mm; }
        .box td { vertical-align: top; padding: 2.2mm 3mm 2mm; }
        .box .text { min-height: 7mm; }
        .box .text p { margin: 0; text-indent: 2em; }
        .reason .text { min-height: 8mm; }
        .particular { margin: 1mm 0 0; text-indent: 2em; }
        .particular .caption, .decision, .sign { font-family: "SimSun", "宋体", "Songti SC", "STSong",
          "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 10.5pt; }
        .decision { margin: 0 0 1mm; }
        .sign { margin: 2mm 0 0 auto; width: max-content; max-width: 100%; text-align: right; }
        .sign p { margin: 0; line-height: 1.6; }
        .sign .name, .reviewer .name { font-family: "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", serif;
          font-size: 11pt; }
        .signatures { display: flex; align-items: flex-end; gap: 6mm; margin-top: 2mm; }
        .signatures .sign { flex: none; margin-top: 0; white-space: nowrap; }
        .reviewer { flex: 1 1 auto; min-width: 0; margin: 0; line-height: 1.6; font-family: "SimSun", "宋体", "Songti SC", "STSong",
          "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 10.5pt; }
        .seal { letter-spacing: 0.02em; }
        .cell { display: flex; flex-direction: column; }
        .cell > .sign, .cell > .signatures { margin-top: auto; padding-top: 2mm; }
        .reason .cell { min-height: 34mm; }
        .level .cell { min-height: 31mm; }
        footer { display: flex; align-items: baseline; justify-content: space-between; gap: 6mm; margin-top: 2mm; }
        footer p { margin: 0; }
        footer .note { font-size: 9pt; }
        footer .office { flex: none; font-size: 10.5pt; letter-spacing: 0.1em; }
        tr, .sign { break-inside: avoid; page-break-inside: avoid; }
        @media print {
          html { background: none; }
          .sheet { width: auto; min-height: 0; margin: 0; padding: 0; }
        }

        """
}
