internal import GrantWorkflow

/// The scenarios: each writes the commands of one project's year, from its leader's registration
/// to the outcome, at plausible office-hour times. A scenario that runs past 31 December simply
/// stops there (its item stays in progress).
extension DemoBuilder {
    static let unitLevelKinds: Set<ChangeKind> = [.changeMembers, .selfTermination, .withdrawal]
    /// The ordinary review chain, unit to national.
    static let reviewChain: [ReviewLevel] = [.unit, .province, .national]

    /// The levels a request of `kind` climbs to its final one: a change of unit also waits for the
    /// receiving unit after the current one (R-CHG-6).
    static func levels(_ kind: ChangeKind) -> [ReviewLevel] {
        if unitLevelKinds.contains(kind) { return [.unit] }
        return kind == .changeUnit ? [.unit, .receivingUnit, .province, .national] : reviewChain
    }

    /// The admin of the unit a project moves to.
    func receivingAdmin(_ after: DemoProject) -> String { "UA-" + units[after.unit].id }

    func unitAdmin(_ project: DemoProject) -> String { "UA-" + units[project.unit].id }
    func provinceOffice(_ project: DemoProject) -> String {
        "PO-" + DemoData.provinces[units[project.unit].province].id
    }
    static func leaderId(_ project: DemoProject) -> String { "L-" + project.projectNo }

    func reviewer(_ level: ReviewLevel, _ project: DemoProject) -> String {
        switch level {
        case .unit, .receivingUnit: return unitAdmin(project)
        case .province: return provinceOffice(project)
        case .national: return Self.national
        }
    }

    static func reviewDays(_ level: ReviewLevel) -> ClosedRange<Int> {
        switch level {
        case .unit, .receivingUnit: return 1...6
        case .province: return 2...10
        case .national: return 4...18
        }
    }

    mutating func opinion(_ decision: ReviewDecision) -> String {
        switch decision {
        case .approve: return random.pick(DemoData.approveOpinions)
        case .return: return random.pick(DemoData.returnOpinions)
        case .reject: return random.pick(DemoData.rejectOpinions)
        case .notAccept: return random.pick(DemoData.notAcceptOpinions)
        }
    }

    /// A name alone (for avoided experts outside the demo's accounts).
    mutating func name() -> String {
        random.pick(DemoData.surnames).0 + random.pick(random.chance(60) ? DemoData.maleGiven : DemoData.femaleGiven)
            + random.pick(DemoData.maleGiven)
    }

    // MARK: Dispatch

