internal import EventLog
public import GrantWorkflow

extension Ledger {
    /// The content of an attachment of a closeout, change request or budget adjustment (R-ATT-2):
    /// only the leader who owns the item and admins in scope may read it back.
    public func attachment(
        _ digest: String, of owner: AttachmentOwner, as viewer: Viewer
    ) throws(LedgerError) -> (reference: AttachmentRef, bytes: [UInt8]) {
        let dbs = dbs
        return try withModels { models, _ in
            let visibility = try Visibility(viewer, directory: models)
            let found: (projectNo: String, refs: [AttachmentRef])?
            switch owner {
            case .closeout(let id): found = models.closeout(id).map { ($0.projectNo, $0.attachments) }
            case .changeRequest(let id): found = models.changeRequest(id).map { ($0.projectNo, $0.attachments) }
            case .budgetAdjustment(let id): found = models.budgetAdjustment(id).map { ($0.projectNo, $0.attachments) }
            }
            guard let found, let reference = found.refs.first(where: { $0.digest == digest }),
                let project = models.project(found.projectNo), visibility.sees(project)
            else { throw visibility.hidden("attachment \(digest) on \(owner.id)") }
            guard let bytes = try models.access.get(dbs.attachments, Array(digest.utf8)) else {
                throw LedgerError(.corrupted, "the content of attachment \(digest) is missing")
            }
            return (reference, bytes)
        }
    }
}
