internal import GrantWorkflow

/// The printable 结项证书 (completion certificate) of a completed project, R-CLO-9.
///
/// Like ``ApprovalForm``, a value holding everything the certificate shows, rendered as one
/// self-contained HTML page with an A4 print stylesheet and nothing loaded from anywhere: the
/// certificate number, the project number and title, the leader, the unit, the grade and the date.
public struct CompletionCertificate: Sendable, Equatable {
    /// The certificate number (证书编号) the national office gave at conclusion.
    public var certificateNo: String
    /// 项目批准号.
    public var projectNo: String
    /// 项目名称.
    public var title: String
    /// 项目类别, e.g. `一般项目`.
    public var categoryLabel: String
    /// 项目负责人.
    public var leader: String
    /// 责任单位 (its name).
    public var unit: String
    /// 鉴定等级 as printed, e.g. `良好`.
    public var grade: String
    /// 结项日期, `YYYY年MM月DD日`.
    public var date: String
    /// The issuing office printed at the foot (全国哲学社会科学工作办公室).
    public var officeName: String

    /// A certificate from its parts.
    public init(
        certificateNo: String, projectNo: String, title: String, categoryLabel: String, leader: String, unit: String,
        grade: String, date: String, officeName: String
    ) {
        self.certificateNo = certificateNo
        self.projectNo = projectNo
        self.title = title
        self.categoryLabel = categoryLabel
        self.leader = leader
        self.unit = unit
        self.grade = grade
        self.date = date
        self.officeName = officeName
    }

    /// The certificate as a complete HTML document (UTF-8), one A4 page.
    public func html() -> String {
        let e = HTMLText.escape
        var h = ""
        h += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<title>国家社会科学基金项目结项证书（\(e(certificateNo))）</title>\n"
        h += "<style>\n\(Self.stylesheet)</style>\n</head>\n<body>\n<main class=\"sheet\">\n"
        h += "<div class=\"frame\">\n"
        h += "<p class=\"number\">证书编号：<span>\(e(certificateNo))</span></p>\n"
        h += "<h1>国家社会科学基金项目<br>结项证书</h1>\n"
        h += "<p class=\"statement\">经审核，下列国家社会科学基金项目已完成研究任务，准予结项，特发此证。</p>\n"
        h += "<table class=\"facts\">\n<colgroup><col class=\"label\"><col></colgroup>\n<tbody>\n"
        for (label, value) in [
            ("项目批准号", projectNo), ("项目名称", title), ("项目类别", categoryLabel), ("项目负责人", leader),
            ("责任单位", unit), ("鉴定等级", grade),
        ] {
            h += "<tr><th scope=\"row\">\(e(label))</th><td>\(e(value))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        h += "<div class=\"issuer\"><p class=\"office\">\(e(officeName))</p>"
        h += "<p class=\"seal\">（公章）</p><p class=\"date\">\(e(date))</p></div>\n"
        h += "</div>\n</main>\n</body>\n</html>\n"
        return h
    }

    /// The print stylesheet: A4, one page, a double frame, 宋体 labels and 仿宋 entries, with the fonts
    /// every Chinese office has first and free equivalents (Noto CJK) after them.
    static let stylesheet = """
        @page { size: A4; margin: 0; }
        * { box-sizing: border-box; }
        html { background: #e8e8e8; }
        body { margin: 0; color: #000;
          font-family: "SimSun", "宋体", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", serif;
          font-size: 12pt; line-height: 1.6; }
        .sheet { width: 210mm; height: 297mm; margin: 0 auto; padding: 18mm; background: #fff; overflow: hidden; }
        .frame { height: 100%; padding: 16mm 18mm; border: 3pt double #8b1a1a; display: flex;
          flex-direction: column; }
        .number { margin: 0; text-align: right; font-size: 11pt; }
        .number span { display: inline-block; min-width: 32mm; padding: 0 2mm; border-bottom: 0.75pt solid #000;
          text-align: center; font-family: "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", serif; }
        h1 { margin: 22mm 0 14mm; text-align: center; font-size: 26pt; line-height: 1.5; letter-spacing: 0.18em;
          color: #8b1a1a; font-weight: bold;
          font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "华文中宋", "SimHei", "黑体",
            "Noto Serif CJK SC", "Source Han Serif SC", serif; }
        .statement { margin: 0 0 10mm; text-indent: 2em; font-size: 13pt; }
        table.facts { width: 100%; border-collapse: collapse; table-layout: fixed; }
        col.label { width: 28%; }
        .facts th, .facts td { padding: 3mm 2mm; border-bottom: 0.75pt solid #000; vertical-align: bottom;
          word-break: break-all; overflow-wrap: anywhere; }
        .facts th { font-weight: normal; text-align: justify; text-align-last: justify; padding-right: 6mm; }
        .facts td { font-family: "FangSong", "仿宋", "STFangsong", "FangSong_GB2312", "Noto Serif CJK SC", serif;
          font-size: 14pt; }
        .issuer { margin-top: auto; margin-left: auto; text-align: center; }
        .issuer p { margin: 0; }
        .office { font-size: 14pt; letter-spacing: 0.1em; }
        .seal { color: #666; font-size: 10.5pt; }
        .date { font-size: 13pt; }
        @media print {
          html { background: none; }
          .sheet { margin: 0; }
        }

        """
}

/// HTML text escaping shared by the printable forms.
enum HTMLText {
    /// HTML-escapes text for element content and attribute values.
    static func escape(_ text: String) -> String {
        if PersonalData.isErased(text) { return PersonalData.erasedLabel }
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
}
