internal import GrantWorkflow

/// What `query projects` needs of a project, stored beside the project under `PR/no`
/// (``ModelKey/Table/projectSummary``) by the same writers (``ModelStore/putProject(_:)``, the
/// rebuild's ``ModelOverlay``, ``ModelRecords/records(of:hasher:)``), so a listing reads these small
/// records instead of decoding whole projects with their members and budgets.
///
/// Besides the listed columns it holds what the listing's filters and the viewer's scope test: the
/// closeout flag (overdue, R-PRJ-3) and the leader's ID type and number (R-PRJ-2). The number is a
/// personal field (R-LOG-6): an erasure rewrites it as the project's own record is rewritten, since
/// ``Erasure`` compares every record ``ModelRecords`` yields.
struct ProjectSummary: Sendable, Hashable, BinaryCodable {
    var projectNo: String
    var title: String
    var status: ProjectStatus
    var category: ProjectCategory
    var unitId: String
    var plannedEndDate: CalendarDate
    var closeoutUnderReview: Bool
    var leaderIdType: IdType
    var leaderIdNumber: String

    init(_ project: Project) {
        projectNo = project.projectNo
        title = project.title
        status = project.status
        category = project.category
        unitId = project.unitId
        plannedEndDate = project.plannedEndDate
        closeoutUnderReview = project.closeoutUnderReview
        leaderIdType = project.leader.idType
        leaderIdNumber = project.leader.idNumber
    }

    /// As ``Project/isOverdue(on:)``.
    func isOverdue(on today: CalendarDate) -> Bool {
        status == .active && !closeoutUnderReview && today > plannedEndDate
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(title)
        writer.write(status)
        writer.write(category)
        writer.write(unitId)
        writer.write(plannedEndDate)
        writer.write(closeoutUnderReview)
        writer.write(leaderIdType)
        writer.write(leaderIdNumber)
    }

    init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        title = try reader.read()
        status = try reader.read()
        category = try reader.read()
        unitId = try reader.read()
        plannedEndDate = try reader.read()
        closeoutUnderReview = try reader.read()
        leaderIdType = try reader.read()
        leaderIdNumber = try reader.read()
    }
}

extension Account {
    /// As ``Account/leads(_:)`` for a project, from its summary.
    func leads(_ summary: ProjectSummary) -> Bool {
        leads(leaderIdType: summary.leaderIdType, leaderIdNumber: summary.leaderIdNumber)
    }
}