    /// Writes one project's scenario: its leader's registration, then the workflow.
    mutating func run(_ scenario: DemoScenario, _ project: inout DemoProject) {
        inventory.scenarios[scenario.name, default: 0] += 1
        let start = project.start ?? Self.date(3, 3)
        begin(on: start.adding(days: -random.int(in: 12...20)))
        let leader = Self.leaderId(project)
        let area = DemoData.disciplines[project.discipline].name
        let phone: String
        if scenario == .registrationResubmitted {
            phone = registerPerson(
                accountId: leader, role: "leader", person: project.leader, unit: project.unit, researchArea: area,
                idNumber: mistyped(project.leader), rejectFirst: true)
        } else {
            phone = registerPerson(
                accountId: leader, role: "leader", person: project.leader, unit: project.unit, researchArea: area)
        }
        let startTime = officeTime(Self.workday(onOrAfter: start))
        if startTime > now { now = startTime } else { wait(days: 1...3) }
        switch scenario {
        case .changeApproved(let kind):
            if kind == .selfTermination, project.covering || random.chance(30) {
                // An adjustment still in draft when the project ends is closed with it (R-CHG-8).
                draftAdjustment(project, id: nextId("BA"), national: false)
                wait(days: 3...20)
            }
            if kind == .withdrawal, project.covering || random.chance(30) {
                // So are a request in draft and a closeout in draft.
                _ = draftChange(project, .changeDeliverableForm)
                wait(days: 1...10)
                _ = openCloseout(project)
                wait(days: 3...20)
            }
            changeFlow(kind, &project)
        case .changeDecided(let level, let decision):
            changeDecided(level, decision, &project)
        case .changeRecalled:
            let kind = project.changeKind ?? .changeTitle
            let (id, _) = draftChange(project, kind)
            pause(minutes: 20...300)
            submitChange(id, project)
            pause(minutes: 30...600)
            emit("recallChangeRequest", by: leader, [("requestId", .string(id))])
            wait(days: 1...5)
            let after = editChange(id, project, kind)
            pause(minutes: 10...120)
            submitChange(id, project)
            approveChange(id, kind, &project, after: after)
        case .changeCancelled:
            let (id, _) = draftChange(project, project.changeKind ?? .changeTitle)
            wait(days: 1...10)
            emit("cancelChangeRequest", by: leader, [("requestId", .string(id))])
        case .changeDuplicate:
            let (id, after) = draftChange(project, .extension)
            wait(days: 1...5)
            _ = draftChange(project, .extension, expect: "duplicatePendingChange")
            pause(minutes: 10...60)
            submitChange(id, project)
            approveChange(id, .extension, &project, after: after)
        case .extensionTwice:
            changeFlow(.extension, &project)
            wait(days: 5...20)
            changeFlow(.extension, &project)
            wait(days: 5...20)
            _ = draftChange(project, .extension, capped: false, expect: "extensionLimitReached")
            if !halted { highlights.extendedProjectNo = project.projectNo }
        case .changeAwaiting(let level):
            let kind = project.changeKind ?? .changeTitle
            let (id, moved) = draftChange(project, kind)
            let receiver = receivingAdmin(moved)
            pause(minutes: 20...300)
            submitChange(id, project)
            for earlier in Self.levels(kind) where earlier < level {
                reviewChange(id, earlier, .approve, project, days: 1...3, by: receiver)
            }
        case .changeDraft:
            _ = draftChange(project, project.changeKind ?? .changeTitle)
        case .closeoutCompleted, .closeoutGradeOverridden, .closeoutDeferredThenCompleted, .closeoutDeferred,
            .closeoutExempt, .closeoutDecided, .closeoutRecalled, .closeoutWithoutLedger, .closeoutAwaiting:
            closeout(scenario, &project)
        case .adjustmentUnitRoute, .adjustmentNationalRoute, .adjustmentDecided, .adjustmentRecalled,
            .adjustmentCancelled, .adjustmentAwaiting:
            adjustment(scenario, &project)
        case .endedByOffice:
            // The leader drafts a change and goes quiet; the office's clean-up ends the project.
            _ = draftChange(project, project.changeKind ?? .changeTitle)
            wait(days: 30...60)
            let outcome = random.pick(["terminated", "withdrawn"])
            emit(
                "endProject", by: Self.national,
                [
                    ("projectNo", .string(project.projectNo)), ("outcome", .string(outcome)),
                    (
                        "reason",
                        .string(
                            random.pick(
                                outcome == "terminated"
                                    ? DemoData.officeTerminationReasons : DemoData.officeWithdrawalReasons))
                    ),
                ])
            if !halted { highlights.officeEndedProjectNo = project.projectNo }
        case .lockout:
            wait(days: 1...5)
            for _ in 0..<5 {
                emit(
                    "login", by: nil,
                    [("role", .string("leader")), ("username", .string(phone)), ("password", .string("Nssf2024demo"))],
                    expect: "invalidCredentials")
                pause(minutes: 1...2)
            }
            pause(minutes: 1...4)
            emit(
                "login", by: nil,
                [("role", .string("leader")), ("username", .string(phone)), ("password", .string(DemoPlan.password))],
                expect: "accountLocked")
            pause(minutes: 20...40)
            emit(
                "login", by: nil,
                [("role", .string("leader")), ("username", .string(phone)), ("password", .string(DemoPlan.password))])
            if !halted { highlights.lockedAccountId = leader }
            wait(days: 2...10)
            adjustment(.adjustmentUnitRoute, &project)
        case .passwordReset:
            wait(days: 1...5)
            emit("requestPasswordReset", by: nil, [("role", .string("leader")), ("username", .string(phone))])
            pause(minutes: 3...10)
            emitReset(accountId: leader, newPassword: "Nssf2025reset")
            pause(minutes: 1...3)
            emit(
                "login", by: nil,
                [("role", .string("leader")), ("username", .string(phone)), ("password", .string("Nssf2025reset"))])
            pause(minutes: 10...60)
            // Nobody holds this number: the answer is the same, and nothing is sent (R-ACC-7).
            emit("requestPasswordReset", by: nil, [("role", .string("leader")), ("username", .string(self.phone()))])
            wait(days: 2...10)
            changeFlow(project.changeKind ?? .changeMembers, &project)
        case .registrationResubmitted:
            changeFlow(project.changeKind ?? .changeDeliverableForm, &project)
        case .leaderIdNumberFixed:
            emit(
                "setLeaderIdNumber", by: unitAdmin(project),
                [
                    ("projectNo", .string(project.projectNo)), ("idType", .string("residentId")),
                    ("idNumber", .string(project.leader.idNumber)),
                ])
            wait(days: 1...5)
            changeFlow(project.changeKind ?? .changeTitle, &project)
        case .accountDisabled:
            wait(days: 1...5)
            emit(
                "setAccountEnabled", by: unitAdmin(project),
                [("accountId", .string(leader)), ("enabled", .bool(false))])
            wait(days: 3...10)
            emit(
                "setAccountEnabled", by: unitAdmin(project),
                [("accountId", .string(leader)), ("enabled", .bool(true))])
            wait(days: 1...5)
            adjustment(.adjustmentUnitRoute, &project)
        }
    }

