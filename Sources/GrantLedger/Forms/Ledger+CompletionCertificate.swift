internal import EventLog
internal import GrantWorkflow

extension Ledger {
    /// The printable 结项证书 of a completed project (R-CLO-9): its leader and admins in scope may
    /// print it; `invalidState` (R-CLO-9) for a project that is not completed.
    public func completionCertificate(
        _ projectNo: String, as viewer: Viewer
    ) throws(LedgerError) -> CompletionCertificate {
        try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            // Scope first: an out-of-scope viewer learns nothing, not even the project's status (R-ACC-11).
            guard let project = models.project(projectNo), visibility.sees(project) else {
                throw visibility.hidden("the certificate of \(projectNo)")
            }
            guard project.status == .completed, let certificateNo = project.certificateNo,
                let closeout = models.closeouts(ofProject: projectNo).first(where: { $0.status == .completed })
            else {
                throw LedgerError(
                    LedgerError.Code(rawValue: "invalidState"), rule: "R-CLO-9",
                    "项目尚未结项，没有结项证书 (project \(projectNo) is \(project.status.rawValue))")
            }
            let concluded = closeout.decisions.last(where: { $0.level == .national })?.at ?? closeout.createdAt
            return CompletionCertificate(
                certificateNo: certificateNo, projectNo: project.projectNo, title: project.title,
                categoryLabel: project.category.label(.zh), leader: project.leader.name,
                unit: models.unit(project.unitId)?.name ?? project.unitId,
                grade: (project.grade ?? closeout.grade)?.label(.zh) ?? "",
                date: ApprovalForm.chineseDate(concluded.chinaDate),
                officeName: "全国哲学社会科学工作办公室")
        }
    }
}
