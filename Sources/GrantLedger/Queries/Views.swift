internal import GrantWorkflow

/// The JSON shapes of docs/cli.md's queries, built from entities for one viewer.
enum Views {
    // MARK: Projects

    static func budget(_ budget: Budget) -> JSONValue {
        .object([
            ("direct", .object(budget.direct.keys.sorted().map { ($0, .int(budget.direct[$0] ?? 0)) })),
            ("indirect", .int(budget.indirect)), ("total", .int(budget.total)),
            ("external", .array(budget.external.map(external))),
        ])
    }

    static func external(_ allocation: ExternalAllocation) -> JSONValue {
        .object([
            ("partner", .string(allocation.partner)), ("creditCode", .string(allocation.creditCode)),
            ("amount", .int(allocation.amount)),
            (
                "byCategory",
                .object(allocation.byCategory.keys.sorted().map { ($0, .int(allocation.byCategory[$0] ?? 0)) })
            ),
        ])
    }

    /// Who may read ID numbers in full: a viewer, for a project's unit (R-ACC-8).
    struct IdReader {
        let visibility: Visibility?
        let unitId: String

        func show(_ number: String) -> String {
            guard let visibility else { return number }
            return visibility.seesFullIdNumber(number, unitId: unitId) ? number : IdentityNumber.masked(number)
        }
    }

    static func person(_ person: Person, ids: IdReader) -> JSONValue {
        .object([
            ("name", .string(person.name)), ("idType", .string(person.idType.rawValue)),
            ("idNumber", .string(ids.show(person.idNumber))),
        ])
    }

    static func member(_ member: Member, ids: IdReader) -> JSONValue {
        .object([
            ("name", .string(member.name)), ("role", .string(member.role)), ("title", .string(member.title)),
            ("unit", .string(member.unit)), ("idNumber", .string(ids.show(member.idNumber))),
        ])
    }

    /// `query project NO`; `ended` is the national office's ending of the project (R-PRJ-5), when it ended it.
    static func project(
        _ project: Project, visibility: Visibility, today: CalendarDate, ended: ProjectEndedByOffice? = nil
    ) -> JSONValue {
        let ids = IdReader(visibility: visibility, unitId: project.unitId)
        let endedBy: JSONValue =
            ended.map { ending in
                .object([
                    ("outcome", .string(ending.outcome.rawValue)), ("by", .string(ending.by)),
                    ("at", .string(ending.at.description)), ("reason", .string(ending.reason)),
                ])
            } ?? .null
        return .object([
            ("projectNo", .string(project.projectNo)), ("title", .string(project.title)),
            ("status", .string(project.status.rawValue)), ("category", .string(project.category.rawValue)),
            ("discipline", .string(project.discipline)), ("unitId", .string(project.unitId)),
            ("unitName", .optional(visibility.directory.unit(project.unitId)?.name)),
            ("leader", person(project.leader, ids: ids)),
            ("approvedOn", .string(project.approvedOn.description)),
            ("plannedEndDate", .string(project.plannedEndDate.description)),
            ("deliverableForm", .string(project.deliverableForm.rawValue)),
            ("members", .array(project.members.map { member($0, ids: ids) })),
            ("extensionCount", .int(project.extensionCount)), ("overdue", .bool(project.isOverdue(on: today))),
            ("closeoutUnderReview", .bool(project.closeoutUnderReview)),
            ("budget", budget(project.budget)),
            ("effectiveChangeRequests", .strings(project.effectiveChangeRequests)),
            ("grade", .optional(project.grade?.rawValue)), ("certificateNo", .optional(project.certificateNo)),
            ("endedByOffice", endedBy),
        ])
    }

    /// One row of `query projects`.
    static func projectSummary(_ project: ProjectSummary, today: CalendarDate) -> JSONValue {
        .object([
            ("projectNo", .string(project.projectNo)), ("title", .string(project.title)),
            ("status", .string(project.status.rawValue)), ("category", .string(project.category.rawValue)),
            ("unitId", .string(project.unitId)), ("plannedEndDate", .string(project.plannedEndDate.description)),
            ("overdue", .bool(project.isOverdue(on: today))),
        ])
    }