    // MARK: Change requests

    /// Drafted, submitted and approved at every level the kind needs.
    mutating func changeFlow(_ kind: ChangeKind, _ project: inout DemoProject) {
        let (id, after) = draftChange(project, kind)
        if random.chance(30) {
            pause(minutes: 5...60)
            emit(
                "attachFile", by: Self.leaderId(project),
                Self.attachment(
                    "requestId", id, purpose: "other", filename: "单位意见.pdf",
                    text: "\(units[project.unit].name)关于\(project.projectNo)\(kind.label(.zh))的意见：同意。"))
        }
        pause(minutes: 10...600)
        submitChange(id, project)
        approveChange(id, kind, &project, after: after)
    }

    mutating func changeDecided(_ level: ReviewLevel, _ decision: ReviewDecision, _ project: inout DemoProject) {
        let kind = project.changeKind ?? .changeTitle
        let (id, moved) = draftChange(project, kind)
        pause(minutes: 10...600)
        submitChange(id, project)
        for earlier in Self.levels(kind) where earlier < level {
            reviewChange(id, earlier, .approve, project, by: receivingAdmin(moved))
        }
        reviewChange(id, level, decision, project)
        switch decision {
        case .return:
            wait(days: 2...10)
            let after = editChange(id, project, kind)
            pause(minutes: 10...120)
            submitChange(id, project)
            approveChange(id, kind, &project, after: after)
        case .reject:
            wait(days: 1...7)
            emit("cancelChangeRequest", by: Self.leaderId(project), [("requestId", .string(id))])
        case .approve, .notAccept:
            break
        }
    }

    mutating func draftChange(
        _ project: DemoProject, _ kind: ChangeKind, capped: Bool = true, expect: String? = nil
    ) -> (id: String, after: DemoProject) {
        let id = nextId("CR")
        let draft = changeDetails(project, kind, capped: capped)
        emit(
            "draftChangeRequest", by: Self.leaderId(project),
            [
                ("requestId", .string(id)), ("projectNo", .string(project.projectNo)), ("kind", .string(kind.rawValue)),
                ("details", draft.details), ("reason", .string(draft.reason)),
            ], expect: expect)
        return (id, draft.after)
    }

    mutating func editChange(_ id: String, _ project: DemoProject, _ kind: ChangeKind) -> DemoProject {
        let draft = changeDetails(project, kind, capped: true)
        emit(
            "editChangeRequest", by: Self.leaderId(project),
            [
                ("requestId", .string(id)), ("details", draft.details),
                ("reason", .string("已按审核意见补充说明。" + draft.reason)),
            ])
        return draft.after
    }

    mutating func submitChange(_ id: String, _ project: DemoProject) {
        emit("submitChangeRequest", by: Self.leaderId(project), [("requestId", .string(id))])
    }

    mutating func reviewChange(
        _ id: String, _ level: ReviewLevel, _ decision: ReviewDecision, _ project: DemoProject,
        days: ClosedRange<Int>? = nil, by receiver: String? = nil
    ) {
        wait(days: days ?? Self.reviewDays(level))
        emit(
            "reviewChangeRequest",
            by: level == .receivingUnit ? receiver ?? reviewer(level, project) : reviewer(level, project),
            [
                ("requestId", .string(id)), ("decision", .string(decision.rawValue)),
                ("opinion", .string(opinion(decision))),
            ])
    }

    /// Approvals from the unit up to the kind's final level; the project takes the change (R-CHG-7).
    mutating func approveChange(_ id: String, _ kind: ChangeKind, _ project: inout DemoProject, after: DemoProject) {
        let levels = Self.levels(kind)
        for level in levels { reviewChange(id, level, .approve, project, by: receivingAdmin(after)) }
        guard !halted else { return }
        project = after
        if kind == .changeUnit, highlights.receivingUnitRequestId.isEmpty { highlights.receivingUnitRequestId = id }
        if levels.count == 3, kind == .changeTitle, highlights.nationallyApprovedRequestId.isEmpty {
            highlights.nationallyApprovedRequestId = id
        }
    }

