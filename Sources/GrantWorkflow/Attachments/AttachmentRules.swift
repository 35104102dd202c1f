/// The rules of attachments (docs/rules.md §5: R-ATT-1, R-ATT-2).
extension Decider {
    mutating func attachFile(_ input: AttachFile) throws(WorkflowError) {
        let project: Project
        let account: Account
        let editable: Bool
        switch input.owner {
        case .closeout(let id):
            let (closeout, found, actor) = try leaderCloseout(id, ownerRule: "R-ATT-2")
            (project, account, editable) = (found, actor, closeout.status.isEditable)
        case .changeRequest(let id):
            let (request, found, actor) = try leaderRequest(id, ownerRule: "R-ATT-2")
            (project, account, editable) = (found, actor, request.status.isEditable)
        case .budgetAdjustment(let id):
            let (adjustment, found, actor) = try leaderAdjustment(id, ownerRule: "R-ATT-2")
            (project, account, editable) = (found, actor, adjustment.status.isEditable)
        }
        guard editable else {
            throw WorkflowError.invalidState("files can be attached only while the item is editable", rule: "R-ATT-2")
        }
        guard !input.content.isEmpty else {
            throw WorkflowError.invalidInput("contentBase64", "附件不能为空 (an empty file)", rule: "R-ATT-1")
        }
        guard input.content.count <= policy.maximumAttachmentBytes else {
            throw WorkflowError(
                .attachmentTooLarge, rule: "R-ATT-1", field: "contentBase64",
                "附件不能超过\(policy.maximumAttachmentBytes / 1_048_576)MB (at most \(policy.maximumAttachmentBytes) bytes)")
        }
        let digest = PasswordHasher.contentDigest(input.content)
        let reference = AttachmentRef(
            digest: digest, filename: input.filename, mediaType: input.mediaType, size: input.content.count,
            purpose: input.purpose, attachedBy: account.id, attachedAt: time)
        decision.append(
            .attachmentAdded(AttachmentAdded(projectNo: project.projectNo, owner: input.owner, attachment: reference)))
        decision.attachments.append(AttachmentBlob(digest: digest, bytes: input.content))
        decision.result["digest"] = digest
    }
}
