/// Decodes one JSON command line (envelope and fields) with strict validation (docs/cli.md).
///
/// A line that is not UTF-8 or not JSON, a missing, wrongly typed, malformed or over-long field, an
/// unknown field, a fractional or out-of-range amount, details of two change kinds: each is an
/// `invalidInput` error naming the field. An unknown `type` is `unknownCommand`. Never crashes.
///
/// The input rules of docs/cli.md (rev. 2) hold for every string, nested ones and object keys included:
/// identifiers match `[A-Za-z0-9][A-Za-z0-9._&-]{0,63}`; text comes out in NFC; control characters
/// other than newline and tab, and bidi overrides and isolates, are refused; limits count Unicode
/// scalars and UTF-8 bytes. A decoded command is fully validated: nothing is hashed before this.
public enum CommandDecoder {
    /// Decodes a whole line (without its newline).
    public static func decode(line: [UInt8], limits: InputLimits = .standard) throws(WorkflowError) -> CommandEnvelope {
        guard line.count <= limits.maximumLineBytes else {
            throw WorkflowError.invalidInput("$", "line longer than \(limits.maximumLineBytes) bytes")
        }
        return try JSONTape.withTape(line) { tape throws(WorkflowError) in try decode(tape, limits: limits) }
    }

    /// Decodes a parsed line.
    static func decode(_ tape: JSONTape, limits: InputLimits) throws(WorkflowError) -> CommandEnvelope {
        var fields = try FieldReader.object(tape, JSONTape.root, path: "", limits: limits)
        let id = try fields.optionalIdentifier("id")
        let type = try fields.name("type")
        guard knownTypes.contains(type) else {
            throw WorkflowError(.unknownCommand, field: "type", "unknown command type '\(type)'")
        }
        let actor = try fields.optionalIdentifier("actor")
        let at = try fields.optionalTimestamp("at")
        let causationId = try fields.optionalName("causationId")
        let correlationId = try fields.optionalName("correlationId")
        let command = try decodeCommand(type, &fields)
        try fields.finish()
        if command.isAnonymous {
            if actor != nil, case .bootstrap = command {
                throw WorkflowError.invalidInput("actor", "bootstrap takes no actor")
            }
        } else if actor == nil {
            throw WorkflowError.invalidInput("actor", "is required for \(type)")
        }
        var envelope = CommandEnvelope(
            id: id, actor: actor, at: at, causationId: causationId, correlationId: correlationId,
            command: consume command)
        // Only an id is ever looked up by its fingerprint (R-LOG-3): the line pays for it then.
        if id != nil {
            let fingerprints = CommandEnvelope.fingerprints(ofLine: tape.value(JSONTape.root))
            envelope.lineFingerprint = fingerprints.full
            envelope.linePublicFingerprint = fingerprints.public
            if envelope.command.carriesSecret {
                envelope.lineLegacyFingerprint = CommandEnvelope.legacyFingerprint(ofLine: tape.value(JSONTape.root))
            }
        }
        envelope.checkedByDecoder = true
        return envelope
    }

    /// ``Command/typeNames`` as a set, looked up once per line.
    static let knownTypes = Set(Command.typeNames)

    /// Decodes a line given as a string.
    public static func decode(_ line: String, limits: InputLimits = .standard) throws(WorkflowError) -> CommandEnvelope
    {
        try decode(line: Array(line.utf8), limits: limits)
    }