    /// The details and reason of a request of `kind`, and the project as it would be once effective.
    mutating func changeDetails(
        _ project: DemoProject, _ kind: ChangeKind, capped: Bool
    ) -> (details: DemoJSON, reason: String, after: DemoProject) {
        var after = project
        let discipline = DemoData.disciplines[project.discipline]
        switch kind {
        case .extension:
            let shifted = project.plannedEnd.adding(months: random.pick([6, 12]))
            var newEnd = project.plannedEnd == Self.monthEnd(project.plannedEnd) ? Self.monthEnd(shifted) : shifted
            if capped, [.general, .youth, .western].contains(project.category) {
                newEnd = min(newEnd, project.approvedOn.adding(years: 5))
            }
            after.plannedEnd = newEnd
            after.extensions += 1
            let details = DemoJSON.object([
                ("newEndDate", .string(newEnd.description)),
                (
                    "progress",
                    .string("已完成研究计划的\(random.int(in: 55...85))%，形成阶段性成果\(random.int(in: 2...6))项，书稿主体部分已完成初稿。")
                ),
                ("plan", .string("延期期间将补充\(project.topic)相关资料，完成书稿修改与统稿，按期提交结项材料。")),
            ])
            return (details, random.pick(DemoData.extensionReasons), after)
        case .changeLeader:
            let successor = project.members.first?.person ?? person(region: "110108", born: 1970...1985)
            after.leader = successor
            return (
                .object([("newLeader", Self.personJSON(successor))]), random.pick(DemoData.leaderChangeReasons), after
            )
        case .changeUnit:
            let province = units[project.unit].province
            let nearby = units.indices.filter { units[$0].province == province && $0 != project.unit }
            let newUnit =
                !nearby.isEmpty && random.chance(60)
                ? random.pick(nearby) : random.pick(units.indices.filter { $0 != project.unit })
            after.unit = newUnit
            return (
                .object([("newUnitId", .string(units[newUnit].id))]), random.pick(DemoData.unitChangeReasons), after
            )
        case .changeDeliverableForm:
            let choices = [DeliverableForm.monograph, .researchReport, .papers, .database].filter { $0 != project.form }
            let newForm = random.pick(choices)
            after.form = newForm
            return (
                .object([("newForm", .string(newForm.rawValue))]),
                "根据研究进展，拟将最终成果形式由\(project.form.label(.zh))调整为\(newForm.label(.zh))。", after
            )
        case .changeTitle:
            let patterns = (discipline.humanities ? DemoData.humanitiesTitles : DemoData.socialTitles)
                .map { $0.replacingPercent(with: project.topic) }.filter { $0 != project.title }
            let newTitle = random.pick(patterns)
            after.title = newTitle
            return (.object([("newTitle", .string(newTitle))]), "为更准确反映研究内容和重点，拟调整项目名称。", after)
        case .changeMembers:
            let newcomer = person(region: random.pick(region(ofUnit: project.unit)), born: 1975...1998)
            var joining = DemoMember(
                person: newcomer,
                unitName: units[project.unit].name, title: "", role: "成员")
            joining.title = newcomer.title
            var pairs: [(String, DemoJSON)] = [("add", .array([Self.memberJSON(joining)]))]
            after.members.append(joining)
            if project.members.count >= 2, let leaving = project.members.last {
                pairs.append(("remove", .array([.string(leaving.person.idNumber)])))
                after.members.removeAll { $0.person.idNumber == leaving.person.idNumber }
            }
            return (.object(pairs), "课题组成员工作调动，无法继续参与研究，拟增补新成员。", after)
        case .majorContentAdjustment:
            let details = DemoJSON.object([
                ("original", .string("原计划以\(project.topic)的理论梳理为主，辅以少量案例。")),
                ("adjusted", .string("调整为理论梳理与实证研究并重，新增两章比较研究与案例分析。")),
                ("impact", .string("调整后研究目标不变，成果形式不变，研究周期可在计划期限内完成。")),
            ])
            return (details, "根据前期调研发现，原研究设计难以充分回应核心问题，需调整研究内容。", after)
        case .selfTermination:
            let reason = random.pick(DemoData.terminationReasons)
            let used = project.total * Int64(random.int(in: 20...60)) / 100 / 10_000 * 10_000
            return (.object([("reason", .string(reason)), ("fundsUsed", .int(used))]), reason, after)
        case .withdrawal:
            let reason = random.pick(DemoData.withdrawalReasons)
            let received = project.total / 2 / 10_000 * 10_000
            return (.object([("reason", .string(reason)), ("fundsReceived", .int(received))]), reason, after)
        }
    }

    // MARK: Closeouts

