internal import EventLog
internal import GrantWorkflow

/// Keyed hashes of personal values, for the lookups that need one (login by username, an account by
/// ID number, a leader's projects): HMAC-SHA256 under the store's secret, never the plain value in a
/// key (R-LOG-6).
struct LookupHasher: @unchecked Sendable {
    /// HMAC-SHA256 with the key already absorbed: each hash copies it (half the work of keying anew).
    private let keyed: KeyedHMAC
    /// The hashes of one command's ID numbers, computed before its transaction (``memo(of:)``).
    private var memo: KeyedHashMemo?

    init(secret: [UInt8]) { keyed = KeyedHMAC(key: secret) }

    /// This hasher, answering the ID numbers of `memo` from it instead of hashing them again.
    func using(_ memo: KeyedHashMemo?) -> LookupHasher {
        var copy = self
        copy.memo = memo
        return copy
    }

    /// Computes the lookup hashes of a command's ID numbers (the leader's and members' of a new
    /// project, an applicant's), off the writer thread; the writer then finds them by the number as
    /// written instead of normalising and hashing it twice (subject lookup and leader index).
    func memo(of command: Command) -> KeyedHashMemo? {
        var memo = KeyedHashMemo()
        func add(_ number: String, leader: Bool) {
            let normalized = IdentityNumber.normalized(number)
            if memo.person[number] == nil { memo.person[number] = bytes("person", normalized) }
            if leader, memo.idNumber[number] == nil { memo.idNumber[number] = component("idNumber", normalized) }
        }
        switch command {
        case .registerProject(let project):
            add(project.leader.idNumber, leader: true)
            for member in project.members { add(member.idNumber, leader: false) }
        case .setLeaderIdNumber(_, _, let idNumber): add(idNumber, leader: true)
        case .registerAccount(let account): add(account.idNumber, leader: false)
        default: return nil
        }
        return memo
    }

    /// The 32-byte keyed hash of `value` within `domain`.
    func bytes(_ domain: String, _ value: String) -> [UInt8] { keyed.code(domain, value) }

    /// The keyed hash as a read-model key component: its first 16 bytes (128 bits) in unpadded
    /// base64url, 22 characters; nil for an erased value, which is never indexed. Until model format
    /// 7 the component was all 32 bytes as 64 hex digits: the shorter keys fit about twice as many
    /// index records in a page, and keyed hashes land on random pages, so a rebuild's chunks rewrite
    /// fewer of them (docs/decisions.md, "Shorter keyed-hash components").
    func component(_ domain: String, _ value: String) -> String? {
        guard !PersonalData.isErased(value) else { return nil }
        return Self.component(of: bytes(domain, value))
    }

    private static let base64url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The first 16 bytes of `hash` (at least 16) in unpadded base64url (RFC 4648, section 5).
    static func component(of hash: [UInt8]) -> String {
        precondition(hash.count >= 16, "a keyed hash has 32 bytes")
        return String(unsafeUninitializedCapacity: 22) { text in
            var out = 0
            for group in stride(from: 0, to: 15, by: 3) {
                let bits = UInt32(hash[group]) << 16 | UInt32(hash[group + 1]) << 8 | UInt32(hash[group + 2])
                for shift in stride(from: 18, through: 0, by: -6) {
                    text[out] = base64url[Int(bits >> UInt32(shift) & 0x3F)]
                    out += 1
                }
            }
            text[20] = base64url[Int(hash[15] >> 2)]
            text[21] = base64url[Int(hash[15] & 0x03) << 4]
            return 22
        }
    }

    /// The lookup hash of a person's subject: their normalised document number.
    func person(_ idNumber: String) -> [UInt8] {
        if let memo, let known = memo.person[idNumber] { return known }
        return bytes("person", IdentityNumber.normalized(idNumber))
    }

    /// The leader index's component for an ID number: ``component(_:_:)`` of the normalised number;
    /// nil for an erased value.
    func leader(_ idNumber: String) -> String? {
        if let memo, let known = memo.idNumber[idNumber] { return known }
        return component("idNumber", IdentityNumber.normalized(idNumber))
    }

