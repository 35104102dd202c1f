internal import Crypto

extension CommandEnvelope {
    /// A SHA-256 of everything that makes this command what it is, for idempotency keys (R-LOG-3 rev. 2):
    /// every field but the command id, its time and its secrets (passwords and reset tokens).
    ///
    /// For an envelope decoded from a JSON line it is the line's own canonical form: members sorted by
    /// key, `null` members dropped (they mean absent), the top level without `id` and `at`, text in
    /// NFC, every value tagged with its kind and length-prefixed. Key order, spacing and the spelling of
    /// the same text in other Unicode forms therefore never turn a retry into a conflict, and computing
    /// it costs one pass over the parsed line. For an envelope built in Swift it is a canonical walk of
    /// the value itself (struct fields in declaration order, enum cases by name, dictionaries and sets
    /// sorted). The two forms differ, so a retry must come through the same entry point as the first
    /// attempt (docs/decisions.md).
    ///
    /// A secret is never part of it: the fingerprint is a fast hash, and every other field of a
    /// registration is in the log, so it would let whoever holds the store guess the password at
    /// SHA-256 speed instead of PBKDF2's. A retry that differs only in its password is the same command.
    public var fingerprint: [UInt8] {
        if let lineFingerprint { return lineFingerprint }
        return swiftFingerprint(personal: true)
    }

    /// The fingerprint without the command's personal values (ID numbers, usernames, e-mail addresses,
    /// names, birth dates, genders, profile extras: the fields R-LOG-6 seals), or nil when the command
    /// has none, so that ``fingerprint`` says the same. The engine keeps it beside ``fingerprint`` and,
    /// when a person is erased, drops the full fingerprint of every command that held their fields: a
    /// fast hash of an otherwise public command would let anyone holding the store (or a backup) guess
    /// an erased ID number. A retry of such a command is then told apart from another command by
    /// everything but its personal values.
    public var publicFingerprint: [UInt8]? {
        if lineFingerprint != nil { return linePublicFingerprint }
        var probe = CanonicalEncoder(personal: false)
        encodeFields(into: &probe)
        return probe.blankedPersonal ? Array(SHA256.hash(data: probe.bytes)) : nil
    }

    /// The fingerprint as builds before round 18 computed it, for a command record they wrote (one
    /// without ``publicFingerprint``): secrets included, text as given. Only a command with a secret
    /// (``Command/carriesSecret``) has one that differs from ``fingerprint`` for text already in NFC,
    /// so that a retry of it sent before an upgrade is still answered after it; nil for the others.
    public var legacyFingerprint: [UInt8]? {
        guard command.carriesSecret else { return nil }
        if lineFingerprint != nil { return lineLegacyFingerprint }
        var encoder = CanonicalEncoder(legacy: true)
        encodeFields(into: &encoder)
        return Array(SHA256.hash(data: encoder.bytes))
    }

    /// ``legacyFingerprint`` of a parsed command line: the canonical form of round 17 (members sorted by
    /// key, `null` members and the top level's `id` and `at` dropped, every value tagged), without NFC
    /// and with secrets.
    static func legacyFingerprint(ofLine value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        canonical(value, into: &bytes, topLevel: true, legacy: true)
        return Array(SHA256.hash(data: bytes))
    }

    private func swiftFingerprint(personal: Bool) -> [UInt8] {
        var encoder = CanonicalEncoder(personal: personal)
        encodeFields(into: &encoder)
        return Array(SHA256.hash(data: encoder.bytes))
    }

    private func encodeFields(into encoder: inout CanonicalEncoder) {
        encoder.encode(actor as Any)
        encoder.encode(causationId as Any)
        encoder.encode(correlationId as Any)
        encoder.encode(command)
    }

    /// Member and field names whose values are secrets: never part of a fingerprint.
    static let secretFields: Set<String> = ["password", "newPassword", "token"]

    /// Member and field names whose values are personal data (R-LOG-6): left out of
    /// ``publicFingerprint``. `remove` is the list of ID numbers a member change removes; `name` and
    /// `extra` are sealed in account and profile events.
    static let personalFields: Set<String> = [
        "idNumber", "username", "email", "name", "birthDate", "gender", "extra", "remove",
    ]

    /// The members of a line's `profile` object that are not personal; every other member of it is
    /// (gender, birth date and the extra fields, which a line names by their own keys: R-LOG-6).
    static let plainProfileFields: Set<String> = ["title", "degree", "researchArea"]