    mutating func closeout(_ scenario: DemoScenario, _ project: inout DemoProject) {
        let leader = Self.leaderId(project)
        switch scenario {
        case .closeoutCompleted(let grade):
            let (id, avoided) = openCloseout(project)
            finishCloseout(id, project, avoided: avoided, grades: Self.grades(around: grade))
            // The highlight: a general project when there is one (major numbers carry a shell-unfriendly `&`).
            if grade == .excellent, !halted, !highlightIsGeneral {
                highlights.completedProjectNo = project.projectNo
                highlightIsGeneral = project.category == .general
            }
        case .closeoutGradeOverridden:
            let (id, avoided) = openCloseout(project)
            finishCloseout(
                id, project, avoided: avoided, grades: [.good, .excellent, .good], grade: .excellent,
                reason: "成果已被有关部门采纳并获省部级奖励，经复核评定为优秀。")
        case .closeoutDeferredThenCompleted, .closeoutDeferred:
            let (id, avoided) = openCloseout(project)
            let first = finishCloseout(
                id, project, avoided: avoided, grades: [.fail, .pass, .fail], outcome: .deferred,
                reason: "请根据鉴定专家意见对成果作较大修改后重新提交。")
            guard scenario == .closeoutDeferredThenCompleted else { return }
            wait(days: 10...30)
            emit(
                "attachFile", by: leader,
                Self.attachment(
                    "closeoutId", id, purpose: "revisionNotes", filename: "修改说明.pdf",
                    text: "\(project.projectNo)结项成果修改说明：已按专家意见补充第三章论证并重写结论。"))
            finishCloseout(id, project, avoided: avoided, grades: [.pass, .good, .pass], exclude: Set(first))
        case .closeoutExempt:
            let (id, avoided) = openCloseout(project, exempt: true)
            finishCloseout(id, project, avoided: avoided, grades: [], grade: random.pick([.excellent, .good]))
        case .closeoutDecided(let level, let decision):
            let (id, avoided) = openCloseout(project)
            pause(minutes: 10...300)
            emit("submitCloseout", by: leader, [("closeoutId", .string(id))])
            if level == .province { reviewCloseout(id, .unit, .approve, project) }
            reviewCloseout(id, level, decision, project)
            wait(days: 5...20)
            saveSection(id, project, "interimOutputs", interimOutputs(project, count: random.int(in: 2...4)))
            finishCloseout(id, project, avoided: avoided, grades: Self.grades(around: random.pick([.good, .pass])))
        case .closeoutRecalled:
            let (id, avoided) = openCloseout(project)
            pause(minutes: 10...300)
            emit("submitCloseout", by: leader, [("closeoutId", .string(id))])
            pause(minutes: 30...900)
            emit("recallCloseout", by: leader, [("closeoutId", .string(id))])
            wait(days: 1...7)
            saveSection(id, project, "basicInfo", basicInfo(project, exempt: false))
            finishCloseout(id, project, avoided: avoided, grades: Self.grades(around: .good))
        case .closeoutWithoutLedger:
            let (id, avoided) = openCloseout(project, ledger: false)
            pause(minutes: 5...60)
            emit("submitCloseout", by: leader, [("closeoutId", .string(id))], expect: "ledgerAttachmentRequired")
            pause(minutes: 5...60)
            attachLedger(id, project)
            attachDeliverable(id, project)
            finishCloseout(id, project, avoided: avoided, grades: Self.grades(around: .good))
        case .closeoutAwaiting(let stage):
            let (id, avoided) = openCloseout(project)
            pause(minutes: 10...300)
            emit("submitCloseout", by: leader, [("closeoutId", .string(id))])
            guard stage != .unit else { return }
            reviewCloseout(id, .unit, .approve, project, days: 1...2)
            guard stage != .province else { return }
            reviewCloseout(id, .province, .approve, project, days: 1...2)
            let experts = chooseExperts(project, avoided: avoided, exclude: [])
            wait(days: 1...2)
            emit(
                "assignAppraisalExperts", by: organiser(project),
                [("closeoutId", .string(id)), ("experts", .strings(experts))])
            for expert in experts.prefix(stage == .appraisal ? 1 : 3) {
                wait(days: 1...3)
                submitAppraisal(id, expert: expert, grade: random.pick([.good, .pass]))
            }
        default:
            break
        }
    }

    /// Three expert grades whose median is `grade`.
    static func grades(around grade: Grade) -> [Grade] {
        switch grade {
        case .excellent: return [.excellent, .good, .excellent]
        case .good: return [.good, .excellent, .good]
        case .pass: return [.pass, .good, .pass]
        case .fail: return [.fail, .pass, .fail]
        }
    }

    func organiser(_ project: DemoProject) -> String {
        project.category == .major || project.category == .key ? Self.national : provinceOffice(project)
    }

