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

    /// `"name":` and a string value (``string(_:_:_:)``), after a comma unless it is the first member.
    static func field(
        _ name: StaticString, _ text: String, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased,
        first: Bool = false
    ) {
        key(name, &out, first: first)
        string(text, &out, erased)
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
        field("idNumber", idNumber, &out, erased, first: true)
        field("idType", idType.rawValue, &out, erased)
        field("name", name, &out, erased)
    }

    static func person(_ person: Person, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        identity(person.idNumber, person.idType, person.name, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func member(_ member: Member, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        identity(member.idNumber, member.idType, member.name, &out, erased)
        field("role", member.role, &out, erased)
        field("title", member.title, &out, erased)
        field("unit", member.unit, &out, erased)
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
        field("approvedOn", project.approvedOn.description, &out, erased, first: true)
        key("budget", &out)
        budget(project.budget, &out, erased)
        field("category", project.category.rawValue, &out, erased)
        if let certificateNo = project.certificateNo {
            field("certificateNo", certificateNo, &out, erased)
        }
        key("closeoutUnderReview", &out)
        bool(project.closeoutUnderReview, &out)
        key("contentAdjustments", &out)
        if project.contentAdjustments.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            JSONTreeEncoder.write(project.contentAdjustments, to: &out, erased: erased)
        }
        field("deliverableForm", project.deliverableForm.rawValue, &out, erased)
        field("discipline", project.discipline, &out, erased)
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
            field("overdueListedFor", overdueListedFor.description, &out, erased)
        }
        field("plannedEndDate", project.plannedEndDate.description, &out, erased)
        field("projectNo", project.projectNo, &out, erased)
        field("status", project.status.rawValue, &out, erased)
        field("title", project.title, &out, erased)
        field("unitId", project.unitId, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func projectRegistered(
        _ event: ProjectRegistered, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        field("at", event.at.description, &out, erased, first: true)
        field("by", event.by, &out, erased)
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
        field("at", event.at.description, &out, erased, first: true)
        field("closeoutId", event.closeoutId, &out, erased)
        key("data", &out)
        closeoutSectionData(event.data, &out, erased)
        field("projectNo", event.projectNo, &out, erased)
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
        field("section", data.section.rawValue, &out, erased)
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
        field("appraisalMode", info.appraisalMode.rawValue, &out, erased, first: true)
        if let ground = info.exemptionGround {
            field("exemptionGround", ground.rawValue, &out, erased)
        }
        field("form", info.form.rawValue, &out, erased)
        key("keywords", &out)
        strings(info.keywords, &out, erased)
        field("title", info.title, &out, erased)
        key("wordCount", &out)
        int(info.wordCount, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func closeoutMember(_ member: CloseoutMember, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        field("contribution", member.contribution, &out, erased, first: true)
        key("member", &out)
        self.member(member.member, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func interimOutput(_ output: InterimOutput, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        field("authors", output.authors, &out, erased, first: true)
        field("date", output.date.description, &out, erased)
        field("form", output.form, &out, erased)
        field("title", output.title, &out, erased)
        field("venue", output.venue, &out, erased)
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
        field("name", expert.name, &out, erased, first: true)
        field("reason", expert.reason, &out, erased)
        field("unit", expert.unit, &out, erased)
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
        field("itemId", event.itemId, &out, erased, first: true)
        if let next = event.next {
            field("next", next.rawValue, &out, erased)
        }
        field("projectNo", event.projectNo, &out, erased)
        key("record", &out)
        reviewRecord(event.record, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func reviewRecord(_ record: ReviewRecord, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        field("at", record.at.description, &out, erased, first: true)
        field("by", record.by, &out, erased)
        field("decision", record.decision.rawValue, &out, erased)
        field("level", record.level.rawValue, &out, erased)
        field("opinion", record.opinion, &out, erased)
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
        field("at", at.description, &out, erased, first: true)
        field("by", by, &out, erased)
        key(idKey, &out)
        string(id, &out, erased)
        field("projectNo", projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func registrationReviewed(
        _ event: RegistrationReviewed, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        field("accountId", event.accountId, &out, erased, first: true)
        field("at", event.at.description, &out, erased)
        field("by", event.by, &out, erased)
        field("decision", event.decision.rawValue, &out, erased)
        if let reason = event.reason {
            field("reason", reason, &out, erased)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func accountRegistered(
        _ event: AccountRegistered, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        field("accountId", event.accountId, &out, erased, first: true)
        field("at", event.at.description, &out, erased)
        field("email", event.email, &out, erased)
        field("idNumber", event.idNumber, &out, erased)
        field("idType", event.idType.rawValue, &out, erased)
        field("name", event.name, &out, erased)
        field("role", event.role.rawValue, &out, erased)
        field("unitId", event.unitId, &out, erased)
        field("username", event.username, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func appraisalSubmitted(
        _ event: AppraisalSubmitted, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("appraisal", &out, first: true)
        out.append(UInt8(ascii: "{"))
        field("at", event.appraisal.at.description, &out, erased, first: true)
        field("comments", event.appraisal.comments, &out, erased)
        field("expertId", event.appraisal.expertId, &out, erased)
        field("grade", event.appraisal.grade.rawValue, &out, erased)
        out.append(UInt8(ascii: "}"))
        field("closeoutId", event.closeoutId, &out, erased)
        field("projectNo", event.projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func deadlineReminderSent(
        _ event: DeadlineReminderSent, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        field("at", event.at.description, &out, erased, first: true)
        key("daysBefore", &out)
        int(event.daysBefore, &out)
        field("plannedEndDate", event.plannedEndDate.description, &out, erased)
        field("projectNo", event.projectNo, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func closeoutOpened(_ event: CloseoutOpened, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        step(event.at, event.by, "closeoutId", event.closeoutId, event.projectNo, &out, erased)
    }
}