    static func decodeCommand(_ type: String, _ f: inout FieldReader) throws(WorkflowError) -> Command {
        switch type {
        case "bootstrap":
            return .bootstrap(
                accountId: try f.optionalIdentifier("accountId"), username: try f.name("username"),
                password: try f.name("password"), name: try f.name("name"))
        case "createProvince":
            return .createProvince(provinceId: try f.identifier("provinceId"), name: try f.name("name"))
        case "createUnit":
            return .createUnit(
                unitId: try f.identifier("unitId"), name: try f.name("name"), provinceId: try f.identifier("provinceId")
            )
        case "createAdminAccount":
            let accountId = try f.optionalIdentifier("accountId")
            let role: Role = try f.choice("role")
            guard role == .provincialOffice || role == .unitAdmin else {
                throw WorkflowError.invalidInput("role", "must be provincialOffice or unitAdmin")
            }
            let provinceId = try f.optionalIdentifier("provinceId")
            let unitId = try f.optionalIdentifier("unitId")
            if role == .provincialOffice, provinceId == nil {
                throw WorkflowError.invalidInput("provinceId", "is required for a provincial office")
            }
            if role == .unitAdmin, unitId == nil {
                throw WorkflowError.invalidInput("unitId", "is required for a unit admin")
            }
            if role == .provincialOffice, unitId != nil {
                throw WorkflowError.invalidInput("unitId", "a provincial office has no unit")
            }
            if role == .unitAdmin, provinceId != nil {
                throw WorkflowError.invalidInput("provinceId", "a unit admin has a unit, not a province")
            }
            return .createAdminAccount(
                CreateAdminAccount(
                    accountId: accountId, role: role, provinceId: provinceId, unitId: unitId,
                    username: try f.name("username"), password: try f.name("password"), name: try f.name("name")))
        case "setAccountEnabled":
            return .setAccountEnabled(accountId: try f.identifier("accountId"), enabled: try f.bool("enabled"))
        case "registerProject":
            return .registerProject(try registerProject(&f))
        case "setLeaderIdNumber":
            return .setLeaderIdNumber(
                projectNo: try f.identifier("projectNo"), idType: try f.choice("idType"),
                idNumber: try f.name("idNumber"))
        case "registerAccount":
            let accountId = try f.optionalIdentifier("accountId")
            let role: Role = try f.choice("role")
            guard role == .leader || role == .expert else {
                throw WorkflowError.invalidInput("role", "must be leader or expert", rule: "R-ACC-1")
            }
            return .registerAccount(
                RegisterAccount(
                    accountId: accountId, role: role, username: try f.name("username"), email: try f.name("email"),
                    name: try f.name("name"), idType: try f.choice("idType"), idNumber: try f.name("idNumber"),
                    unitId: try f.identifier("unitId"), password: try f.name("password"),
                    agreedToTerms: try f.bool("agreedToTerms")))
        case "resubmitRegistration":
            return .resubmitRegistration(
                ResubmitRegistration(
                    accountId: try f.identifier("accountId"), password: try f.name("password"),
                    username: try f.optionalName("username"), email: try f.optionalName("email"),
                    name: try f.optionalName("name"), idType: try f.optionalChoice("idType"),
                    idNumber: try f.optionalName("idNumber"), unitId: try f.optionalIdentifier("unitId")))
        case "reviewRegistration":
            return .reviewRegistration(
                accountId: try f.identifier("accountId"), decision: try f.choice("decision"),
                reason: try f.optionalText("reason"))
        case "login":
            return .login(
                role: try f.choice("role"), username: try f.name("username"), password: try f.name("password"))
        case "requestPasswordReset":
            return .requestPasswordReset(role: try f.choice("role"), username: try f.name("username"))
        case "resetPassword":
            return .resetPassword(token: try f.name("token"), newPassword: try f.name("newPassword"))
        case "completeProfile":
            var profile = try f.object("profile")
            return .completeProfile(try Self.profile(&profile))
        case "draftChangeRequest":
            let requestId = try f.optionalIdentifier("requestId")
            let projectNo = try f.identifier("projectNo")
            let kind = try changeKind(&f)
            var details = try f.object("details")
            let decoded = try changeDetails(&details, kind: kind)
            return .draftChangeRequest(
                requestId: requestId, projectNo: projectNo, details: decoded, reason: try f.text("reason"))
        case "editChangeRequest":
            let requestId = try f.identifier("requestId")
            var details = try f.object("details")
            let decoded = try changeDetails(&details, kind: nil)
            return .editChangeRequest(requestId: requestId, details: decoded, reason: try f.text("reason"))
        case "submitChangeRequest":
            return .submitChangeRequest(requestId: try f.identifier("requestId"))
        case "recallChangeRequest":
            return .recallChangeRequest(requestId: try f.identifier("requestId"))
        case "cancelChangeRequest":
            return .cancelChangeRequest(requestId: try f.identifier("requestId"))
        case "reviewChangeRequest":
            return .reviewChangeRequest(
                requestId: try f.identifier("requestId"), decision: try f.choice("decision"),
                opinion: try f.optionalText("opinion") ?? "")
        case "openCloseout":
            return .openCloseout(
                closeoutId: try f.optionalIdentifier("closeoutId"), projectNo: try f.identifier("projectNo"))
        case "saveCloseoutSection":
            let closeoutId = try f.identifier("closeoutId")
            let section: CloseoutSection = try f.choice("section")
            return .saveCloseoutSection(closeoutId: closeoutId, data: try sectionData(section, &f))
        case "attachFile":
            return .attachFile(try attachFile(&f))
        case "submitCloseout":
            return .submitCloseout(closeoutId: try f.identifier("closeoutId"))
        case "recallCloseout":
            return .recallCloseout(closeoutId: try f.identifier("closeoutId"))
        case "reviewCloseout":
            return .reviewCloseout(
                closeoutId: try f.identifier("closeoutId"), decision: try f.choice("decision"),
                opinion: try f.optionalText("opinion") ?? "")
        case "assignAppraisalExperts":
            return .assignAppraisalExperts(
                closeoutId: try f.identifier("closeoutId"), experts: try f.identifiers("experts"))
        case "submitAppraisal":
            return .submitAppraisal(
                closeoutId: try f.identifier("closeoutId"), grade: try f.choice("grade"),
                comments: try f.text("comments"))
        case "concludeCloseout":
            let closeoutId = try f.identifier("closeoutId")
            let outcome: CloseoutOutcome = try f.choice("outcome")
            return .concludeCloseout(
                closeoutId: closeoutId, outcome: outcome, grade: try f.optionalChoice("grade"),
                reason: try f.optionalText("reason"), certificateNo: try f.optionalName("certificateNo"))
        case "draftBudgetAdjustment":
            return .draftBudgetAdjustment(try budgetAdjustment(&f, idRequired: false))
        case "editBudgetAdjustment":
            return .editBudgetAdjustment(try budgetAdjustment(&f, idRequired: true))
        case "submitBudgetAdjustment":
            return .submitBudgetAdjustment(adjustmentId: try f.identifier("adjustmentId"))
        case "recallBudgetAdjustment":
            return .recallBudgetAdjustment(adjustmentId: try f.identifier("adjustmentId"))
        case "cancelBudgetAdjustment":
            return .cancelBudgetAdjustment(adjustmentId: try f.identifier("adjustmentId"))
        case "reviewBudgetAdjustment":
            return .reviewBudgetAdjustment(
                adjustmentId: try f.identifier("adjustmentId"), decision: try f.choice("decision"),
                opinion: try f.optionalText("opinion") ?? "")
        case "runDeadlineSweep":
            return .runDeadlineSweep
        case "endProject":
            return .endProject(
                projectNo: try f.name("projectNo"), outcome: try f.choice("outcome"), reason: try f.text("reason"))
        case "eraseSubject":
            let target: SubjectTarget
            if f.has("accountId") {
                if f.has("idType") || f.has("idNumber") {
                    throw WorkflowError.invalidInput("accountId", "give accountId, or idType and idNumber, not both")
                }
                target = .account(try f.identifier("accountId"))
            } else {
                target = .person(idType: try f.choice("idType"), idNumber: try f.name("idNumber"))
            }
            return .eraseSubject(target: target, reason: try f.text("reason"))
        default:
            throw WorkflowError(.unknownCommand, field: "type", "unknown command type '\(type)'")
        }
    }