    // MARK: Items

    static func decisions(_ records: [ReviewRecord], showReviewers: Bool) -> JSONValue {
        .array(
            records.map { record in
                .object([
                    ("level", .string(record.level.rawValue)), ("decision", .string(record.decision.rawValue)),
                    ("opinion", .string(record.opinion)), ("by", showReviewers ? .string(record.by) : .null),
                    ("at", .string(record.at.description)),
                ])
            })
    }

    static func attachments(_ refs: [AttachmentRef]) -> JSONValue {
        .array(
            refs.map { ref in
                .object([
                    ("digest", .string(ref.digest)), ("filename", .string(ref.filename)),
                    ("mediaType", .string(ref.mediaType)), ("size", .int(ref.size)),
                    ("purpose", .string(ref.purpose.rawValue)), ("attachedAt", .string(ref.attachedAt.description)),
                ])
            })
    }

    static func details(_ details: ChangeDetails, ids: IdReader) -> JSONValue {
        switch details {
        case .extension(let newEndDate, let progress, let plan):
            return .object([
                ("newEndDate", .string(newEndDate.description)), ("progress", .string(progress)),
                ("plan", .string(plan)),
            ])
        case .changeLeader(let newLeader):
            return .object([("newLeader", person(newLeader, ids: ids))])
        case .changeUnit(let newUnitId):
            return .object([("newUnitId", .string(newUnitId))])
        case .changeDeliverableForm(let newForm):
            return .object([("newForm", .string(newForm.rawValue))])
        case .changeTitle(let newTitle):
            return .object([("newTitle", .string(newTitle))])
        case .changeMembers(let add, let remove):
            return .object([
                ("add", .array(add.map { member($0, ids: ids) })),
                ("remove", .strings(remove.map { ids.show($0) })),
            ])
        case .majorContentAdjustment(let original, let adjusted, let impact):
            return .object([
                ("original", .string(original)), ("adjusted", .string(adjusted)), ("impact", .string(impact)),
            ])
        case .selfTermination(let reason, let fundsUsed):
            return .object([("reason", .string(reason)), ("fundsUsed", .int(fundsUsed))])
        case .withdrawal(let reason, let fundsReceived):
            return .object([("reason", .string(reason)), ("fundsReceived", .int(fundsReceived))])
        }
    }

    /// `query change ID`.
    static func change(_ request: ChangeRequest, project: Project?, visibility: Visibility) -> JSONValue {
        let ids = IdReader(visibility: visibility, unitId: project?.unitId ?? "")
        let showReviewers = project.map(visibility.seesFullIdNumbers(of:)) ?? true
        return .object([
            ("requestId", .string(request.id)), ("projectNo", .string(request.projectNo)),
            ("kind", .string(request.kind.rawValue)), ("status", .string(request.status.rawValue)),
            ("awaiting", .optional(request.awaiting?.rawValue)), ("details", details(request.details, ids: ids)),
            ("reason", .string(request.reason)),
            ("decisions", decisions(request.decisions, showReviewers: showReviewers)),
            (
                "changes",
                .array(
                    request.changes.map {
                        .object([
                            ("field", .string($0.field)),
                            ("before", .string(PersonalData.redactingErased($0.before))),
                            ("after", .string(PersonalData.redactingErased($0.after))),
                        ])
                    })
            ),
            ("filed", .bool(request.filed)), ("attachments", attachments(request.attachments)),
            ("createdAt", .string(request.createdAt.description)),
            ("submittedAt", .optional(request.submittedAt?.description)),
            ("effectiveAt", .optional(request.effectiveAt?.description)),
            ("closedReason", .optional(request.closedReason)),
        ])
    }

    /// One row of `query changes`.
    static func changeSummary(_ request: ChangeRequest) -> JSONValue {
        .object([
            ("requestId", .string(request.id)), ("projectNo", .string(request.projectNo)),
            ("kind", .string(request.kind.rawValue)), ("status", .string(request.status.rawValue)),
            ("awaiting", .optional(request.awaiting?.rawValue)),
        ])
    }