    /// The lookup hash of an account's own subject (an account without a document).
    func account(_ accountId: String) -> [UInt8] { bytes("account", accountId) }
}

/// The keyed hashes of one command's ID numbers, by the number as the command wrote it.
struct KeyedHashMemo: Sendable {
    /// ``LookupHasher/person(_:)`` of each number.
    var person: [String: [UInt8]] = [:]
    /// ``LookupHasher/leader(_:)`` of each number (nil for an erased value).
    var idNumber: [String: String?] = [:]
}

/// The layout of the `subjects` database: the store secret, each subject's key (or the mark of its
/// erasure), the keyed-hash lookups that find a subject, where each subject's fields are, and which
/// accounts each subject is linked to.
enum SubjectRecords {
    /// The store secret of the lookup hashes (32 random bytes, made at first open).
    static let secret = Array("!secret".utf8)
    /// The sequence number of the last subject made (big-endian UInt64): subject ids start with the
    /// next one, so new subjects' records append to the B-tree instead of landing at random places.
    static let sequence = Array("!sequence".utf8)

    /// `l` + lookup hash → subject id.
    static func lookup(_ hash: [UInt8]) -> [UInt8] { [UInt8(ascii: "l")] + hash }
    /// `k` + subject id → ``SubjectEntry``.
    static func key(_ subject: [UInt8]) -> [UInt8] { keys + subject }
    /// The prefix of every subject's key record.
    static let keys = [UInt8(ascii: "k")]
    /// `o` + subject id + position: the event at `position` holds a field of the subject.
    static func occurrence(_ subject: [UInt8], _ position: UInt64) -> [UInt8] {
        [UInt8(ascii: "o")] + subject + BigEndian.bytes(position)
    }
    /// The prefix of a subject's occurrences.
    static func occurrences(_ subject: [UInt8]) -> [UInt8] { [UInt8(ascii: "o")] + subject }
    /// `a` + account id + 0x00 + subject id: the account holds fields of the subject.
    static func accountLink(_ accountId: String, _ subject: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "a")] + Array(accountId.utf8) + [0] + subject
    }
    /// The prefix of an account's links.
    static func accountLinks(_ accountId: String) -> [UInt8] { [UInt8(ascii: "a")] + Array(accountId.utf8) + [0] }
    /// `s` + subject id + account id: the reverse link.
    static func subjectLink(_ subject: [UInt8], _ accountId: String) -> [UInt8] {
        [UInt8(ascii: "s")] + subject + Array(accountId.utf8)
    }
    /// The prefix of a subject's reverse links.
    static func subjectLinks(_ subject: [UInt8]) -> [UInt8] { [UInt8(ascii: "s")] + subject }
}

/// A subject's entry in the keys database.
enum SubjectEntry: Sendable, Equatable {
    /// The subject's AES-256 data key, and the lookup hash that finds the subject (dropped with it).
    case live(key: [UInt8], lookup: [UInt8])
    /// Erased by the `SubjectErased` event at this position: the key is gone.
    case erased(UInt64)

    /// The first byte of a live entry.
    static let liveTag: UInt8 = 1
    /// The size of a live entry: the tag, the 32-byte key and the 32-byte lookup hash.
    static let liveByteCount = 65
    /// The first byte of an erased entry.
    static let erasedTag: UInt8 = 2
    /// The size of an erased entry: the tag and the erasure's position.
    static let erasedByteCount = 9

    var bytes: [UInt8] {
        switch self {
        case .live(let key, let lookup): return [Self.liveTag] + key + lookup
        case .erased(let position): return [Self.erasedTag] + BigEndian.bytes(position)
        }
    }

    init?(_ bytes: [UInt8]) {
        guard let tag = bytes.first else { return nil }
        if tag == Self.liveTag, bytes.count == Self.liveByteCount {
            self = .live(key: Array(bytes[1..<33]), lookup: Array(bytes[33...]))
        } else if tag == Self.erasedTag, bytes.count == Self.erasedByteCount,
            let position = BigEndian.value(Array(bytes[1...]))
        {
            self = .erased(position)
        } else {
            return nil
        }
    }
}

