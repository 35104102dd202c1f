internal import EventLog
internal import GrantWorkflow

/// Who a person is in the keys database (R-LOG-6): their subjects (one per document number they
/// used, one per account without a document), the accounts linked to them, and where their fields are.
struct SubjectDirectory {
    let access: TransactionAccess
    let dbs: LedgerDatabases

    /// The subject ids holding fields of an account.
    func subjects(ofAccount accountId: String) throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        let prefix = SubjectRecords.accountLinks(accountId)
        try access.scan(dbs.subjects, prefix: prefix) { key, _ in
            result.append(Array(key[prefix.count...]))
            return true
        }
        return result
    }

    /// The accounts linked to a subject.
    func accounts(ofSubject subject: [UInt8]) throws -> [String] {
        var result: [String] = []
        let prefix = SubjectRecords.subjectLinks(subject)
        try access.scan(dbs.subjects, prefix: prefix) { key, _ in
            result.append(String(decoding: UnsafeRawBufferPointer(rebasing: key[prefix.count...]), as: UTF8.self))
            return true
        }
        return result
    }

    /// The positions of the events holding fields of a subject, oldest first.
    func occurrences(of subject: [UInt8]) throws -> [UInt64] {
        var result: [UInt64] = []
        let prefix = SubjectRecords.occurrences(subject)
        try access.scan(dbs.subjects, prefix: prefix) { key, _ in
            if let position = BigEndian.value(UnsafeRawBufferPointer(rebasing: key[prefix.count...])) {
                result.append(position)
            }
            return true
        }
        return result
    }

    /// The subject a lookup hash finds.
    func subject(lookup hash: [UInt8]) throws -> [UInt8]? {
        try access.get(dbs.subjects, SubjectRecords.lookup(hash))
    }

    /// A subject's entry: its key, or the mark of its erasure.
    func entry(_ subject: [UInt8]) throws -> SubjectEntry? {
        try access.get(dbs.subjects, SubjectRecords.key(subject)).flatMap(SubjectEntry.init)
    }

    /// The person `target` names: their subjects and their accounts (R-LOG-6).
    ///
    /// - By document number: the number's subject, and the accounts that hold that number now.
    /// - By account: the account, the subject of the number it holds now, and the other accounts that
    ///   hold that number now (a leader's and an expert's account of one person).
    ///
    /// Then each of those accounts' own subject (what its holder typed about themselves when
    /// registering), and any other document subject linked to them that is theirs alone: every
    /// account linked to it is one of theirs and every event holding its fields is in one of their
    /// account streams (a number mistyped in a registration and corrected). A number an account once
    /// named but no longer holds is someone else's when anything else uses it: erasing the account
    /// leaves it alone, and erasing that number closes no account that holds another number now.
    func person(
        _ target: SubjectTarget, documentOf: (String) -> String?
    ) throws -> (
        subjects: [[UInt8]], accounts: [String]
    ) {
        var subjects: [[UInt8]] = []
        var accounts: [String] = []
        func addSubject(_ subject: [UInt8]) { if !subjects.contains(subject) { subjects.append(subject) } }
        func addAccount(_ account: String) { if !accounts.contains(account) { accounts.append(account) } }
        func holders(of subject: [UInt8], number: String) throws -> [String] {
            let normalized = IdentityNumber.normalized(number)
            return try self.accounts(ofSubject: subject).filter { account in
                guard let held = documentOf(account) else { return false }
                return held == number || IdentityNumber.normalized(held) == normalized
            }
        }
        switch target {
        case .person(_, let idNumber):
            if let subject = try subject(lookup: dbs.hasher.person(idNumber)) {
                addSubject(subject)
                for account in try holders(of: subject, number: idNumber) { addAccount(account) }
            }
        case .account(let accountId):
            addAccount(accountId)
            if let number = documentOf(accountId) {
                // An erased number is its subject's pseudonym: still the person's subject.
                let found =
                    PersonalData.isErased(number)
                    ? PersonalData.erasedSubject(number) : try subject(lookup: dbs.hasher.person(number))
                if let subject = found {
                    addSubject(subject)
                    for account in try holders(of: subject, number: number) { addAccount(account) }
                }
            }
        }
        let streams = Set(accounts.map(StreamID.account))
        for account in accounts {
            for subject in try self.subjects(ofAccount: account) where !subjects.contains(subject) {
                if try isOwn(subject, of: account) || isTheirsAlone(subject, accounts: accounts, streams: streams) {
                    addSubject(subject)
                }
            }
        }
        return (subjects, accounts.sorted())
    }

    /// Whether `subject` is the account's own (``SubjectRef/ownAccount(_:)``, or an account without a
    /// document): its lookup is the account's keyed hash.
    private func isOwn(_ subject: [UInt8], of account: String) throws -> Bool {
        guard case .live(_, let lookup)? = try entry(subject) else { return false }
        return lookup == dbs.hasher.account(account)
    }

    /// Whether only these accounts ever used `subject`: linked to none other, and every event holding
    /// its fields is in one of their streams.
    private func isTheirsAlone(_ subject: [UInt8], accounts: [String], streams: Set<String>) throws -> Bool {
        for account in try self.accounts(ofSubject: subject) where !accounts.contains(account) { return false }
        for position in try occurrences(of: subject) {
            guard let stream = try access.stream(at: position), streams.contains(stream) else { return false }
        }
        return true
    }

    /// ``SubjectStatus`` of a person.
    func status(_ target: SubjectTarget, documentOf: (String) -> String?) throws -> SubjectStatus {
        let (subjects, accounts) = try person(target, documentOf: documentOf)
        var live: [String] = []
        var known = false
        for subject in subjects {
            switch try entry(subject) {
            case .live?:
                live.append(PasswordHasher.hex(subject))
                known = true
            case .erased?: known = true
            case nil: break
            }
        }
        if live.isEmpty { return known ? .erased : .unknown }
        return .live(subjects: live.sorted(), accounts: accounts)
    }
}

extension ModelStore {
    /// What the keys database knows of a person (R-LOG-6).
    func subjectStatus(_ target: SubjectTarget) -> SubjectStatus {
        do {
            return try SubjectDirectory(access: access, dbs: dbs).status(target) { self.account($0)?.idNumber }
        } catch {
            faults.record("reading subject keys: \(error)")
            return .unknown
        }
    }
}