    /// The fingerprints of a parsed command line (see ``fingerprint`` and ``publicFingerprint``).
    static func fingerprints(ofLine value: JSONValue) -> (full: [UInt8], public: [UInt8]?) {
        var full: [UInt8] = []
        full.reserveCapacity(1024)
        var plain: [UInt8] = []
        plain.reserveCapacity(1024)
        var blanked = false
        canonical(value, full: &full, plain: &plain, blanked: &blanked, topLevel: true)
        let fullHash = Array(SHA256.hash(data: full))
        guard blanked else { return (fullHash, nil) }
        return (fullHash, Array(SHA256.hash(data: plain)))
    }

    /// Both canonical forms in one walk: `full` with personal values (``canonical(_:into:)``), `plain`
    /// without them (each personal member's value one marker byte); `blanked` records that one was there.
    private static func canonical(
        _ value: JSONValue, full: inout [UInt8], plain: inout [UInt8], blanked: inout Bool, topLevel: Bool = false,
        profile: Bool = false
    ) {
        switch value {
        case .array(let elements):
            full.append(UInt8(ascii: "["))
            CanonicalEncoder.appendLength(elements.count, to: &full)
            plain.append(UInt8(ascii: "["))
            CanonicalEncoder.appendLength(elements.count, to: &plain)
            for element in elements { canonical(element, full: &full, plain: &plain, blanked: &blanked) }
        case .object(let object):
            let members = sortedMembers(of: object, topLevel: topLevel)
            full.append(UInt8(ascii: "{"))
            CanonicalEncoder.appendLength(members.count, to: &full)
            plain.append(UInt8(ascii: "{"))
            CanonicalEncoder.appendLength(members.count, to: &plain)
            for member in members {
                let start = full.count
                appendText(UInt8(ascii: "k"), InputText.nfc(member.key), to: &full)
                plain.append(contentsOf: full[start...])
                if secretFields.contains(member.key) {
                    full.append(UInt8(ascii: "x"))
                    plain.append(UInt8(ascii: "x"))
                } else if personalFields.contains(member.key) || (profile && !plainProfileFields.contains(member.key)) {
                    blanked = true
                    canonical(member.value, into: &full)
                    plain.append(UInt8(ascii: "p"))
                } else {
                    canonical(
                        member.value, full: &full, plain: &plain, blanked: &blanked, profile: member.key == "profile")
                }
            }
        default:
            let start = full.count
            canonical(value, into: &full)
            plain.append(contentsOf: full[start...])
        }
    }

    /// The fingerprint of a parsed command line (see ``fingerprint``).
    static func fingerprint(ofLine value: JSONValue) -> [UInt8] { fingerprints(ofLine: value).full }

    /// An object's members sorted by key, without `null` ones (absent) and, at the top level, `id` and `at`.
    private static func sortedMembers(of object: JSONObject, topLevel: Bool) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = []
        object.forEachMember { key, value in
            if case .null = value { return }
            if topLevel && (key == "id" || key == "at") { return }
            members.append((key, value))
        }
        members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return members
    }

    /// A tagged, length-prefixed text.
    private static func appendText(_ tag: UInt8, _ string: String, to bytes: inout [UInt8]) {
        bytes.append(tag)
        CanonicalEncoder.appendLength(string.utf8.count, to: &bytes)
        bytes.append(contentsOf: string.utf8)
    }

    /// Appends the canonical form of `value` with its personal values (below the top level, inside a
    /// personal member); secret members' values are left out. With `legacy`, the form of round 17
    /// (``legacyFingerprint(ofLine:)``): text as given, secrets included.
    private static func canonical(
        _ value: JSONValue, into bytes: inout [UInt8], topLevel: Bool = false, legacy: Bool = false
    ) {
        switch value {
        case .null: bytes.append(UInt8(ascii: "n"))
        case .bool(let flag): bytes.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .number(let digits): appendText(UInt8(ascii: "#"), digits, to: &bytes)
        case .string(let string): appendText(UInt8(ascii: "s"), legacy ? string : InputText.nfc(string), to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            CanonicalEncoder.appendLength(elements.count, to: &bytes)
            for element in elements { canonical(element, into: &bytes, legacy: legacy) }
        case .object(let object):
            let members = sortedMembers(of: object, topLevel: topLevel)
            bytes.append(UInt8(ascii: "{"))
            CanonicalEncoder.appendLength(members.count, to: &bytes)
            for member in members {
                appendText(UInt8(ascii: "k"), legacy ? member.key : InputText.nfc(member.key), to: &bytes)
                if legacy {
                    canonical(member.value, into: &bytes, legacy: true)
                } else if secretFields.contains(member.key) {
                    bytes.append(UInt8(ascii: "x"))
                } else {
                    canonical(member.value, into: &bytes)
                }
            }
        }
    }
}