    // MARK: shapes

    static func person(_ f: inout FieldReader) throws(WorkflowError) -> Person {
        let person = Person(name: try f.name("name"), idType: try f.choice("idType"), idNumber: try f.name("idNumber"))
        try f.finish()
        return person
    }

    static func member(_ f: inout FieldReader, contribution: Bool = false) throws(WorkflowError) -> Member {
        let member = Member(
            name: try f.name("name"), idType: try f.choice("idType"), idNumber: try f.name("idNumber"),
            unit: try f.name("unit"), title: try f.optionalName("title") ?? "", role: try f.optionalName("role") ?? "")
        if !contribution { try f.finish() }
        return member
    }

    static func members(_ f: inout FieldReader, _ key: StaticString) throws(WorkflowError) -> [Member] {
        let items = try f.array(key)
        var result: [Member] = []
        result.reserveCapacity(f.tape.count(items))
        var item = items + 1
        for index in 0..<f.tape.count(items) {
            var reader = try FieldReader.object(f.tape, item, path: f.fieldName(key), element: index, limits: f.limits)
            result.append(try member(&reader))
            item = f.tape.next(item)
        }
        return result
    }

    static func externalAllocations(
        _ f: inout FieldReader, _ key: StaticString
    ) throws(WorkflowError) -> [ExternalAllocation] {
        let items = try f.array(key)
        var result: [ExternalAllocation] = []
        var item = items + 1
        for index in 0..<f.tape.count(items) {
            defer { item = f.tape.next(item) }
            var reader = try FieldReader.object(f.tape, item, path: f.fieldName(key), element: index, limits: f.limits)
            result.append(
                ExternalAllocation(
                    partner: try reader.name("partner"), creditCode: try reader.name("creditCode"),
                    amount: try reader.amount("amount"), byCategory: try reader.amounts("byCategory")))
            try reader.finish()
        }
        return result
    }

