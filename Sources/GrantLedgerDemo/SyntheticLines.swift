internal import Foundation
internal import GrantWorkflow

/// Command lines for measurements: `grantledger bench`, `LedgerBenchmarks` and (in Python, the same
/// numbers) `scripts/bulk-lines.py` register projects whose people are all new, so that every
/// registration makes three subjects and seals three ID numbers (R-LOG-6).
public enum SyntheticLines {
    /// The `serial`-th of distinct valid resident ID numbers (GB 11643 check digit): a birth day from
    /// 1950-01-01 on (one day per thousand serials) and a sequence code. `scripts/bulk-lines.py`'s
    /// `resident_id` gives the same numbers.
    public static func residentIdNumber(_ serial: Int) -> String {
        let (day, code) = serial.quotientAndRemainder(dividingBy: 1000)
        let born = CalendarDate(daysSinceEpoch: -7_305 + day).description.filter { $0 != "-" }
        let body = "110108" + born + String(format: "%03d", code)
        return body + String(IdentityNumber.checkCharacter(of: body.utf8) ?? "?")
    }

    /// A `registerProject` line by the national office (`N0`) for project `26BJB` + `index` in `unitId`,
    /// with a leader and two members of its own: the `firstPerson`-th to `firstPerson + 2`-th of
    /// ``residentIdNumber(_:)``. With `at`, the line carries that command time.
    public static func registerProject(index: Int, firstPerson: Int, unitId: String, at: String? = nil) -> String {
        let people = (0..<3).map { residentIdNumber(firstPerson + $0) }
        let time = at.map { #""at":"\#($0)","# } ?? ""
        return #"{"type":"registerProject","actor":"N0",\#(time)"projectNo":"26BJB\#(index)","title":"基准课题","#
            + #""category":"general","discipline":"哲学","unitId":"\#(unitId)","#
            + #""leader":{"name":"张三","idType":"residentId","idNumber":"\#(people[0])"},"members":["#
            + #"{"name":"李四","idType":"residentId","idNumber":"\#(people[1])","unit":"北京大学","title":"副教授","role":"成员"},"#
            + #"{"name":"王五","idType":"residentId","idNumber":"\#(people[2])","unit":"北京大学","title":"讲师","role":"成员"}],"#
            + #""approvedOn":"2024-06-01","plannedEndDate":"2027-12-31","deliverableForm":"monograph","#
            + #""budget":{"direct":{"equipment":100000,"business":300000,"labor":100000},"indirect":100000,"external":[]}}"#
    }
}
