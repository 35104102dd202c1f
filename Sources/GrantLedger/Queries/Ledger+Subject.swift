internal import EventLog
public import GrantWorkflow

extension Ledger {
    /// `query subject`: every personal field the store holds about one person, and where (PIPL
    /// art. 45, R-LOG-6): their accounts (username, name, e-mail, ID number, profile), the projects
    /// naming them as leader or member, the change requests and closeouts naming them, and the log
    /// positions holding their sealed fields. Erased fields show as erased.
    ///
    /// Only the person themselves (an account of theirs, or one with their ID number) and the national
    /// office may ask; anyone else is told the person is not visible, exactly as for an unknown one.
    public func subject(_ target: SubjectTarget, as viewer: Viewer) throws(LedgerError) -> JSONValue {
        try withModels { models, txn in
            let directory = SubjectDirectory(access: models.access, dbs: dbs)
            let (subjects, named) = try directory.person(target) { models.account($0)?.idNumber }
            // An unknown account is an unknown person (`notFound`), as an unknown number is.
            let accounts = named.filter { models.account($0) != nil }
            var numbers = Set<String>()
            if case .person(_, let idNumber) = target { numbers.insert(IdentityNumber.normalized(idNumber)) }
            for id in accounts {
                if let number = models.account(id)?.normalizedIdNumber { numbers.insert(number) }
            }
            try Self.checkSubjectViewer(viewer, models: models, accounts: accounts, numbers: numbers)
            // A person reads, of what is held about them, what their account may see anyway: their own
            // account, and the projects (with their items) it sees. Another account holding the same
            // ID number, or a project naming the number that this account may not see, stays out: an
            // account registered with someone else's number must not read that person's data. The
            // national office answers a person's full request (R-LOG-6, R-ACC-11).
            let visibility = try Visibility(viewer, directory: models)
            let isOffice = visibility.isOperator || visibility.account?.role == .nationalOffice
            let shownAccounts = isOffice ? accounts : accounts.filter { $0 == visibility.account?.id }
            // Whether the viewer sees a stream: its own account's, or a project's it sees (from the
            // project's summary, read in place), decided once per stream.
            var seenStreams: [String: Bool] = [:]
            func sees(stream: String) -> Bool {
                if let known = seenStreams[stream] { return known }
                var seen = false
                if let id = visibility.account?.id, stream == StreamID.account(id) {
                    seen = true
                } else if stream.hasPrefix("project-") {
                    seen =
                        models.projectSummaryView(String(stream.dropFirst("project-".count))).map(visibility.sees)
                        == true
                }
                seenStreams[stream] = seen
                return seen
            }
            guard !subjects.isEmpty || !accounts.isEmpty else {
                throw LedgerError(.notFound, rule: "R-LOG-6", "no personal data of this person is held")
            }
            // Fields of erased subjects read as pseudonyms: match those too.
            var erasedTexts = Set<String>()
            var subjectRows: [JSONValue] = []
            var positions = Set<UInt64>()
            for subject in subjects {
                let status: String
                switch try directory.entry(subject) {
                case .live?: status = "live"
                case .erased?: status = "erased"
                case nil: status = "missing"
                }
                erasedTexts.insert(PersonalData.erasedText(subject: subject))
                var held = try directory.occurrences(of: subject)
                if !isOffice {
                    // Only the events of the viewer's own account and of the projects it sees.
                    var seen: [UInt64] = []
                    for position in held {
                        var stream = ""
                        _ = try txn.withRecord(at: position) { view in stream = view.stream }
                        if sees(stream: stream) { seen.append(position) }
                    }
                    held = seen
                }
                positions.formUnion(held)
                // A person is not told of subjects (keys) held only in what their account may not see.
                if !isOffice && held.isEmpty { continue }
                subjectRows.append(
                    .object([
                        ("subject", .string(PasswordHasher.hex(subject))), ("status", .string(status)),
                        ("events", .int(held.count)),
                    ]))
            }
            func isTheirs(_ idNumber: String) -> Bool {
                numbers.contains(IdentityNumber.normalized(idNumber)) || erasedTexts.contains(idNumber)
            }
            let accountRows: [JSONValue] = shownAccounts.compactMap { id in
                guard let account = models.account(id) else { return nil }
                return .object([
                    ("accountId", .string(account.id)), ("role", .string(account.role.rawValue)),
                    ("status", .string(account.isErased ? "closed (erased)" : account.status.rawValue)),
                    ("username", .string(account.username)), ("name", .string(account.name)),
                    ("email", .optional(account.email)), ("idType", .optional(account.idType?.rawValue)),
                    ("idNumber", .optional(account.idNumber)),
                    (
                        "profile",
                        account.profile.map { profile in
                            .object([
                                ("gender", .string(profile.gender)),
                                ("birthDate", .string(profile.birthDate.description)),
                                ("extra", profile.isErased ? .string(profile.gender) : .stringMap(profile.extra)),
                            ])
                        } ?? .null
                    ),
                ])
            }
            var streams = Set<String>()
            for position in positions {
                _ = try txn.withRecord(at: position) { view in streams.insert(view.stream) }
            }
            var projectRows: [JSONValue] = []
            var requestRows: [JSONValue] = []
            var closeoutRows: [JSONValue] = []
            for stream in streams.sorted() where stream.hasPrefix("project-") {
                let projectNo = String(stream.dropFirst("project-".count))
                guard isOffice || sees(stream: stream), let project = models.project(projectNo) else { continue }
                if isTheirs(project.leader.idNumber) {
                    projectRows.append(
                        Self.personRow(projectNo, "leader", project.leader.idType, project.leader.idNumber))
                }
                for member in project.members where isTheirs(member.idNumber) {
                    projectRows.append(Self.personRow(projectNo, "member", member.idType, member.idNumber))
                }
                for id in models.changeRequestIds(ofProject: projectNo) {
                    guard let request = models.changeRequest(id) else { continue }
                    switch request.details {
                    case .changeLeader(let leader) where isTheirs(leader.idNumber):
                        requestRows.append(Self.itemRow("requestId", id, projectNo, "newLeader", leader.idNumber))
                    case .changeMembers(let add, let remove):
                        for member in add where isTheirs(member.idNumber) {
                            requestRows.append(Self.itemRow("requestId", id, projectNo, "addMember", member.idNumber))
                        }
                        for number in remove where isTheirs(number) {
                            requestRows.append(Self.itemRow("requestId", id, projectNo, "removeMember", number))
                        }
                    default: break
                    }
                }
                for id in models.closeoutIds(ofProject: projectNo) {
                    guard let closeout = models.closeout(id) else { continue }
                    for entry in closeout.members ?? [] where isTheirs(entry.member.idNumber) {
                        closeoutRows.append(Self.itemRow("closeoutId", id, projectNo, "member", entry.member.idNumber))
                    }
                }
            }
            return .object([
                ("subjects", .array(subjectRows)), ("accounts", .array(accountRows)),
                ("projects", .array(projectRows)), ("changeRequests", .array(requestRows)),
                ("closeouts", .array(closeoutRows)),
                ("eventPositions", .array(positions.sorted().map { .int($0) })),
            ])
        }
    }