    static func registerProject(_ f: inout FieldReader) throws(WorkflowError) -> RegisterProject {
        let projectNo = try f.identifier("projectNo")
        let title = try f.name("title")
        let category: ProjectCategory = try f.choice("category")
        let discipline = try f.name("discipline")
        let unitId = try f.identifier("unitId")
        var leaderReader = try f.object("leader")
        let leader = try person(&leaderReader)
        let projectMembers = try members(&f, "members")
        let approvedOn = try f.date("approvedOn")
        let plannedEndDate = try f.date("plannedEndDate")
        guard plannedEndDate > approvedOn else {
            throw WorkflowError.invalidInput("plannedEndDate", "must be after approvedOn")
        }
        let form: DeliverableForm = try f.choice("deliverableForm")
        var budgetReader = try f.object("budget")
        let budget = Budget(
            direct: try budgetReader.amounts("direct"), indirect: try budgetReader.amount("indirect"),
            external: budgetReader.has("external") ? try externalAllocations(&budgetReader, "external") : [])
        _ = budgetReader.raw("external")
        try budgetReader.finish()
        return RegisterProject(
            projectNo: projectNo, title: title, category: category, discipline: discipline, unitId: unitId,
            leader: leader, members: projectMembers, approvedOn: approvedOn, plannedEndDate: plannedEndDate,
            deliverableForm: form, budget: budget)
    }

    static func profile(_ f: inout FieldReader) throws(WorkflowError) -> Profile {
        let known = ["gender", "birthDate", "title", "degree", "researchArea"]
        let gender = try f.name("gender")
        let birthDate = try f.date("birthDate")
        let title = try f.name("title")
        let degree = try f.name("degree")
        let researchArea = try f.name("researchArea")
        var extra: [String: String] = [:]
        guard f.memberCount <= f.limits.maximumListCount else {
            throw WorkflowError.invalidInput("profile", "has too many fields")
        }
        var member = f.firstMember
        while let current = member {
            member = f.member(after: current)
            if known.contains(f.tape.string(current.key)) { continue }
            let name = try f.key(current)
            guard extra[name] == nil else {
                throw WorkflowError.invalidInput(f.fieldName(current), "duplicate key once normalised to NFC")
            }
            extra[name] = try f.optionalText(current)
        }
        try f.finish()
        return Profile(
            gender: gender, birthDate: birthDate, title: title, degree: degree, researchArea: researchArea, extra: extra
        )
    }

    static func changeKind(_ f: inout FieldReader) throws(WorkflowError) -> ChangeKind {
        let value = try f.required("kind")
        if f.tape.kind(value) == .array {
            throw WorkflowError.invalidInput(
                "kind", "a change request carries exactly one kind, not \(f.tape.count(value))", rule: "R-CHG-1")
        }
        return try FieldReader.choice(f.tape, value, field: "kind", limits: f.limits)
    }