    /// `query closeout ID`; expert identities only for viewers who may know them (R-CLO-5).
    static func closeout(_ closeout: Closeout, project: Project?, visibility: Visibility) -> JSONValue {
        let showExperts = project.map(visibility.seesExperts(of:)) ?? visibility.isOperator
        let showReviewers = project.map(visibility.seesFullIdNumbers(of:)) ?? true
        var pairs: [(String, JSONValue)] = [
            ("closeoutId", .string(closeout.id)), ("projectNo", .string(closeout.projectNo)),
            ("status", .string(closeout.status.rawValue)), ("awaiting", .optional(closeout.awaiting?.rawValue)),
            ("appraisalMode", .optional(closeout.appraisalMode?.rawValue)),
            ("missingSections", .strings(closeout.missingSections.map(\.rawValue))),
            ("grade", .optional(closeout.grade?.rawValue)), ("certificateNo", .optional(closeout.certificateNo)),
            ("decisions", decisions(closeout.decisions, showReviewers: showReviewers)),
            // Recorded in the closeout when it is concluded (R-CLO-8); until then, the project's list.
            (
                "approvedChangeRequests",
                .strings(
                    closeout.approvedChangeRequests.isEmpty && closeout.status != .completed
                        ? project?.effectiveChangeRequests ?? [] : closeout.approvedChangeRequests)
            ),
            ("attachments", attachments(closeout.attachments)),
            ("revisionNotesRequired", .bool(closeout.revisionNotesRequired)),
            ("appraisalsSubmitted", .int(closeout.appraisals.count)),
        ]
        if showExperts {
            pairs.append(("experts", .strings(closeout.experts)))
            pairs.append(
                (
                    "appraisals",
                    .array(
                        closeout.appraisals.map {
                            .object([
                                ("expertId", .string($0.expertId)), ("grade", .string($0.grade.rawValue)),
                                ("comments", .string($0.comments)), ("at", .string($0.at.description)),
                            ])
                        })
                ))
        }
        pairs.append(("closedReason", .optional(closeout.closedReason)))
        return .object(pairs)
    }

    /// `query adjustment ID`.
    static func adjustment(_ adjustment: BudgetAdjustment, project: Project?, visibility: Visibility) -> JSONValue {
        let showReviewers = project.map(visibility.seesFullIdNumbers(of:)) ?? true
        let proposed = adjustment.proposed
        return .object([
            ("adjustmentId", .string(adjustment.id)), ("projectNo", .string(adjustment.projectNo)),
            ("status", .string(adjustment.status.rawValue)), ("awaiting", .optional(adjustment.awaiting?.rawValue)),
            ("needsNational", .bool(adjustment.needsNational)),
            ("direct", .object(proposed.direct.keys.sorted().map { ($0, .int(proposed.direct[$0] ?? 0)) })),
            ("indirect", .int(proposed.indirect)), ("total", .int(proposed.total)),
            ("external", .array(proposed.external.map(external))), ("reason", .string(adjustment.reason)),
            ("decisions", decisions(adjustment.decisions, showReviewers: showReviewers)),
            ("filed", .bool(adjustment.filed)), ("attachments", attachments(adjustment.attachments)),
            ("closedReason", .optional(adjustment.closedReason)),
        ])
    }

    /// `query account ID`.
    static func account(
        _ account: Account, credential: Credential?, now: Timestamp
    ) -> JSONValue {
        // Only the account itself and admins in scope see an account at all (``Visibility/sees(_:)``),
        // so its ID number shows in full.
        .object([
            ("accountId", .string(account.id)), ("role", .string(account.role.rawValue)),
            ("status", .string(account.status.rawValue)), ("profileComplete", .bool(account.profileComplete)),
            ("locked", .bool(credential?.isLocked(at: now) ?? false)), ("name", .string(account.name)),
            ("username", .string(account.username)), ("unitId", .optional(account.unitId)),
            ("provinceId", .optional(account.provinceId)),
            ("idNumber", .optional(account.idNumber)),
        ])
    }
}