/// A canonical, type-tagged byte form of any value, walked through `Mirror` (see
/// ``CommandEnvelope/fingerprint``).
struct CanonicalEncoder {
    var bytes: [UInt8] = []
    /// Whether personal fields' values are encoded (``CommandEnvelope/publicFingerprint`` leaves them out).
    let personal: Bool
    /// Whether a personal field was met (encoded or not).
    var blankedPersonal = false
    /// The form of builds before round 18 (``CommandEnvelope/legacyFingerprint``): secrets encoded,
    /// text as given, personal fields like any other.
    let legacy: Bool

    init(personal: Bool = true, legacy: Bool = false) {
        self.personal = personal
        self.legacy = legacy
    }

    mutating func encode(_ value: Any) {
        switch value {
        case let text as String: leaf(1, Array((legacy ? text : InputText.nfc(text)).utf8))
        case let number as Int: leaf(2, Array(String(number).utf8))
        case let number as Int64: leaf(2, Array(String(number).utf8))
        case let number as UInt64: leaf(2, Array(String(number).utf8))
        case let flag as Bool: leaf(3, [flag ? 1 : 0])
        case let bytes as [UInt8]: leaf(4, bytes)
        default: composite(value)
        }
    }

    private mutating func composite(_ value: Any) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let some = mirror.children.first {
                bytes.append(6)
                encode(some.value)
            } else {
                bytes.append(5)
            }
        case .enum:
            // A case without payload has no children; its description is its name.
            if let payload = mirror.children.first {
                leaf(7, Array((payload.label ?? "").utf8))
                encode(payload.value)
            } else {
                leaf(7, Array(String(describing: value).utf8))
                bytes.append(5)
            }
        case .dictionary, .set:
            let elements = mirror.children.map { child -> [UInt8] in
                var nested = CanonicalEncoder(personal: personal, legacy: legacy)
                nested.encode(child.value)
                if nested.blankedPersonal { blankedPersonal = true }
                return nested.bytes
            }.sorted { $0.lexicographicallyPrecedes($1) }
            sequence(8, elements)
        case .collection:
            let elements = mirror.children.map { child -> [UInt8] in
                var nested = CanonicalEncoder(personal: personal, legacy: legacy)
                nested.encode(child.value)
                if nested.blankedPersonal { blankedPersonal = true }
                return nested.bytes
            }
            sequence(9, elements)
        case nil where mirror.children.isEmpty:
            // Another leaf (a floating-point number, say): its description.
            leaf(13, Array(String(describing: value).utf8))
        default:
            // Structs, classes and tuples: fields in declaration order, each named.
            bytes.append(10)
            leaf(11, Array(String(describing: mirror.subjectType).utf8))
            var count = 0
            for child in mirror.children {
                let label = child.label ?? ""
                leaf(12, Array(label.utf8))
                if legacy {
                    encode(child.value)
                } else if CommandEnvelope.secretFields.contains(label) {
                    leaf(14, [])
                } else if CommandEnvelope.personalFields.contains(label) {
                    blankedPersonal = true
                    if personal { encode(child.value) } else { leaf(15, []) }
                } else {
                    encode(child.value)
                }
                count += 1
            }
            appendLength(count)
        }
    }

    private mutating func leaf(_ tag: UInt8, _ payload: [UInt8]) {
        bytes.append(tag)
        appendLength(payload.count)
        bytes.append(contentsOf: payload)
    }

    private mutating func sequence(_ tag: UInt8, _ elements: [[UInt8]]) {
        bytes.append(tag)
        appendLength(elements.count)
        for element in elements {
            appendLength(element.count)
            bytes.append(contentsOf: element)
        }
    }

    private mutating func appendLength(_ length: Int) {
        Self.appendLength(length, to: &bytes)
    }

    static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        var value = UInt64(length)
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
    }
}

extension CommandEnvelope {
    /// The first character refused by the input rules (a control character other than newline and
    /// tab, a bidirectional override or isolate, a Unicode noncharacter such as the erased-field
    /// marker) in any string of the envelope, found by walking it; nil when there is none. The decoder
    /// checks lines itself; this is for envelopes built in Swift. ``inputProblem(limits:)`` checks
    /// every input rule, this one among them.
    @available(*, deprecated, message: "use inputProblem(limits:), which checks every input rule")
    public var firstForbiddenScalar: Unicode.Scalar? {
        var found: Unicode.Scalar?
        Self.visitStrings(self) { text in
            guard found == nil else { return }
            found = text.unicodeScalars.first(where: InputText.isForbidden)
        }
        return found
    }

    private static func visitStrings(_ value: Any, _ body: (String) -> Void) {
        if let text = value as? String {
            body(text)
            return
        }
        for child in Mirror(reflecting: value).children { visitStrings(child.value, body) }
    }
}