    /// Decodes details; with `kind` nil (edits) the kind is inferred from the field names.
    static func changeDetails(_ f: inout FieldReader, kind: ChangeKind?) throws(WorkflowError) -> ChangeDetails {
        let keys = f.keys
        var kindsOfKey: [String: [ChangeKind]] = [:]
        for candidate in ChangeKind.allCases {
            for field in candidate.detailFields { kindsOfKey[field, default: []].append(candidate) }
        }
        for key in keys where kindsOfKey[key] == nil {
            throw WorkflowError.invalidInput(f.fieldName(InputText.shownKey(key)), "unknown field")
        }
        let resolved: ChangeKind
        if let kind {
            if let key = keys.first(where: { !kind.detailFields.contains($0) }) {
                throw WorkflowError.invalidInput(
                    f.fieldName(key),
                    "belongs to another kind than \(kind.rawValue): a request carries exactly one kind",
                    rule: "R-CHG-1")
            }
            resolved = kind
        } else {
            let candidates = ChangeKind.allCases.filter { candidate in
                keys.allSatisfy { candidate.detailFields.contains($0) }
            }
            if candidates.isEmpty {
                throw WorkflowError.invalidInput(
                    "details", "fields of more than one kind: a request carries exactly one kind", rule: "R-CHG-1")
            }
            guard candidates.count == 1, let only = candidates.first else {
                throw WorkflowError.invalidInput("details", "incomplete: the kind cannot be told from the fields")
            }
            resolved = only
        }
        let details: ChangeDetails
        switch resolved {
        case .extension:
            details = .extension(
                newEndDate: try f.date("newEndDate"), progress: try f.text("progress"), plan: try f.text("plan"))
        case .changeLeader:
            var leader = try f.object("newLeader")
            details = .changeLeader(newLeader: try person(&leader))
        case .changeUnit:
            details = .changeUnit(newUnitId: try f.identifier("newUnitId"))
        case .changeDeliverableForm:
            details = .changeDeliverableForm(newForm: try f.choice("newForm"))
        case .changeTitle:
            details = .changeTitle(newTitle: try f.name("newTitle"))
        case .changeMembers:
            let add = f.has("add") ? try members(&f, "add") : []
            let remove = f.has("remove") ? try f.names("remove") : []
            _ = f.raw("add")
            _ = f.raw("remove")
            if add.isEmpty && remove.isEmpty {
                throw WorkflowError.invalidInput("details", "add or remove at least one member")
            }
            details = .changeMembers(add: add, remove: remove)
        case .majorContentAdjustment:
            details = .majorContentAdjustment(
                original: try f.text("original"), adjusted: try f.text("adjusted"), impact: try f.text("impact"))
        case .selfTermination:
            details = .selfTermination(reason: try f.text("reason"), fundsUsed: try f.amount("fundsUsed"))
        case .withdrawal:
            details = .withdrawal(reason: try f.text("reason"), fundsReceived: try f.amount("fundsReceived"))
        }
        try f.finish()
        return details
    }

