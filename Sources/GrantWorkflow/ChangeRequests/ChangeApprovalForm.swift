/// The printable approval form of an effective change request (重要事项变更审批表, R-CHG-10).
///
/// The engine renders it (HTML, A4); this is its content: the project header, the kind, before
/// and after, the reason, and each level's reviewer, decision, opinion and date.
public struct ChangeApprovalForm: Sendable, Hashable {
    /// One level's signature block.
    public struct LevelEntry: Sendable, Hashable {
        /// The level.
        public var level: ReviewLevel
        /// The decision.
        public var decision: ReviewDecision
        /// The opinion.
        public var opinion: String
        /// The reviewing account.
        public var reviewerId: String
        /// The reviewing account's name (the office's name for admins).
        public var reviewerName: String
        /// The decision date (China Standard Time).
        public var date: CalendarDate
    }

    /// 项目批准号.
    public var projectNo: String
    /// The project title when the form is made.
    public var projectTitle: String
    /// The category.
    public var category: ProjectCategory
    /// The leader's name when the form is made.
    public var leaderName: String
    /// The responsible unit's name when the form is made.
    public var unitName: String
    /// The kind.
    public var kind: ChangeKind
    /// The details as requested.
    public var details: ChangeDetails
    /// Each changed attribute before and after.
    public var changes: [FieldChange]
    /// The leader's reason.
    public var reason: String
    /// When the request took effect.
    public var effectiveAt: Timestamp?
    /// The decisions of the round that made the request effective, unit first.
    public var levels: [LevelEntry]

    /// Builds the form of an effective request; `invalidState` for any other state (R-CHG-10).
    public init(requestId: String, state: some WorkflowStateReader) throws(WorkflowError) {
        guard let request = state.changeRequest(requestId) else {
            throw WorkflowError.notFound("change request", requestId, field: "requestId")
        }
        guard request.status == .effective else {
            throw WorkflowError.invalidState("the approval form exists only after final approval", rule: "R-CHG-10")
        }
        guard let project = state.project(request.projectNo) else {
            throw WorkflowError.notFound("project", request.projectNo)
        }
        projectNo = project.projectNo
        projectTitle = project.title
        category = project.category
        leaderName = project.leader.name
        unitName = state.unit(project.unitId)?.name ?? project.unitId
        kind = request.kind
        details = request.details
        changes = request.changes
        reason = request.reason
        effectiveAt = request.effectiveAt
        var lastRound: [ReviewRecord] = []
        for record in request.decisions {
            if record.level == .unit { lastRound = [] }
            lastRound.append(record)
        }
        levels = lastRound.map { record in
            LevelEntry(
                level: record.level, decision: record.decision, opinion: record.opinion, reviewerId: record.by,
                reviewerName: state.account(record.by)?.name ?? record.by, date: record.at.chinaDate)
        }
    }
}