    /// The log positions holding sealed fields of a subject (for replicas that must re-render those
    /// events after an erasure); `subject` is the id a `SubjectErased` event names (32 hex digits).
    public func positionsHolding(subject: String) throws(LedgerError) -> [UInt64] {
        guard let bytes = PersonalData.subjectId(hex: subject) else {
            throw LedgerError(.invalidInput, "'\(subject)' is not a subject id (32 lowercase hex digits)")
        }
        return try withModels { models, _ in
            try SubjectDirectory(access: models.access, dbs: dbs).occurrences(of: bytes)
        }
    }

    private static func personRow(
        _ projectNo: String, _ role: String, _ idType: IdType, _ idNumber: String
    )
        -> JSONValue
    {
        .object([
            ("projectNo", .string(projectNo)), ("as", .string(role)), ("idType", .string(idType.rawValue)),
            ("idNumber", .string(idNumber)),
        ])
    }

    private static func itemRow(
        _ key: String, _ id: String, _ projectNo: String, _ field: String, _ idNumber: String
    )
        -> JSONValue
    {
        .object([
            (key, .string(id)), ("projectNo", .string(projectNo)), ("field", .string(field)),
            ("idNumber", .string(idNumber)),
        ])
    }

    /// The national office, the operator, or the person themselves; anyone else cannot tell whether the
    /// person exists.
    private static func checkSubjectViewer(
        _ viewer: Viewer, models: ModelStore, accounts: [String], numbers: Set<String>
    ) throws(LedgerError) {
        guard case .account(let id) = viewer else { return }
        let hidden = LedgerError(.forbidden, rule: "R-LOG-6", "only the person and the national office may see this")
        guard let account = models.account(id), account.isActive else { throw hidden }
        if account.role == .nationalOffice || accounts.contains(id) { return }
        if let own = account.normalizedIdNumber, numbers.contains(own) { return }
        throw hidden
    }
}
