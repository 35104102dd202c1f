internal import EventLog
public import GrantWorkflow

extension Ledger {
    /// What an assigned expert reads to appraise a closeout (R-CLO-5, R-ACC-11, rev. 2): the basic
    /// information, the interim outputs without their authors, and the final deliverable's files;
    /// never the leader's identity or unit, the members, the reviewers or other experts.
    ///
    /// The viewer is explicit: an assigned expert while the closeout is in appraisal, an admin in
    /// scope, or the operator. An unknown id and one outside the viewer's scope get the same
    /// `forbidden` answer (the operator alone learns `notFound`).
    public func appraisalMaterial(_ closeoutId: String, as viewer: Viewer) throws(LedgerError) -> JSONValue {
        try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            guard let closeout = models.closeout(closeoutId), let project = models.project(closeout.projectNo),
                visibility.administers(unitId: project.unitId) || visibility.appraises(closeout)
            else { throw visibility.hidden("closeout \(closeoutId)") }
            let own = closeout.appraisals.first { $0.expertId == visibility.account?.id }
            return Views.appraisalMaterial(closeout, ownAppraisal: own)
        }
    }
}

extension Visibility {
    /// Whether the viewer is an expert assigned to the closeout while its appraisal is open (R-CLO-5).
    func appraises(_ closeout: Closeout) -> Bool {
        guard let account, account.role == .expert, account.isActive else { return false }
        return closeout.status == .appraisal && closeout.experts.contains(account.id)
    }
}

extension Views {
    /// The appraisal material of a closeout: nothing in it names the leader, the unit or the members;
    /// with the viewing expert's own appraisal once submitted (R-ACC-11), never another expert's.
    static func appraisalMaterial(_ closeout: Closeout, ownAppraisal: Appraisal?) -> JSONValue {
        let basic: JSONValue =
            closeout.basicInfo.map { info in
                .object([
                    ("title", .string(info.title)), ("form", .string(info.form.rawValue)),
                    ("wordCount", .int(info.wordCount)), ("keywords", .strings(info.keywords)),
                    ("appraisalMode", .string(info.appraisalMode.rawValue)),
                ])
            } ?? .null
        let outputs = (closeout.interimOutputs ?? []).map { output in
            JSONValue.object([
                ("title", .string(output.title)), ("form", .string(output.form)), ("venue", .string(output.venue)),
                ("date", .string(output.date.description)),
            ])
        }
        return .object([
            ("closeoutId", .string(closeout.id)), ("status", .string(closeout.status.rawValue)),
            ("basicInfo", basic), ("interimOutputs", .array(outputs)),
            ("finalDeliverable", attachments(closeout.attachments.filter { $0.purpose == .finalDeliverable })),
            (
                "ownAppraisal",
                ownAppraisal.map { appraisal in
                    .object([
                        ("grade", .string(appraisal.grade.rawValue)), ("comments", .string(appraisal.comments)),
                        ("at", .string(appraisal.at.description)),
                    ])
                } ?? .null
            ),
        ])
    }
}
