/// Personal data in events (R-LOG-6): which fields are personal, whose they are, how they are sealed
/// in a payload and how an erased one reads back.
///
/// Personal fields (ID numbers, phone numbers and the usernames that are phone numbers, e-mail
/// addresses, birth dates, gender, other profile fields, and an account's name) are written through
/// ``BinaryWriter/writePersonal(_:of:)``. With a ``PersonalFieldSealer`` (the engine, when it appends
/// an event) the field is encrypted under its subject's key; without one (read models, old layouts)
/// it is written plain. Reading goes through ``BinaryReader/readPersonal(_:)``: an encrypted field
/// comes back plain while its subject's key exists, and as an erased value once the key is
/// destroyed.
///
/// An erased text is a pseudonym, ``PersonalData/erasedText(subject:)``: a marker that input can
/// never contain (U+FDD0, a Unicode noncharacter, refused by the input rules) followed by the
/// subject's random id. Two fields of the same erased person stay equal and fields of two erased
/// people stay different, so the workflow's comparisons replay the same way before and after an
/// erasure, and nothing links the pseudonym back to the person once the key is gone. Outputs render
/// it as erased (`{"erased": true}` in JSON, `已删除` in tables and forms).
public enum PersonalData {
    /// The first scalar of every erased text (a noncharacter: no input may contain it).
    public static let marker = Unicode.Scalar(UInt32(0xFDD0))!

    /// The prefix of every erased text.
    public static let erasedPrefix = String(Character(marker)) + "erased:"

    /// What tables and forms show for an erased field.
    public static let erasedLabel = "已删除"

    /// The erased text of a subject (its id as 32 hex digits).
    public static func erasedText(subject: [UInt8]) -> String {
        erasedPrefix + PasswordHasher.hex(subject)
    }

    /// Whether `text` is an erased field.
    public static func isErased(_ text: String) -> Bool {
        text.unicodeScalars.first == marker && text.hasPrefix(erasedPrefix)
    }

    /// `text` with every erased field written inside it (a change's "张三 <number>", say) shown as
    /// ``erasedLabel``; a text that is one erased field whole stays as it is, for the output's own
    /// rendering (`{"erased": true}` in JSON). The pseudonym never leaves the engine.
    public static func redactingErased(_ text: String) -> String {
        guard text.unicodeScalars.contains(marker), !isErased(text) else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: erasedPrefix) {
            result += rest[..<range.lowerBound]
            rest = rest[range.upperBound...]
            result += erasedLabel
            let digits = rest.prefix(32)
            if digits.count == 32, digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
            {
                rest = rest.dropFirst(32)
            }
        }
        return result + rest
    }

    /// The subject id inside an erased text; nil for any other text.
    public static func erasedSubject(_ text: String) -> [UInt8]? {
        guard isErased(text) else { return nil }
        return subjectId(hex: String(decoding: text.utf8.dropFirst(erasedPrefix.utf8.count), as: UTF8.self))
    }

    /// The bytes of a subject id written as 32 lowercase hex digits; nil for anything else.
    public static func subjectId(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == SubjectID.byteCount * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(SubjectID.byteCount)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// The size of a subject's random id.
public enum SubjectID {
    /// 16 random bytes.
    public static let byteCount = 16
}

/// Whose a personal field is: a person, found by the (normalised) number of an identity document,
/// or an account without one (an admin account). `account` names the account the field belongs to
/// when there is one, so the engine can link the account to the person.
public enum SubjectRef: Hashable, Sendable {
    /// A person with an identity document number, optionally seen through one of their accounts.
    case person(idNumber: String, account: String?)
    /// The person behind an account: the account's identity document when it has one, else the
    /// account itself.
    case account(String)
    /// The holder of an account, whatever document it names: what they typed about themselves when
    /// registering (username, e-mail address, name). A registration may name someone else's document
    /// number (and be rejected for it); what the registrant typed is theirs, not that person's.
    case ownAccount(String)

    /// A person by document number, with no account.
    public static func person(_ idNumber: String) -> SubjectRef { .person(idNumber: idNumber, account: nil) }

    /// The account the field is seen through, if any.
    public var account: String? {
        switch self {
        case .person(_, let account): return account
        case .account(let id), .ownAccount(let id): return id
        }
    }
}

/// Encrypts personal fields as an event is encoded (the engine's subject keys).
///
/// The sealer cannot fail the encoding: it remembers a storage failure and the engine refuses the
/// command afterwards.
public protocol PersonalFieldSealer: AnyObject, Sendable {
    /// Seals `plaintext` for `subject`: the subject's id and the AES-GCM box (nonce, ciphertext, tag).
    func seal(_ plaintext: [UInt8], for subject: SubjectRef) -> (subject: [UInt8], box: [UInt8])
}

/// Opens sealed personal fields as an event is decoded (the engine's subject keys).
public protocol PersonalFieldOpener: AnyObject, Sendable {
    /// The plaintext of `box`, sealed for `subject`; nil when the subject was erased. Throws when the
    /// key is missing for a subject that was never erased, or the box does not authenticate.
    func open(_ box: [UInt8], subject: [UInt8]) throws(BinaryDecodingError) -> [UInt8]?

    /// ``open(_:subject:)`` of a box and subject read in place from a payload (the decoder's path:
    /// no copies). The default copies them and calls ``open(_:subject:)``.
    func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>
    ) throws(BinaryDecodingError) -> [UInt8]?

    /// ``open(box:subject:)`` that hands the plaintext to `body` instead of returning it (an opener
    /// may decrypt into scratch memory that lives only for the call). Returns false, without calling
    /// `body`, when the subject was erased. The default calls ``open(box:subject:)``.
    func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>,
        reading body: (UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> Void
    ) throws(BinaryDecodingError) -> Bool
}