/// A 16-byte subject id as a dictionary key without a heap allocation.
struct SubjectKey: Hashable {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ bytes: [UInt8]) { self.init(bytes: bytes) }

    /// A subject id read in place (16 bytes; others as ``init(bytes:)`` reads them).
    init(raw: UnsafeRawBufferPointer) {
        if let (high, low) = Self.load(raw) {
            self.init(high: high, low: low)
        } else {
            self.init(bytes: Array(raw))
        }
    }

    /// The two big-endian halves of exactly 16 bytes.
    private static func load(_ raw: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        guard raw.count == 16 else { return nil }
        return (
            UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        )
    }

    init(bytes: some Collection<UInt8>) {
        // The usual case, 16 contiguous bytes: two big-endian loads instead of a loop.
        let loaded = bytes.withContiguousStorageIfAvailable { buffer in Self.load(UnsafeRawBufferPointer(buffer)) }
        if let (high, low) = loaded ?? nil {
            self.init(high: high, low: low)
            return
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.prefix(16).enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }
}

/// What a keyring knows of one subject.
enum CachedSubject {
    case live(FieldKey)
    /// Marked erased by the event at this position.
    case erased(UInt64)
    case missing
}

/// The keyring's memory of subjects: an open table of at most 4,096 slots, one subject each,
/// replaced when another subject hashes to the slot. A replay meets most people in one or two events
/// close together, so a bounded table keeps the hits of an unbounded dictionary without growing with
/// the log. It starts small and doubles as it fills, so a command's keyring (a few subjects) neither
/// allocates nor frees thousands of slots.
struct SubjectCache {
    static let maximumSlots = 4_096
    // Three parallel tables (not one of optional tuples, whose every test went through the enum's
    // generic value witnesses).
    private var ids: [SubjectKey] = []
    private var occupied: [Bool] = []
    private var states: [CachedSubject] = []
    private var used = 0

    subscript(id: SubjectKey) -> CachedSubject? {
        get {
            guard !ids.isEmpty else { return nil }
            let index = slot(id)
            guard occupied[index], ids[index] == id else { return nil }
            return states[index]
        }
        set {
            if let newValue {
                if ids.isEmpty || (used * 2 >= ids.count && ids.count < Self.maximumSlots) { grow() }
                insert(id, newValue)
            } else if !ids.isEmpty {
                let index = slot(id)
                if occupied[index], ids[index] == id {
                    occupied[index] = false
                    states[index] = .missing
                    used -= 1
                }
            }
        }
    }

    /// The number of slots in use (for tests).
    var count: Int { used }

    /// The slots held now (for tests).
    var capacity: Int { ids.count }

    private mutating func insert(_ id: SubjectKey, _ state: CachedSubject) {
        let index = slot(id)
        if !occupied[index] {
            occupied[index] = true
            used += 1
        }
        ids[index] = id
        states[index] = state
    }

    private mutating func grow() {
        let (oldIds, oldOccupied, oldStates) = (ids, occupied, states)
        let size = max(16, min(Self.maximumSlots, ids.count * 2))
        ids = [SubjectKey](repeating: SubjectKey(high: 0, low: 0), count: size)
        occupied = [Bool](repeating: false, count: size)
        states = [CachedSubject](repeating: .missing, count: size)
        used = 0
        for index in oldIds.indices where oldOccupied[index] { insert(oldIds[index], oldStates[index]) }
    }