    /// Opens a closeout and saves its five sections, with the ledger (and the proof when exempt).
    /// Returns its id and the experts the leader asked to avoid.
    mutating func openCloseout(
        _ project: DemoProject, exempt: Bool = false, ledger: Bool = true
    ) -> (id: String, avoided: Set<String>) {
        let id = nextId("CO")
        emit(
            "openCloseout", by: Self.leaderId(project),
            [("closeoutId", .string(id)), ("projectNo", .string(project.projectNo))])
        pause(minutes: 5...90)
        saveSection(id, project, "basicInfo", basicInfo(project, exempt: exempt))
        saveSection(id, project, "members", membersSection(project))
        saveSection(id, project, "interimOutputs", interimOutputs(project, count: random.int(in: 1...4)))
        saveSection(id, project, "finalAccounts", finalAccounts(project))
        let (avoidedSection, avoided) = avoidedExperts(project)
        saveSection(id, project, "avoidedExperts", avoidedSection)
        if ledger { attachLedger(id, project) }
        if ledger, !exempt { attachDeliverable(id, project) }
        if exempt {
            pause(minutes: 2...20)
            emit(
                "attachFile", by: Self.leaderId(project),
                Self.attachment(
                    "closeoutId", id, purpose: "exemptionProof", filename: "免于鉴定证明材料.pdf",
                    text: "\(project.projectNo)成果获奖证书及采纳证明复印件。"))
        }
        return (id, avoided)
    }

    /// The final deliverable (最终成果) an appraised closeout needs (R-CLO-2).
    mutating func attachDeliverable(_ id: String, _ project: DemoProject) {
        pause(minutes: 2...20)
        emit(
            "attachFile", by: Self.leaderId(project),
            Self.attachment(
                "closeoutId", id, purpose: "finalDeliverable", filename: "最终成果.pdf",
                text: "\(project.title)（最终成果，\(project.form.label(.zh))）"))
    }

    mutating func attachLedger(_ id: String, _ project: DemoProject) {
        pause(minutes: 2...30)
        emit(
            "attachFile", by: Self.leaderId(project),
            Self.attachment(
                "closeoutId", id, purpose: "ledger", filename: "经费明细账.pdf",
                text: "项目批准号 \(project.projectNo) 经费明细账（\(units[project.unit].name)财务处盖章）"))
    }

    mutating func saveSection(_ id: String, _ project: DemoProject, _ section: String, _ data: DemoJSON) {
        pause(minutes: 3...40)
        emit(
            "saveCloseoutSection", by: Self.leaderId(project),
            [("closeoutId", .string(id)), ("section", .string(section)), ("data", data)])
    }

    /// From submission to the national office's conclusion: unit, province, appraisal (none when
    /// exempt), conclusion. Returns the experts assigned.
    @discardableResult
    mutating func finishCloseout(
        _ id: String, _ project: DemoProject, avoided: Set<String>, grades: [Grade], exclude: Set<String> = [],
        outcome: CloseoutOutcome = .completed, grade: Grade? = nil, reason: String? = nil
    ) -> [String] {
        pause(minutes: 10...600)
        emit("submitCloseout", by: Self.leaderId(project), [("closeoutId", .string(id))])
        reviewCloseout(id, .unit, .approve, project)
        reviewCloseout(id, .province, .approve, project)
        var experts: [String] = []
        if !grades.isEmpty {
            experts = chooseExperts(project, avoided: avoided, exclude: exclude)
            wait(days: 2...8)
            emit(
                "assignAppraisalExperts", by: organiser(project),
                [("closeoutId", .string(id)), ("experts", .strings(experts))])
            for (expert, expertGrade) in zip(experts, grades) {
                wait(days: 3...12)
                submitAppraisal(id, expert: expert, grade: expertGrade)
            }
        }
        wait(days: 4...15)
        var fields: [(String, DemoJSON)] = [("closeoutId", .string(id)), ("outcome", .string(outcome.rawValue))]
        if let grade { fields.append(("grade", .string(grade.rawValue))) }
        if let reason { fields.append(("reason", .string(reason))) }
        if outcome == .completed {
            let number = (counters["certificate"] ?? 0) + 1
            counters["certificate"] = number
            fields.append(("certificateNo", .string("\(DemoPlan.year)" + Self.pad(number, 4))))
        }
        emit("concludeCloseout", by: Self.national, fields)
        return experts
    }

    mutating func reviewCloseout(
        _ id: String, _ level: ReviewLevel, _ decision: ReviewDecision, _ project: DemoProject,
        days: ClosedRange<Int>? = nil
    ) {
        wait(days: days ?? Self.reviewDays(level))
        emit(
            "reviewCloseout", by: reviewer(level, project),
            [
                ("closeoutId", .string(id)), ("decision", .string(decision.rawValue)),
                ("opinion", .string(opinion(decision))),
            ])
    }

    mutating func submitAppraisal(_ id: String, expert: String, grade: Grade) {
        emit(
            "submitAppraisal", by: expert,
            [
                ("closeoutId", .string(id)), ("grade", .string(grade.rawValue)),
                ("comments", .string(random.pick(DemoData.appraisalComments[grade] ?? ["同意结项"]))),
            ])
    }

