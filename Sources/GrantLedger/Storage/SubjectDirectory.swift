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

    /// Every subject of the person `target` names and every account linked to any of them: the
    /// subjects of the document number or account, then of each account linked to those.
    func person(
        _ target: SubjectTarget, documentOf: (String) -> String?
    ) throws -> (
        subjects: [[UInt8]], accounts: [String]
    ) {
        var subjects: [[UInt8]] = []
        var accounts: [String] = []
        func addSubject(_ subject: [UInt8]) { if !subjects.contains(subject) { subjects.append(subject) } }
        func addAccount(_ account: String) { if !accounts.contains(account) { accounts.append(account) } }
        switch target {
        case .person(_, let idNumber):
            if let subject = try subject(lookup: dbs.hasher.person(idNumber)) { addSubject(subject) }
        case .account(let accountId):
            addAccount(accountId)
            for subject in try self.subjects(ofAccount: accountId) { addSubject(subject) }
            if let number = documentOf(accountId), !PersonalData.isErased(number),
                let subject = try subject(lookup: dbs.hasher.person(number))
            {
                addSubject(subject)
            }
        }
        for subject in subjects { for account in try self.accounts(ofSubject: subject) { addAccount(account) } }
        for account in accounts { for subject in try self.subjects(ofAccount: account) { addSubject(subject) } }
        return (subjects, accounts.sorted())
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