    private func slot(_ id: SubjectKey) -> Int {
        let bits = UInt64(ids.count.trailingZeroBitCount)
        return Int(truncatingIfNeeded: (id.high ^ id.low &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
    }
}

/// The subject keys of one transaction (R-LOG-6): seals personal fields as events are encoded (making
/// a subject and its key the first time a person is met, recording where their fields are and which
/// accounts they are linked to), and opens them as events are decoded.
///
/// Reads go through `fetch` (a write transaction's access, or short read transactions of the store);
/// writes need `access`. Entries are cached for the keyring's life: one keyring per transaction or per
/// replay. A storage failure while sealing is remembered in ``fault``: the command is then refused.
final class SubjectKeyring: PersonalFieldSealer, PersonalFieldOpener, @unchecked Sendable {
    /// Visits records of the `subjects` database in key order from `start` (which begins with
    /// `prefix`), in place, until the body returns false.
    typealias Scan = (
        _ start: [UInt8], _ prefix: [UInt8],
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws -> Void

    /// How many key records a replay's keyring reads in one pass when it meets a subject it has not
    /// cached: the subject's and those after it (subject ids follow creation order, and a replay meets
    /// new people in that order).
    static let readAhead = 8

    private let fetch: ([UInt8]) throws -> [UInt8]?
    /// Set for a replay's keyring: a miss reads ``readAhead`` key records in one cursor pass.
    private let scan: Scan?
    private let access: TransactionAccess?
    /// Nil for a keyring over a replica's copy of the keys (``init(fetch:)``), which only opens.
    private let dbs: LedgerDatabases?
    private var cache = SubjectCache()
    private var nextSequence: UInt64?
    private var sequenceChanged = false
    private var subjectsByLookup: [LookupKey: [UInt8]] = [:]
    /// The occurrences (subject, position) and account links (subject, account) written in this
    /// transaction, so that each is put once.
    private var occurrencesWritten: Set<Occurrence> = []
    /// Whether ``erasuresMet`` is kept (`replay verify`).
    var recordsErasures = false
    /// The erased subjects whose fields this keyring met, with the position their erasure mark names:
    /// `replay verify` checks that each mark is a real erasure (a forged mark would hide a lost key).
    private(set) var erasuresMet: [SubjectKey: (subject: [UInt8], position: UInt64)] = [:]
    private var linksWritten: Set<Link> = []

    /// A lookup hash (32 bytes, HMAC-SHA256) as a dictionary key hashed by words (an array of bytes is
    /// hashed byte by byte); nil for any other length, which is then not cached.
    private struct LookupKey: Hashable {
        let a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init?(_ hash: [UInt8]) {
            guard hash.count == 32 else { return nil }
            (a, b, c, d) = hash.withUnsafeBytes { raw in
                (
                    raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                    raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                    raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                    raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                )
            }
        }
    }

    private struct Occurrence: Hashable {
        let subject: SubjectKey
        let position: UInt64
    }

    private struct Link: Hashable {
        let subject: SubjectKey
        let accountId: String
    }
    /// The account whose document number a `.account` subject resolves to (the workflow state).
    var documentOfAccount: ((String) -> String?)?
    /// The position of the event being encoded (recorded as an occurrence of each subject sealed).
    var position: UInt64 = 0
    /// The subject last resolved for sealing, with the position it was resolved at: a person's fields
    /// are sealed one after the other, and the second and later ones find everything already done.
    private var lastSealed: (ref: SubjectRef, position: UInt64, subject: [UInt8], key: FieldKey)?
    /// The first storage failure met while sealing.
    private(set) var fault: String?

    /// A keyring reading and writing through a write transaction. With `readsAhead` (a replay's
    /// keyring, which only opens fields), a subject not yet cached is read together with the key
    /// records after it.
    init(access: TransactionAccess, dbs: LedgerDatabases, readsAhead: Bool = false) {
        self.access = access
        self.dbs = dbs
        let subjects = dbs.subjects
        fetch = { key in try access.get(subjects, key) }
        scan =
            readsAhead ? { start, prefix, body in try access.scan(subjects, from: start, prefix: prefix, body) } : nil
    }

    /// A read-only keyring reading through `fetch`, and through `scan` when it reads ahead.
    init(dbs: LedgerDatabases, fetch: @escaping ([UInt8]) throws -> [UInt8]?, scan: Scan? = nil) {
        self.access = nil
        self.dbs = dbs
        self.fetch = fetch
        self.scan = scan
    }

    /// A keyring that only opens, over key records found by `fetch` without a store (a replica's copy
    /// of the keys database): sealing through it fails.
    init(fetch: @escaping ([UInt8]) throws -> [UInt8]?) {
        self.access = nil
        self.dbs = nil
        self.fetch = fetch
        self.scan = nil
    }

    /// A read-only keyring over the store's committed state, one short read transaction per lookup.
    static func reading(_ store: EventStore, dbs: LedgerDatabases) -> SubjectKeyring {
        let subjects = dbs.subjects
        return SubjectKeyring(dbs: dbs) { key in try store.read { txn in try txn.get(subjects, key) } }
    }

    // MARK: Entries

    /// The cached state of a subject, read once per keyring.
    private func cached(_ subject: [UInt8]) throws -> CachedSubject { try cached(bytes: subject) }

    /// ``cached(_:)`` of a subject id read in place (copied only when the cache misses).
    private func cached(bytes subject: some Collection<UInt8>) throws -> CachedSubject {
        let id = SubjectKey(bytes: subject)
        if let known = cache[id] { return known }
        if let scan { return try readAhead(from: subject, id: id, scan) }
        let state =
            try fetch(SubjectRecords.key(Array(subject))).map { record in
                try record.withUnsafeBytes { try Self.state(ofEntry: $0) }
            } ?? .missing
        cache[id] = state
        return state
    }

    /// Reads the key record of `subject` and up to ``readAhead`` − 1 records after it in one cursor
    /// pass, caching each.
    private func readAhead(
        from subject: some Collection<UInt8>, id: SubjectKey, _ scan: Scan
    ) throws -> CachedSubject {
        var state = CachedSubject.missing
        var read = 0
        try scan(SubjectRecords.key(Array(subject)), SubjectRecords.keys) { key, value in
            read += 1
            guard key.count == 1 + SubjectID.byteCount else { return read < Self.readAhead }
            let other = SubjectKey(raw: UnsafeRawBufferPointer(rebasing: key[1...]))
            let entry = try Self.state(ofEntry: value)
            if other == id { state = entry }
            cache[other] = entry
            return read < Self.readAhead
        }
        cache[id] = state
        return state
    }

    /// What a key record's bytes say: a live key (read in place), an erasure, or nothing usable.
    private static func state(ofEntry record: UnsafeRawBufferPointer) throws -> CachedSubject {
        if record.count == SubjectEntry.liveByteCount, record[0] == SubjectEntry.liveTag {
            guard let fieldKey = FieldKey(UnsafeRawBufferPointer(rebasing: record[1..<(1 + FieldKey.keyByteCount)]))
            else {
                throw LedgerError(.storage, "a subject key of the wrong size")
            }
            return .live(fieldKey)
        }
        if record.count == SubjectEntry.erasedByteCount, record[0] == SubjectEntry.erasedTag,
            let position = BigEndian.value(UnsafeRawBufferPointer(rebasing: record[1...]))
        {
            return .erased(position)
        }
        return .missing
    }

    func subject(lookup hash: [UInt8]) throws -> [UInt8]? {
        let key = LookupKey(hash)
        if let key, let cached = subjectsByLookup[key] { return cached }
        guard let subject = try fetch(SubjectRecords.lookup(hash)) else { return nil }
        if let key { subjectsByLookup[key] = subject }
        return subject
    }

    /// Forgets cached entries (after an erasure changed them).
    func forget(_ subjects: [[UInt8]]) {
        for subject in subjects { cache[SubjectKey(subject)] = nil }
        subjectsByLookup = [:]
        lastSealed = nil
    }

    /// Writes what sealing kept back (the subject sequence number), once per transaction.
    func finish() throws {
        guard sequenceChanged, let access, let dbs, let next = nextSequence else { return }
        try access.put(dbs.subjects, SubjectRecords.sequence, BigEndian.bytes(next - 1))
        sequenceChanged = false
    }

    // MARK: Sealing

    func seal(_ plaintext: [UInt8], for ref: SubjectRef) -> (subject: [UInt8], box: [UInt8]) {
        do {
            if let erased = try erasedSubject(of: plaintext) ?? erasedPerson(of: ref) {
                // A field erased before (a change of leader quoting the old leader, or a migration
                // copying an erased field), or one more field of an erased account's person, stays
                // erased: under the erased subject, in a box nobody can open, never under a new key.
                let box = RandomPool.bytes(FieldKey.nonceByteCount + plaintext.count + FieldKey.tagByteCount)
                try record(erased, ref.account)
                return (erased, box)
            }
            let (subject, key) = try liveSubject(for: ref)
            guard let box = key.seal(plaintext, nonce: RandomPool.bytes(FieldKey.nonceByteCount), subject: subject)
            else {
                throw LedgerError(.storage, "AES-GCM sealing failed")
            }
            return (subject, box)
        } catch {
            if fault == nil { fault = "sealing a personal field: \(error)" }
            return ([UInt8](repeating: 0, count: SubjectID.byteCount), [])
        }
    }

    /// The subject of `plaintext` when it is an erased field (``PersonalData/erasedText(subject:)``) of a
    /// subject this store has erased; nil for any other value.
    private func erasedSubject(of plaintext: [UInt8]) throws -> [UInt8]? {
        guard plaintext.first == 0xEF,
            let subject = PersonalData.erasedSubject(String(decoding: plaintext, as: UTF8.self))
        else { return nil }
        guard case .erased = try cached(subject) else { return nil }
        return subject
    }

    /// The erased subject of the person behind an account whose document number was erased; nil
    /// otherwise (a field about a person, found by document number, is ``erasedSubject(of:)``'s).
    private func erasedPerson(of ref: SubjectRef) throws -> [UInt8]? {
        switch ref {
        case .person: return nil
        case .account(let id), .ownAccount(let id):
            guard let document = documentOfAccount?(id), PersonalData.isErased(document) else { return nil }
            return try erasedSubject(of: Array(document.utf8))
        }
    }

    /// A new subject id: the next sequence number (8 bytes, big-endian) and 8 random bytes.
    private func newSubjectId() throws -> [UInt8] {
        let next: UInt64
        if let cached = nextSequence {
            next = cached
        } else {
            next = (try fetch(SubjectRecords.sequence).flatMap(BigEndian.value) ?? 0) + 1
        }
        nextSequence = next + 1
        sequenceChanged = true
        return BigEndian.bytes(next) + Self.random(count: 8)
    }

    /// The subject of `ref`, made with a fresh key when the person is new, or when their earlier
    /// subject was erased (new data about them is held under a new key); records the occurrence and
    /// the account link.
    private func liveSubject(for ref: SubjectRef) throws -> (subject: [UInt8], key: FieldKey) {
        if let last = lastSealed, last.position == position, last.ref == ref { return (last.subject, last.key) }
        let resolved = try resolveLiveSubject(for: ref)
        lastSealed = (ref, position, resolved.subject, resolved.key)
        return resolved
    }

    /// ``liveSubject(for:)`` without the last-subject shortcut: finds or makes the subject, and records
    /// its occurrence at ``position`` and its account link.
    private func resolveLiveSubject(for ref: SubjectRef) throws -> (subject: [UInt8], key: FieldKey) {
        guard let access, let dbs else { throw LedgerError(.storage, "sealing needs a write transaction") }
        let hasher = dbs.hasher
        let lookup: [UInt8]
        let accountId: String?
        switch ref {
        case .person(let idNumber, let account):
            lookup = hasher.person(idNumber)
            accountId = account
        case .account(let id):
            if let number = documentOfAccount?(id), !PersonalData.isErased(number) {
                lookup = hasher.person(number)
            } else {
                lookup = hasher.account(id)
            }
            accountId = id
        case .ownAccount(let id):
            lookup = hasher.account(id)
            accountId = id
        }
        var found: (subject: [UInt8], key: FieldKey)?
        if let existing = try subject(lookup: lookup), case .live(let key) = try cached(existing) {
            found = (existing, key)
        }
        if found == nil {
            let made = try newSubjectId()
            let bytes = Self.random(count: FieldKey.keyByteCount)
            try access.put(dbs.subjects, SubjectRecords.key(made), SubjectEntry.live(key: bytes, lookup: lookup).bytes)
            try access.put(dbs.subjects, SubjectRecords.lookup(lookup), made)
            guard let key = FieldKey(bytes) else { throw LedgerError(.storage, "a new subject key of the wrong size") }
            cache[SubjectKey(made)] = .live(key)
            if let key = LookupKey(lookup) { subjectsByLookup[key] = made }
            found = (made, key)
        }
        guard let (id, key) = found else { throw LedgerError(.storage, "no subject") }
        try record(id, accountId)
        return (id, key)
    }

    /// Records that the event at ``position`` holds a field of `subject`, and the account link.
    private func record(_ subject: [UInt8], _ accountId: String?) throws {
        guard let access, let dbs else { throw LedgerError(.storage, "sealing needs a write transaction") }
        let subjectKey = SubjectKey(subject)
        if occurrencesWritten.insert(Occurrence(subject: subjectKey, position: position)).inserted {
            try access.put(dbs.subjects, SubjectRecords.occurrence(subject, position), [])
        }
        if let accountId, linksWritten.insert(Link(subject: subjectKey, accountId: accountId)).inserted {
            try access.put(dbs.subjects, SubjectRecords.accountLink(accountId, subject), [])
            try access.put(dbs.subjects, SubjectRecords.subjectLink(subject, accountId), [])
        }
    }

    /// `count` bytes from the system's cryptographic generator (``RandomPool``).
    static func random(count: Int) -> [UInt8] { RandomPool.bytes(count) }

    // MARK: Opening

    func open(_ box: [UInt8], subject: [UInt8]) throws(BinaryDecodingError) -> [UInt8]? {
        try box.withUnsafeBufferPointer { (box) throws(BinaryDecodingError) in
            try subject.withUnsafeBufferPointer { (subject) throws(BinaryDecodingError) in
                try open(box: box, subject: subject)
            }
        }
    }

    func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>
    ) throws(BinaryDecodingError) -> [UInt8]? {
        guard let key = try liveKey(of: subject) else { return nil }
        guard let plaintext = key.open(box: box, subject: subject) else { throw Self.unauthenticated(subject) }
        return plaintext
    }

    /// Opens into scratch memory (no array per field): the decoder's path.
    func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>,
        reading body: (UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> Void
    ) throws(BinaryDecodingError) -> Bool {
        guard let key = try liveKey(of: subject) else { return false }
        guard try key.open(box: box, subject: subject, reading: body) else { throw Self.unauthenticated(subject) }
        return true
    }

    private static func unauthenticated(_ subject: UnsafeBufferPointer<UInt8>) -> BinaryDecodingError {
        BinaryDecodingError(
            "a personal field of subject \(PasswordHasher.hex(Array(subject))) does not authenticate under its key")
    }

    /// The key of a subject met in a sealed field; nil when the subject was erased. Throws when the
    /// key is missing for a subject that was never erased, or cannot be read.
    private func liveKey(of subject: UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> FieldKey? {
        let state: CachedSubject
        do {
            state = try cached(bytes: subject)
        } catch {
            throw BinaryDecodingError("reading the key of subject \(PasswordHasher.hex(Array(subject))): \(error)")
        }
        switch state {
        case .missing:
            throw BinaryDecodingError(
                "the key of subject \(PasswordHasher.hex(Array(subject))) is missing, and the subject was never erased")
        case .erased(let position):
            if recordsErasures, erasuresMet[SubjectKey(bytes: subject)] == nil {
                erasuresMet[SubjectKey(bytes: subject)] = (Array(subject), position)
            }
            return nil
        case .live(let key):
            return key
        }
    }
}