    /// Three experts of the project's discipline from other units than the leader's, none avoided
    /// (R-CLO-5), preferring ones not in `exclude` (a fresh round after a deferral).
    mutating func chooseExperts(_ project: DemoProject, avoided: Set<String>, exclude: Set<String>) -> [String] {
        let eligible = experts[project.discipline].filter { $0.unit != project.unit && !avoided.contains($0.accountId) }
        let fresh = eligible.filter { !exclude.contains($0.accountId) }
        var chosen = random.sample(fresh.count >= 3 ? fresh : eligible, count: 3).map(\.accountId)
        if chosen.count < 3 {
            let others = experts.flatMap { $0 }.filter {
                $0.unit != project.unit && !avoided.contains($0.accountId) && !chosen.contains($0.accountId)
            }
            chosen += random.sample(others, count: 3 - chosen.count).map(\.accountId)
        }
        return chosen
    }

    mutating func basicInfo(_ project: DemoProject, exempt: Bool) -> DemoJSON {
        let keywords = random.sample(DemoData.disciplines[project.discipline].keywords, count: random.int(in: 3...4))
        var pairs: [(String, DemoJSON)] = [
            ("title", .string(project.title)), ("form", .string(project.form.rawValue)),
            ("wordCount", .int(random.int(in: 150...450) * 1_000)), ("keywords", .strings(keywords)),
            ("appraisalMode", .string(exempt ? "exempt" : "review")),
        ]
        if exempt {
            pairs.append(("exemptionGround", .string(random.pick(["award", "adopted"]))))
        }
        return .object(pairs)
    }

    mutating func membersSection(_ project: DemoProject) -> DemoJSON {
        .array(project.members.map { Self.memberJSON($0, contribution: random.pick(DemoData.contributions)) })
    }

    mutating func interimOutputs(_ project: DemoProject, count: Int) -> DemoJSON {
        let discipline = DemoData.disciplines[project.discipline]
        let first = project.approvedOn.adding(days: 180)
        let last = now.chinaDate.adding(days: -20)
        var outputs: [DemoJSON] = []
        for _ in 0..<count {
            let form = random.pick(["论文", "论文", "研究报告", "咨询报告"])
            let title = random.pick([
                "论\(project.topic)的若干问题", "\(project.topic)的新进展与新趋势", "\(project.topic)研究述评",
                "\(project.topic)的理论阐释", "关于\(project.topic)的调研报告",
            ])
            var authors = project.leader.name
            if let member = project.members.first, random.chance(50) { authors += "、" + member.person.name }
            let venue = form == "论文" ? "《" + random.pick(discipline.journals) + "》" : random.pick(["《成果要报》", "有关部门"])
            let date =
                first < last ? first.adding(days: random.int(in: 0...first.days(until: last))) : project.approvedOn
            outputs.append(
                .object([
                    ("title", .string(title)), ("form", .string(form)), ("authors", .string(authors)),
                    ("venue", .string(venue)), ("date", .string(date.description)),
                ]))
        }
        return .array(outputs)
    }

    /// Spent plus balance equals approved in every category; the totals are the project's budget (R-CLO-3).
    mutating func finalAccounts(_ project: DemoProject) -> DemoJSON {
        var direct: [(String, DemoJSON)] = []
        for (category, approved) in project.direct {
            let spent = approved * Int64(random.int(in: 85...100)) / 100
            direct.append(
                (
                    category,
                    .object([("approved", .int(approved)), ("spent", .int(spent)), ("balance", .int(approved - spent))])
                ))
        }
        return .object([
            ("direct", .object(direct)),
            (
                "indirect",
                .object([("approved", .int(project.indirect)), ("spent", .int(project.indirect)), ("balance", .int(0))])
            ),
        ])
    }

    /// Sometimes an expert of the discipline, sometimes someone outside the demo's accounts.
    mutating func avoidedExperts(_ project: DemoProject) -> (DemoJSON, Set<String>) {
        var entries: [DemoJSON] = []
        var avoided: Set<String> = []
        if random.chance(40) {
            let expert = random.pick(experts[project.discipline])
            avoided.insert(expert.accountId)
            entries.append(
                .object([
                    ("name", .string(expert.person.name)), ("unit", .string(units[expert.unit].name)),
                    ("reason", .string(random.pick(DemoData.avoidReasons))),
                ]))
        }
        if random.chance(30) {
            entries.append(
                .object([
                    ("name", .string(name())), ("unit", .string(random.pick(units).name)),
                    ("reason", .string(random.pick(DemoData.avoidReasons))),
                ]))
        }
        return (.array(entries), avoided)
    }

    // MARK: Budget adjustments