extension PersonalFieldOpener {
    /// Copies the box and the subject, and calls ``open(_:subject:)``.
    public func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>
    ) throws(BinaryDecodingError) -> [UInt8]? {
        try open(Array(box), subject: Array(subject))
    }

    /// Calls ``open(box:subject:)`` and hands `body` the plaintext it returns.
    public func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>,
        reading body: (UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> Void
    ) throws(BinaryDecodingError) -> Bool {
        guard let plaintext = try open(box: box, subject: subject) else { return false }
        try plaintext.withUnsafeBufferPointer { (bytes) throws(BinaryDecodingError) in try body(bytes) }
        return true
    }
}

/// A value that can be a personal field: it has an erased form.
public protocol PersonalValue: BinaryCodable {
    /// The value shown for an erased field of `subject`.
    static func erased(subject: [UInt8]) -> Self
    /// The subject of an erased value; nil for a live value.
    var erasedSubject: [UInt8]? { get }
    /// The value whose whole binary form is `plaintext` (``BinaryCodable/init(binaryEncoded:)``), read
    /// where it lies when the type can; the default copies it.
    static func decode(plaintext: UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> Self
}

extension PersonalValue {
    /// ``BinaryCodable/init(binaryEncoded:)`` of a copy.
    public static func decode(plaintext: UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> Self {
        try Self(binaryEncoded: Array(plaintext))
    }
}

extension String: PersonalValue {
    /// ``PersonalData/erasedText(subject:)``.
    public static func erased(subject: [UInt8]) -> String { PersonalData.erasedText(subject: subject) }
    /// The subject of an erased text.
    public var erasedSubject: [UInt8]? { PersonalData.erasedSubject(self) }
    /// Read in place (no copy of the plaintext).
    public static func decode(plaintext: UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> String {
        try BinaryReader.wholeString(plaintext)
    }
}

extension CalendarDate: PersonalValue {
    /// An erased date: a fixed day outside every range a date may be entered in.
    public static let erasedDate = CalendarDate(daysSinceEpoch: -99_999)

    /// ``erasedDate`` (dates are not compared across people).
    public static func erased(subject: [UInt8]) -> CalendarDate { erasedDate }

    /// Whether this is the erased date.
    public var isErased: Bool { self == CalendarDate.erasedDate }

    /// An all-zero subject for the erased date.
    public var erasedSubject: [UInt8]? { isErased ? [UInt8](repeating: 0, count: SubjectID.byteCount) : nil }
}

extension Dictionary: PersonalValue where Key == String, Value == String {
    /// Erased further profile fields read back as none.
    public static func erased(subject: [UInt8]) -> [String: String] { [:] }
    /// Never erased in place: an empty set is sealed like any other.
    public var erasedSubject: [UInt8]? { nil }
}

extension BinaryWriter {
    /// Writes a personal field of `subject`: sealed when the writer has a ``sealer``, plain otherwise.
    ///
    /// Sealed layout: tag 1, the 16-byte subject id, the length-prefixed AES-GCM box; or tag 0 and the
    /// subject id for a value that was already erased when the event was decided.
    public mutating func writePersonal<Value: PersonalValue>(_ value: Value, of subject: SubjectRef) {
        guard let sealer else {
            value.encode(to: &self)
            return
        }
        if let erased = value.erasedSubject {
            writeByte(0)
            appendRaw(erased)
            return
        }
        let sealed = sealer.seal(value.binaryEncoded, for: subject)
        writeByte(1)
        appendRaw(sealed.subject)
        writeBytes(sealed.box)
    }
}

extension BinaryReader {
    /// Reads a personal field: plain in read models and in events written before encryption;
    /// otherwise sealed, opened with the reader's ``opener`` (erased when the subject's key is gone,
    /// or when there is no opener).
    public mutating func readPersonal<Value: PersonalValue>(
        _ type: Value.Type = Value.self
    ) throws(BinaryDecodingError) -> Value {
        guard personalSealed else { return try Value(from: &self) }
        switch try readByte() {
        case 0:
            return Value.erased(subject: try readRaw(count: SubjectID.byteCount))
        case 1:
            // The subject and the box are opened where they lie in the payload.
            let subject = try skip(SubjectID.byteCount)
            let boxCount = try readCount()
            let box = try skip(boxCount)
            // The plaintext is decoded where the opener put it (scratch memory, no array per field).
            var value: Value?
            if let opener {
                _ = try buffer.withUnsafeBufferPointer { (bytes) throws(BinaryDecodingError) in
                    try opener.open(
                        box: UnsafeBufferPointer(rebasing: bytes[box]),
                        subject: UnsafeBufferPointer(rebasing: bytes[subject])
                    ) { (plaintext) throws(BinaryDecodingError) in value = try Value.decode(plaintext: plaintext) }
                }
            }
            return value ?? Value.erased(subject: Array(buffer[subject]))
        default:
            throw BinaryDecodingError("invalid personal field tag")
        }
    }
}

extension BinaryWriter {
    /// Writes a list of identity document numbers, each a personal field of its own person.
    public mutating func writePersonalIdNumbers(_ numbers: [String]) {
        writeVarint(UInt64(numbers.count))
        for number in numbers { writePersonal(number, of: .person(number)) }
    }
}

extension BinaryReader {
    /// Reads a list written by ``BinaryWriter/writePersonalIdNumbers(_:)``.
    public mutating func readPersonalIdNumbers() throws(BinaryDecodingError) -> [String] {
        let count = try readCount()
        var numbers: [String] = []
        numbers.reserveCapacity(count)
        for _ in 0..<count { numbers.append(try readPersonal()) }
        return numbers
    }
}
