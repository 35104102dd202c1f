internal import GrantWorkflow

/// JSON written by hand for the values that dominate a replica's volume (`ProjectRegistered` is a
/// quarter of the demo's events and most of its JSON bytes; every project row has a budget;
/// `CloseoutSectionSaved` is the next most frequent event, its sections also each closeout row's), with
/// exactly the output of ``JSONTreeEncoder`` with sorted keys: members in UTF-8 key order, absent
/// optionals left out. `JSONTreeEncoderTests` compares both with `JSONEncoder` on every event of the
/// demo, so a field added to one of these types without its line here fails the tests.
enum DirectJSON {
    /// A string member value: erased personal fields (R-LOG-6) as the marker or null.
    static func string(_ text: String, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        if PersonalData.isErased(text) {
            switch erased {
            case .marker: out.append(contentsOf: #"{"erased":true}"#.utf8)
            case .null: out.append(contentsOf: "null".utf8)
            }
        } else {
            JSONValue.writeString(text, to: &out)
        }
    }

    /// `"key":` (after a comma unless it is the first member).
    static func key(_ key: StaticString, _ out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(contentsOf: "\":".utf8)
    }

    static func int<T: BinaryInteger>(_ value: T, _ out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    static func bool(_ value: Bool, _ out: inout [UInt8]) {
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `{"idNumber":…,"idType":…,"name":…`: the members a person and a project member share first.
    private static func identity(
        _ idNumber: String, _ idType: IdType, _ name: String, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("idNumber", &out, first: true)
        string(idNumber, &out, erased)
        key("idType", &out)
        string(idType.rawValue, &out, erased)
        key("name", &out)
        string(name, &out, erased)
    }

    static func person(_ person: Person, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        identity(person.idNumber, person.idType, person.name, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func member(_ member: Member, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        identity(member.idNumber, member.idType, member.name, &out, erased)
        key("role", &out)
        string(member.role, &out, erased)
        key("title", &out)
        string(member.title, &out, erased)
        key("unit", &out)
        string(member.unit, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func budget(_ budget: Budget, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("direct", &out, first: true)
        out.append(UInt8(ascii: "{"))
        var first = true
        for category in budget.direct.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(category, to: &out)
            out.append(UInt8(ascii: ":"))
            int(budget.direct[category] ?? 0, &out)
        }
        out.append(UInt8(ascii: "}"))
        key("external", &out)
        if budget.external.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            JSONTreeEncoder.write(budget.external, to: &out, erased: erased)
        }
        key("indirect", &out)
        int(budget.indirect, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func strings(_ values: [String], _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(value, &out, erased)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func project(_ project: Project, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("approvedOn", &out, first: true)
        string(project.approvedOn.description, &out, erased)
        key("budget", &out)
        budget(project.budget, &out, erased)
        key("category", &out)
        string(project.category.rawValue, &out, erased)
        if let certificateNo = project.certificateNo {
            key("certificateNo", &out)
            string(certificateNo, &out, erased)
        }
        key("closeoutUnderReview", &out)
        bool(project.closeoutUnderReview, &out)
        key("contentAdjustments", &out)
        if project.contentAdjustments.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            JSONTreeEncoder.write(project.contentAdjustments, to: &out, erased: erased)
        }
        key("deliverableForm", &out)
        string(project.deliverableForm.rawValue, &out, erased)
        key("discipline", &out)
        string(project.discipline, &out, erased)
        key("effectiveChangeRequests", &out)
        strings(project.effectiveChangeRequests, &out, erased)
        key("extensionCount", &out)
        int(project.extensionCount, &out)
        if let grade = project.grade {
            key("grade", &out)
            JSONTreeEncoder.write(grade, to: &out, erased: erased)
        }
        if let lastReminder = project.lastReminder {
            key("lastReminder", &out)
            JSONTreeEncoder.write(lastReminder, to: &out, erased: erased)
        }
        key("leader", &out)
        person(project.leader, &out, erased)
        key("members", &out)
        out.append(UInt8(ascii: "["))
        for (index, member) in project.members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            self.member(member, &out, erased)
        }
        out.append(UInt8(ascii: "]"))
        if let overdueListedFor = project.overdueListedFor {
            key("overdueListedFor", &out)
            string(overdueListedFor.description, &out, erased)
        }
        key("plannedEndDate", &out)
        string(project.plannedEndDate.description, &out, erased)
        key("projectNo", &out)
        string(project.projectNo, &out, erased)
        key("status", &out)
        string(project.status.rawValue, &out, erased)
        key("title", &out)
        string(project.title, &out, erased)
        key("unitId", &out)
        string(project.unitId, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func projectRegistered(
        _ event: ProjectRegistered, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(event.at.description, &out, erased)
        key("by", &out)
        string(event.by, &out, erased)
        key("project", &out)
        project(event.project, &out, erased)
        out.append(UInt8(ascii: "}"))
    }
}

// MARK: Closeout sections (the demo's second most frequent event, and the closeouts table's `sections`)

extension DirectJSON {
    static func closeoutSectionSaved(
        _ event: CloseoutSectionSaved, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(event.at.description, &out, erased)
        key("closeoutId", &out)
        string(event.closeoutId, &out, erased)
        key("data", &out)
        closeoutSectionData(event.data, &out, erased)
        key("projectNo", &out)
        string(event.projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    /// `{"data":…,"section":…}`, as `CloseoutSectionData.encode(to:)` writes it.
    static func closeoutSectionData(
        _ data: CloseoutSectionData, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("data", &out, first: true)
        switch data {
        case .basicInfo(let value): closeoutBasicInfo(value, &out, erased)
        case .members(let value): array(value, &out) { closeoutMember($0, &$1, erased) }
        case .interimOutputs(let value): array(value, &out) { interimOutput($0, &$1, erased) }
        case .finalAccounts(let value): finalAccounts(value, &out, erased)
        case .avoidedExperts(let value): array(value, &out) { avoidedExpert($0, &$1, erased) }
        }
        key("section", &out)
        string(data.section.rawValue, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func array<Element>(
        _ values: [Element], _ out: inout [UInt8], _ element: (Element, inout [UInt8]) -> Void
    ) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            element(value, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func closeoutBasicInfo(
        _ info: CloseoutBasicInfo, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("appraisalMode", &out, first: true)
        string(info.appraisalMode.rawValue, &out, erased)
        if let ground = info.exemptionGround {
            key("exemptionGround", &out)
            string(ground.rawValue, &out, erased)
        }
        key("form", &out)
        string(info.form.rawValue, &out, erased)
        key("keywords", &out)
        strings(info.keywords, &out, erased)
        key("title", &out)
        string(info.title, &out, erased)
        key("wordCount", &out)
        int(info.wordCount, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func closeoutMember(_ member: CloseoutMember, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("contribution", &out, first: true)
        string(member.contribution, &out, erased)
        key("member", &out)
        self.member(member.member, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func interimOutput(_ output: InterimOutput, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("authors", &out, first: true)
        string(output.authors, &out, erased)
        key("date", &out)
        string(output.date.description, &out, erased)
        key("form", &out)
        string(output.form, &out, erased)
        key("title", &out)
        string(output.title, &out, erased)
        key("venue", &out)
        string(output.venue, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func accountLine(_ line: AccountLine, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        key("approved", &out, first: true)
        int(line.approved, &out)
        key("balance", &out)
        int(line.balance, &out)
        key("spent", &out)
        int(line.spent, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func finalAccounts(_ accounts: FinalAccounts, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("direct", &out, first: true)
        out.append(UInt8(ascii: "{"))
        var first = true
        for category in accounts.direct.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(category, to: &out)
            out.append(UInt8(ascii: ":"))
            accountLine(accounts.direct[category]!, &out)
        }
        out.append(UInt8(ascii: "}"))
        key("indirect", &out)
        accountLine(accounts.indirect, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func avoidedExpert(_ expert: AvoidedExpert, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("name", &out, first: true)
        string(expert.name, &out, erased)
        key("reason", &out)
        string(expert.reason, &out, erased)
        key("unit", &out)
        string(expert.unit, &out, erased)
        out.append(UInt8(ascii: "}"))
    }
}

// MARK: The small, frequent events (reviews, steps, accounts, appraisals, reminders)

extension DirectJSON {
    /// The `data` of the events written by hand (keys sorted), or false when `event` is not one.
    static func eventData(_ event: DomainEvent, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) -> Bool {
        switch event {
        case .projectRegistered(let payload): projectRegistered(payload, &out, erased)
        case .closeoutSectionSaved(let payload): closeoutSectionSaved(payload, &out, erased)
        case .changeRequestReviewed(let payload), .closeoutReviewed(let payload),
            .budgetAdjustmentReviewed(let payload):
            itemReviewed(payload, &out, erased)
        case .changeRequestSubmitted(let payload), .changeRequestRecalled(let payload),
            .changeRequestCancelled(let payload), .closeoutSubmitted(let payload), .closeoutRecalled(let payload),
            .budgetAdjustmentRecalled(let payload), .budgetAdjustmentCancelled(let payload):
            itemStep(payload, &out, erased)
        case .registrationReviewed(let payload): registrationReviewed(payload, &out, erased)
        case .accountRegistered(let payload): accountRegistered(payload, &out, erased)
        case .appraisalSubmitted(let payload): appraisalSubmitted(payload, &out, erased)
        case .deadlineReminderSent(let payload): deadlineReminderSent(payload, &out, erased)
        case .closeoutOpened(let payload): closeoutOpened(payload, &out, erased)
        default: return false
        }
        return true
    }

    static func itemReviewed(_ event: ItemReviewed, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("itemId", &out, first: true)
        string(event.itemId, &out, erased)
        if let next = event.next {
            key("next", &out)
            string(next.rawValue, &out, erased)
        }
        key("projectNo", &out)
        string(event.projectNo, &out, erased)
        key("record", &out)
        reviewRecord(event.record, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func reviewRecord(_ record: ReviewRecord, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(record.at.description, &out, erased)
        key("by", &out)
        string(record.by, &out, erased)
        key("decision", &out)
        string(record.decision.rawValue, &out, erased)
        key("level", &out)
        string(record.level.rawValue, &out, erased)
        key("opinion", &out)
        string(record.opinion, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func itemStep(_ event: ItemStep, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        step(event.at, event.by, "itemId", event.itemId, event.projectNo, &out, erased)
    }

    /// `{"at":…,"by":…,"<idKey>":…,"projectNo":…}`: a step taken on an item (`idKey` sorts between
    /// `by` and `projectNo`).
    private static func step(
        _ at: Timestamp, _ by: String, _ idKey: StaticString, _ id: String, _ projectNo: String,
        _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(at.description, &out, erased)
        key("by", &out)
        string(by, &out, erased)
        key(idKey, &out)
        string(id, &out, erased)
        key("projectNo", &out)
        string(projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func registrationReviewed(
        _ event: RegistrationReviewed, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("accountId", &out, first: true)
        string(event.accountId, &out, erased)
        key("at", &out)
        string(event.at.description, &out, erased)
        key("by", &out)
        string(event.by, &out, erased)
        key("decision", &out)
        string(event.decision.rawValue, &out, erased)
        if let reason = event.reason {
            key("reason", &out)
            string(reason, &out, erased)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func accountRegistered(
        _ event: AccountRegistered, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("accountId", &out, first: true)
        string(event.accountId, &out, erased)
        key("at", &out)
        string(event.at.description, &out, erased)
        key("email", &out)
        string(event.email, &out, erased)
        key("idNumber", &out)
        string(event.idNumber, &out, erased)
        key("idType", &out)
        string(event.idType.rawValue, &out, erased)
        key("name", &out)
        string(event.name, &out, erased)
        key("role", &out)
        string(event.role.rawValue, &out, erased)
        key("unitId", &out)
        string(event.unitId, &out, erased)
        key("username", &out)
        string(event.username, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func appraisalSubmitted(
        _ event: AppraisalSubmitted, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("appraisal", &out, first: true)
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(event.appraisal.at.description, &out, erased)
        key("comments", &out)
        string(event.appraisal.comments, &out, erased)
        key("expertId", &out)
        string(event.appraisal.expertId, &out, erased)
        key("grade", &out)
        string(event.appraisal.grade.rawValue, &out, erased)
        out.append(UInt8(ascii: "}"))
        key("closeoutId", &out)
        string(event.closeoutId, &out, erased)
        key("projectNo", &out)
        string(event.projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func deadlineReminderSent(
        _ event: DeadlineReminderSent, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(event.at.description, &out, erased)
        key("daysBefore", &out)
        int(event.daysBefore, &out)
        key("plannedEndDate", &out)
        string(event.plannedEndDate.description, &out, erased)
        key("projectNo", &out)
        string(event.projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func closeoutOpened(_ event: CloseoutOpened, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        step(event.at, event.by, "closeoutId", event.closeoutId, event.projectNo, &out, erased)
    }
}