    mutating func adjustment(_ scenario: DemoScenario, _ project: inout DemoProject) {
        let leader = Self.leaderId(project)
        let id = nextId("BA")
        switch scenario {
        case .adjustmentUnitRoute:
            let after = draftAdjustment(project, id: id, national: false)
            pause(minutes: 10...600)
            emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            reviewAdjustment(id, .unit, .approve, project)
            if !halted { project = after }
        case .adjustmentNationalRoute:
            let after = draftAdjustment(project, id: id, national: true)
            pause(minutes: 10...600)
            emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            for level in Self.reviewChain { reviewAdjustment(id, level, .approve, project) }
            if !halted { project = after }
        case .adjustmentDecided(let level, let decision):
            draftAdjustment(project, id: id, national: level != .unit)
            pause(minutes: 10...600)
            emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            for earlier in Self.reviewChain where earlier < level {
                reviewAdjustment(id, earlier, .approve, project)
            }
            reviewAdjustment(id, level, decision, project)
            switch decision {
            case .return:
                wait(days: 2...10)
                let after = draftAdjustment(project, id: id, national: false, edit: true)
                pause(minutes: 10...120)
                emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
                reviewAdjustment(id, .unit, .approve, project)
                if !halted { project = after }
            case .reject:
                wait(days: 1...7)
                emit("cancelBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            case .approve, .notAccept:
                break
            }
        case .adjustmentRecalled:
            draftAdjustment(project, id: id, national: false)
            pause(minutes: 10...600)
            emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            pause(minutes: 30...600)
            emit("recallBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            wait(days: 1...5)
            let after = draftAdjustment(project, id: id, national: false, edit: true)
            pause(minutes: 10...120)
            emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            reviewAdjustment(id, .unit, .approve, project)
            if !halted { project = after }
        case .adjustmentCancelled:
            draftAdjustment(project, id: id, national: false)
            wait(days: 1...10)
            emit("cancelBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
        case .adjustmentAwaiting:
            draftAdjustment(project, id: id, national: true)
            pause(minutes: 10...600)
            emit("submitBudgetAdjustment", by: leader, [("adjustmentId", .string(id))])
            reviewAdjustment(id, .unit, .approve, project, days: 1...3)
            reviewAdjustment(id, .province, .approve, project, days: 1...3)
        default:
            break
        }
    }

    /// Drafts (or edits) an adjustment: a reallocation between direct categories (unit route), or
    /// a new external partner (national route, R-BUD-3). The indirect amount never moves (R-BUD-1).
    @discardableResult
    mutating func draftAdjustment(
        _ project: DemoProject, id: String, national: Bool, edit: Bool = false
    ) -> DemoProject {
        var after = project
        let reason: String
        if national {
            // A partner the budget does not have yet: one allocation per partner (R-BUD-2).
            let partner = random.pick(
                units.indices.filter { index in
                    index != project.unit && !project.external.contains { $0.creditCode == units[index].creditCode }
                })
            let amount = project.directTotal * Int64(random.int(in: 5...10)) / 100 / 100_000 * 100_000
            after.external.append(
                DemoExternal(
                    partner: units[partner].name, creditCode: units[partner].creditCode, amount: amount,
                    byCategory: [("business", amount)]))
            reason = "因研究需要与\(units[partner].name)开展合作，拟外拨部分业务费。"
        } else {
            let business = project.direct.first { $0.0 == "business" }?.1 ?? 0
            let moved = business * Int64(random.int(in: 5...12)) / 100 / 10_000 * 10_000
            let target = random.pick(["equipment", "labor"])
            after.direct = project.direct.map { category, amount in
                if category == "business" { return (category, amount - moved) }
                if category == target { return (category, amount + moved) }
                return (category, amount)
            }
            reason =
                target == "equipment"
                ? "因数据分析需要购置专用软件与存储设备，拟从业务费调剂至设备费。" : "因调研任务增加，需聘用临时调查人员，拟从业务费调剂至劳务费。"
        }
        emit(
            edit ? "editBudgetAdjustment" : "draftBudgetAdjustment", by: Self.leaderId(project),
            [
                ("adjustmentId", .string(id)), ("projectNo", .string(project.projectNo)),
                ("direct", Self.amounts(after.direct)), ("indirect", .int(project.indirect)),
                ("external", Self.externalJSON(after.external)),
                ("reason", .string(edit ? "已按审核意见修改。" + reason : reason)),
            ])
        return after
    }

    mutating func reviewAdjustment(
        _ id: String, _ level: ReviewLevel, _ decision: ReviewDecision, _ project: DemoProject,
        days: ClosedRange<Int>? = nil
    ) {
        wait(days: days ?? Self.reviewDays(level))
        emit(
            "reviewBudgetAdjustment", by: reviewer(level, project),
            [
                ("adjustmentId", .string(id)), ("decision", .string(decision.rawValue)),
                ("opinion", .string(opinion(decision))),
            ])
    }
}
