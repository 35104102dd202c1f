/// The stream ids events are appended to.
///
/// Every event about a project, its change requests, closeouts, budget adjustments and attachments
/// goes to `project-NO`, so `history NO` and `state NO --as-of` read one stream.
public enum StreamID {
    /// `project-NO`.
    public static func project(_ projectNo: String) -> String { "project-" + projectNo }
    /// `account-ID`.
    public static func account(_ accountId: String) -> String { "account-" + accountId }
    /// `province-ID`.
    public static func province(_ provinceId: String) -> String { "province-" + provinceId }
    /// `unit-ID`.
    public static func unit(_ unitId: String) -> String { "unit-" + unitId }
    /// `subject-ID`: the erasure of a person's data (the subject's random id in hex, R-LOG-6).
    public static func subject(_ subjectId: String) -> String { "subject-" + subjectId }
    /// `system`: events about no entity (none today).
    public static let system = "system"
}
