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

    /// One review level's box: 责任单位意见, 省级社科管理部门意见, 全国社科工作办意见.
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
    /// The kind in Chinese, e.g. `延期`.
    public var kindLabel: String
    /// The project header rows.
    public var header: [Field]
    /// The before/after rows.
    public var changes: [Change]
    /// The leader's reason (变更理由).
    public var reason: String
    /// The leader's name and the date of submission (申请人, 申请日期).
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
        applicant: String, appliedOn: String, levels: [LevelOpinion], officeName: String, effectiveOn: String
    ) {
        self.requestId = requestId
        self.kindLabel = kindLabel
        self.header = header
        self.changes = changes
        self.reason = reason
        self.applicant = applicant
        self.appliedOn = appliedOn
        self.levels = levels
        self.officeName = officeName
        self.effectiveOn = effectiveOn
    }

    /// The form as a complete HTML document (UTF-8), ready to print on A4.
    public func html() -> String {
        var h = ""
        h += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<title>国家社会科学基金项目重要事项变更审批表 \(escape(requestId))</title>\n"
        h += "<style>\n\(Self.stylesheet)</style>\n</head>\n<body>\n<main class=\"form\">\n"
        h += "<p class=\"form-no\">编号：\(escape(requestId))</p>\n"
        h += "<h1>国家社会科学基金项目重要事项变更审批表</h1>\n"
        h += "<p class=\"kind\">变更事项：<strong>\(escape(kindLabel))</strong></p>\n"
        h += "<table class=\"header\">\n<tbody>\n"
        var index = 0
        while index < header.count {
            h += "<tr>"
            for field in header[index..<min(index + 2, header.count)] {
                h += "<th scope=\"row\">\(escape(field.label))</th><td>\(escape(field.value))</td>"
            }
            if index + 1 >= header.count { h += "<th></th><td></td>" }
            h += "</tr>\n"
            index += 2
        }
        h += "</tbody>\n</table>\n"
        h += "<table class=\"changes\">\n<thead><tr><th scope=\"col\">变更内容</th>"
        h += "<th scope=\"col\">变更前</th><th scope=\"col\">变更后</th></tr></thead>\n<tbody>\n"
        for change in changes {
            h += "<tr><th scope=\"row\">\(escape(change.item))</th>"
            h += "<td>\(multiline(change.before))</td><td>\(multiline(change.after))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        h += "<section class=\"box reason\">\n<h2>变更理由</h2>\n<div class=\"text\">\(multiline(reason))</div>\n"
        h += "<p class=\"sign\">项目负责人（签字）：\(escape(applicant))<span class=\"date\">\(escape(appliedOn))</span></p>\n"
        h += "</section>\n"
        for level in levels {
            h += "<section class=\"box level\">\n<h2>\(escape(level.title))</h2>\n"
            h += "<p class=\"decision\">审核结论：<strong>\(escape(level.decision))</strong></p>\n"
            h += "<div class=\"text\">\(multiline(level.opinion))</div>\n"
            h += "<p class=\"sign\">\(escape(level.organisation))（盖章）　经办人：\(escape(level.reviewer))"
            h += "<span class=\"date\">\(escape(level.date))</span></p>\n</section>\n"
        }
        h += "<footer>\n<p>\(escape(officeName))</p>\n<p>生效日期：\(escape(effectiveOn))</p>\n</footer>\n"
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// HTML-escapes text for element content and attribute values.
    func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private func multiline(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
        return lines.joined(separator: "<br>")
    }

    static let stylesheet = """
        @page { size: A4; margin: 20mm 18mm; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f3f3f3; color: #000;
          font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", serif;
          font-size: 12pt; line-height: 1.6; }
        .form { width: 210mm; min-height: 297mm; margin: 0 auto; padding: 20mm 18mm; background: #fff; }
        h1 { font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
          font-size: 18pt; text-align: center; letter-spacing: 0.1em; margin: 4mm 0 6mm; }
        h2 { font-size: 12pt; margin: 0 0 2mm; }
        .form-no { text-align: right; margin: 0; font-size: 10.5pt; }
        .kind { margin: 0 0 3mm; }
        table { width: 100%; border-collapse: collapse; margin-bottom: -1px; table-layout: fixed; }
        th, td { border: 1px solid #000; padding: 2mm 2.5mm; vertical-align: top; text-align: left;
          word-break: break-all; }
        th { font-weight: normal; background: #fafafa; }
        .header th { width: 18%; } .header td { width: 32%; }
        .changes thead th { text-align: center; } .changes tbody th { width: 20%; }
        .box { border: 1px solid #000; padding: 3mm 3.5mm; margin-top: -1px; min-height: 32mm;
          page-break-inside: avoid; break-inside: avoid; position: relative; }
        .box .text { min-height: 12mm; white-space: normal; }
        .sign { text-align: right; margin: 3mm 0 0; }
        .sign .date { display: inline-block; min-width: 40mm; margin-left: 6mm; }
        footer { margin-top: 8mm; text-align: right; }
        footer p { margin: 0; }
        @media print { body { background: #fff; } .form { width: auto; min-height: 0; margin: 0; padding: 0; } }

        """
}