    static func sectionData(
        _ section: CloseoutSection, _ f: inout FieldReader
    ) throws(WorkflowError) -> CloseoutSectionData {
        switch section {
        case .basicInfo:
            var d = try f.object("data")
            let title = try d.name("title")
            let form: DeliverableForm = try d.choice("form")
            let wordCount = try d.count("wordCount")
            let keywords = try d.names("keywords")
            guard keywords.count <= 4 else {
                throw WorkflowError.invalidInput("data.keywords", "at most 4 keywords")
            }
            let mode: AppraisalMode = try d.choice("appraisalMode")
            let ground: ExemptionGround? = try d.optionalChoice("exemptionGround")
            if mode == .exempt, ground == nil {
                throw WorkflowError.invalidInput("data.exemptionGround", "is required when exempt")
            }
            if mode == .review, ground != nil {
                throw WorkflowError.invalidInput("data.exemptionGround", "only when exempt")
            }
            try d.finish()
            return .basicInfo(
                CloseoutBasicInfo(
                    title: title, form: form, wordCount: wordCount, keywords: keywords, appraisalMode: mode,
                    exemptionGround: ground))
        case .members:
            var result: [CloseoutMember] = []
            let items = try f.array("data")
            var item = items + 1
            for index in 0..<f.tape.count(items) {
                defer { item = f.tape.next(item) }
                var reader = try FieldReader.object(f.tape, item, path: "data", element: index, limits: f.limits)
                let member = try member(&reader, contribution: true)
                let contribution = try reader.optionalText("contribution") ?? ""
                try reader.finish()
                result.append(CloseoutMember(member: member, contribution: contribution))
            }
            return .members(result)
        case .interimOutputs:
            var result: [InterimOutput] = []
            let items = try f.array("data")
            var item = items + 1
            for index in 0..<f.tape.count(items) {
                defer { item = f.tape.next(item) }
                var reader = try FieldReader.object(f.tape, item, path: "data", element: index, limits: f.limits)
                result.append(
                    InterimOutput(
                        title: try reader.name("title"), form: try reader.name("form"),
                        authors: try reader.name("authors"), venue: try reader.name("venue"),
                        date: try reader.date("date")
                    ))
                try reader.finish()
            }
            return .interimOutputs(result)
        case .finalAccounts:
            var d = try f.object("data")
            var direct = try d.object("direct")
            guard direct.memberCount <= f.limits.maximumListCount else {
                throw WorkflowError.invalidInput("data.direct", "has more than \(f.limits.maximumListCount) entries")
            }
            var lines: [String: AccountLine] = [:]
            var member = direct.firstMember
            while let current = member {
                member = direct.member(after: current)
                let name = try direct.key(current)
                guard lines[name] == nil else {
                    throw WorkflowError.invalidInput(direct.fieldName(current), "duplicate key once normalised to NFC")
                }
                var line = try direct.object(current)
                lines[name] = try accountLine(&line)
            }
            try direct.finish()
            var indirect = try d.object("indirect")
            let indirectLine = try accountLine(&indirect)
            try d.finish()
            return .finalAccounts(FinalAccounts(direct: lines, indirect: indirectLine))
        case .avoidedExperts:
            var result: [AvoidedExpert] = []
            let items = try f.array("data")
            var item = items + 1
            for index in 0..<f.tape.count(items) {
                defer { item = f.tape.next(item) }
                var reader = try FieldReader.object(f.tape, item, path: "data", element: index, limits: f.limits)
                result.append(
                    AvoidedExpert(
                        name: try reader.name("name"), unit: try reader.name("unit"), reason: try reader.text("reason"))
                )
                try reader.finish()
            }
            return .avoidedExperts(result)
        }
    }

    static func accountLine(_ f: inout FieldReader) throws(WorkflowError) -> AccountLine {
        let line = AccountLine(
            approved: try f.amount("approved"), spent: try f.amount("spent"), balance: try f.amount("balance"))
        try f.finish()
        return line
    }

    static func attachFile(_ f: inout FieldReader) throws(WorkflowError) -> AttachFile {
        let closeoutId = try f.optionalIdentifier("closeoutId")
        let requestId = try f.optionalIdentifier("requestId")
        let adjustmentId = try f.optionalIdentifier("adjustmentId")
        let owners = [
            closeoutId.map(AttachmentOwner.closeout), requestId.map(AttachmentOwner.changeRequest),
            adjustmentId.map(AttachmentOwner.budgetAdjustment),
        ].compactMap { $0 }
        guard owners.count == 1, let owner = owners.first else {
            throw WorkflowError.invalidInput(
                owners.isEmpty ? "closeoutId" : "requestId", "exactly one of closeoutId, requestId, adjustmentId",
                rule: "R-ATT-2")
        }
        let purpose: AttachmentPurpose = try f.choice("purpose")
        let filename = try f.name("filename")
        let mediaType = try f.name("mediaType")
        let base64 = try f.longString("contentBase64")
        guard let content = Base64.decode(base64) else {
            throw WorkflowError.invalidInput("contentBase64", "is not valid base64")
        }
        return AttachFile(owner: owner, purpose: purpose, filename: filename, mediaType: mediaType, content: content)
    }

    static func budgetAdjustment(
        _ f: inout FieldReader, idRequired: Bool
    ) throws(WorkflowError) -> BudgetAdjustmentInput {
        let adjustmentId = idRequired ? try f.identifier("adjustmentId") : try f.optionalIdentifier("adjustmentId")
        let projectNo = try f.identifier("projectNo")
        let direct = try f.amounts("direct")
        let indirect = try f.amount("indirect")
        let external = f.has("external") ? try externalAllocations(&f, "external") : []
        _ = f.raw("external")
        return BudgetAdjustmentInput(
            adjustmentId: adjustmentId, projectNo: projectNo, direct: direct, indirect: indirect, external: external,
            newTotal: try f.optionalAmount("newTotal"), reason: try f.text("reason"))
    }
}
