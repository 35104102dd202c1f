/// Reads the members of one JSON object with strict validation, naming the field in every error.
///
/// Every member must be read: ``finish()`` refuses the ones that were not (unknown fields).
struct FieldReader {
    /// The line's tokens.
    let tape: JSONTape
    /// The object's token.
    let objectToken: Int
    /// The path of the object's parent field (empty for the line itself).
    let parentPath: String
    /// The object's position in its parent array, when it is an element (`members[2]`).
    let element: Int?
    let limits: InputLimits
    /// The members read so far, by position in the object: bit `n` for the first 64, then a list
    /// (commands have a dozen members; larger objects are maps read member by member).
    var used: UInt64 = 0
    var usedBeyond: [Int] = []
    /// Where the next lookup starts: the member after the one read last (its position and key's
    /// token; the position is the member count after the last member).
    var nextPosition = 0
    var nextKey: Int

    /// One member of the object: its position and its key's token (its value's follows).
    struct Member {
        let position: Int
        let key: Int
        /// The value's token.
        var value: Int { key + 1 }
    }

    init(_ tape: JSONTape, object: Int, path: String, element: Int? = nil, limits: InputLimits) {
        self.tape = tape
        self.objectToken = object
        self.parentPath = path
        self.element = element
        self.limits = limits
        nextKey = object + 1
    }

    /// Reads an object-valued token as a reader; `element` is its position in an array.
    static func object(
        _ tape: JSONTape, _ value: Int, path: @autoclosure () -> String, element: Int? = nil, limits: InputLimits
    ) throws(WorkflowError) -> FieldReader {
        guard tape.kind(value) == .object else {
            let name = path()
            // The line itself is `$` (docs/cli.md), as for the other whole-line errors.
            throw WorkflowError.invalidInput(
                element.map { "\(name)[\($0)]" } ?? (name.isEmpty ? "$" : name),
                "must be an object, not \(tape.kind(value).typeName)")
        }
        return FieldReader(tape, object: value, path: path(), element: element, limits: limits)
    }

    /// The path of this object (`budget`, `members[2]`); made only for error messages.
    var path: String { element.map { "\(parentPath)[\($0)]" } ?? parentPath }

    func fieldName(_ key: String) -> String {
        let path = path
        return path.isEmpty ? key : path + "." + key
    }

    func fieldName(_ key: StaticString) -> String { fieldName(key.description) }

    /// The path of a member, named by its key as written (escapes decoded), bounded and with control,
    /// bidi and noncharacter scalars escaped (``InputText/shownKey(_:)``): the key is the client's.
    func fieldName(_ member: Member) -> String { fieldName(InputText.shownKey(tape.string(member.key))) }

    /// How many members the object holds.
    var memberCount: Int { tape.count(objectToken) }

    /// The keys in source order.
    var keys: [String] { tape.keys(objectToken) }

    /// The first member, if any.
    var firstMember: Member? { memberCount > 0 ? Member(position: 0, key: objectToken + 1) : nil }

    /// The member after `member`, if any.
    func member(after member: Member) -> Member? {
        member.position + 1 < memberCount ? Member(position: member.position + 1, key: tape.next(member.value)) : nil
    }

    /// The member named `key`, searching from the one after the member read last to the end and
    /// then from the beginning: members read in the order they are written are found at once.
    func find(_ key: StaticString) -> Member? {
        let count = memberCount
        if nextPosition < count, tape.key(nextKey, is: key) { return Member(position: nextPosition, key: nextKey) }
        if tape.lacks(objectToken, key) { return nil }
        var position = nextPosition
        var token = nextKey
        while position < count {
            if tape.key(token, is: key) { return Member(position: position, key: token) }
            token = tape.next(token + 1)
            position += 1
        }
        position = 0
        token = objectToken + 1
        while position < nextPosition, position < count {
            if tape.key(token, is: key) { return Member(position: position, key: token) }
            token = tape.next(token + 1)
            position += 1
        }
        return nil
    }

    private func isUsed(_ position: Int) -> Bool {
        position < 64 ? used & (1 << UInt64(position)) != 0 : usedBeyond.contains(position)
    }

    private mutating func markUsed(_ member: Member) {
        nextPosition = member.position + 1
        nextKey = tape.next(member.value)
        let position = member.position
        if position < 64 {
            used |= 1 << UInt64(position)
        } else if !usedBeyond.contains(position) {
            usedBeyond.append(position)
        }
    }

    /// Whether the member is present and not null.
    func has(_ key: StaticString) -> Bool {
        if let member = find(key), !tape.isNull(member.value) { return true }
        return false
    }

    /// The value's token of the member named `key`, marked read; nil when absent or null.
    mutating func raw(_ key: StaticString) -> Int? {
        guard let member = find(key) else { return nil }
        return raw(member)
    }

    /// The value's token of `member`, marked read; nil when null.
    mutating func raw(_ member: Member) -> Int? {
        markUsed(member)
        return tape.isNull(member.value) ? nil : member.value
    }

    mutating func required(_ key: StaticString) throws(WorkflowError) -> Int {
        guard let value = raw(key) else { throw WorkflowError.invalidInput(fieldName(key), "is required") }
        return value
    }

    /// Refuses members that were not read.
    func finish() throws(WorkflowError) {
        var member = firstMember
        while let current = member {
            if !isUsed(current.position) { throw WorkflowError.invalidInput(fieldName(current), "unknown field") }
            member = self.member(after: current)
        }
    }

    // MARK: strings

    enum Length {
        case name
        case text
        case unlimited
    }

    /// Checks a string value by the input rules (``InputText``): NFC, no control or bidi override
    /// characters, the length limits in scalars and bytes, non-blank unless `allowEmpty`. Every
    /// string a command holds passes here.
    static func checkString(
        _ tape: JSONTape, _ value: Int, field: @autoclosure () -> String, length: Length, allowEmpty: Bool,
        limits: InputLimits
    ) throws(WorkflowError) -> String {
        guard tape.kind(value) == .string else {
            throw WorkflowError.invalidInput(field(), "must be a string, not \(tape.kind(value).typeName)")
        }
        let scalars: Int
        let bytes: Int
        switch length {
        case .name: (scalars, bytes) = (limits.maximumNameLength, limits.maximumNameBytes)
        case .text: (scalars, bytes) = (limits.maximumTextLength, limits.maximumTextBytes)
        case .unlimited: (scalars, bytes) = (Int.max, Int.max)
        }
        let text: String
        do throws(InputText.Refusal) {
            // Without escapes the line's bytes are the text: they are checked where they are, and
            // made a `String` once, when they are already NFC (nearly always).
            if !tape.isEscaped(value),
                try InputText.check(utf8: tape.raw(value), maximumScalars: scalars, maximumBytes: bytes)
            {
                text = tape.string(value)
            } else {
                text = try InputText.normalized(tape.string(value), maximumScalars: scalars, maximumBytes: bytes)
            }
        } catch {
            throw refusal(error, field: field(), scalars: scalars, bytes: bytes)
        }
        if !allowEmpty, Self.isBlank(text) {
            throw WorkflowError.invalidInput(field(), "must not be empty")
        }
        return text
    }

    /// The answer to a text the input rules refuse, for `field` with these length limits.
    static func refusal(_ error: InputText.Refusal, field: String, scalars: Int, bytes: Int) -> WorkflowError {
        switch error {
        case .forbiddenScalar(let scalar):
            return WorkflowError.invalidInput(
                field,
                "holds \(InputText.describe(scalar)): control characters other than newline and tab, "
                    + "bidirectional overrides and isolates, and Unicode noncharacters are not allowed")
        case .tooLong:
            return WorkflowError.invalidInput(
                field, "is longer than \(scalars) characters (Unicode scalars) or \(bytes) UTF-8 bytes")
        }
    }

    /// Whether `text` is empty or only white space and characters that show nothing (a zero-width
    /// space, a byte-order mark, a soft hyphen: Unicode's default-ignorable code points). Decided by
    /// the first byte when it is a visible ASCII character (nearly always), without the grapheme
    /// machinery of `Character.isWhitespace`.
    static func isBlank(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        if first > 0x20 && first < 0x7F { return false }
        // A CJK ideograph first (most Chinese text) is not white space either.
        if let scalar = text.unicodeScalars.first, (0x3400...0x9FFF).contains(scalar.value) { return false }
        return text.unicodeScalars.allSatisfy {
            $0.properties.isWhitespace || $0.properties.isDefaultIgnorableCodePoint
        }
    }

    /// Checks an identifier value: a string matching `[A-Za-z0-9][A-Za-z0-9._&-]{0,63}`.
    static func checkIdentifier(
        _ tape: JSONTape, _ value: Int, field: @autoclosure () -> String
    ) throws(WorkflowError) -> String {
        guard tape.kind(value) == .string else {
            throw WorkflowError.invalidInput(field(), "must be a string, not \(tape.kind(value).typeName)")
        }
        let isIdentifier =
            tape.isEscaped(value)
            ? InputText.isIdentifier(tape.string(value)) : InputText.isIdentifier(utf8: tape.raw(value))
        guard isIdentifier else {
            throw WorkflowError.invalidInput(
                field(), "must be an identifier: 1–64 of A–Z a–z 0–9 . _ & -, starting with a letter or digit")
        }
        return tape.string(value)
    }

    /// A required identifier (`accountId`, `projectNo`, `unitId` …).
    mutating func identifier(_ key: StaticString) throws(WorkflowError) -> String {
        try Self.checkIdentifier(tape, try required(key), field: fieldName(key))
    }

    /// An optional identifier.
    mutating func optionalIdentifier(_ key: StaticString) throws(WorkflowError) -> String? {
        guard let value = raw(key) else { return nil }
        return try Self.checkIdentifier(tape, value, field: fieldName(key))
    }

    /// A required array of identifiers.
    mutating func identifiers(_ key: StaticString) throws(WorkflowError) -> [String] {
        let items = try array(key)
        var result: [String] = []
        var item = items + 1
        for index in 0..<tape.count(items) {
            result.append(try Self.checkIdentifier(tape, item, field: "\(fieldName(key))[\(index)]"))
            item = tape.next(item)
        }
        return result
    }

    /// A required non-empty short string (names, titles: ≤ 200 scalars and 800 bytes).
    mutating func name(_ key: StaticString) throws(WorkflowError) -> String {
        try Self.checkString(
            tape, try required(key), field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
    }

    /// An optional non-empty short string.
    mutating func optionalName(_ key: StaticString) throws(WorkflowError) -> String? {
        guard let value = raw(key) else { return nil }
        return try Self.checkString(
            tape, value, field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
    }

    /// A required free text (≤ 20,000 scalars and 80,000 bytes; may be empty).
    mutating func text(_ key: StaticString) throws(WorkflowError) -> String {
        try Self.checkString(
            tape, try required(key), field: fieldName(key), length: .text, allowEmpty: true, limits: limits)
    }

    /// An optional free text.
    mutating func optionalText(_ key: StaticString) throws(WorkflowError) -> String? {
        guard let value = raw(key) else { return nil }
        return try Self.checkString(tape, value, field: fieldName(key), length: .text, allowEmpty: true, limits: limits)
    }

    /// An optional free text, the value of `member`.
    mutating func optionalText(_ member: Member) throws(WorkflowError) -> String? {
        guard let value = raw(member) else { return nil }
        return try Self.checkString(
            tape, value, field: fieldName(member), length: .text, allowEmpty: true, limits: limits)
    }

    /// A required string with no length limit but the line's (base64 content).
    mutating func longString(_ key: StaticString) throws(WorkflowError) -> String {
        try Self.checkString(
            tape, try required(key), field: fieldName(key), length: .unlimited, allowEmpty: true, limits: limits)
    }

    // MARK: other scalars

    /// A required boolean.
    mutating func bool(_ key: StaticString) throws(WorkflowError) -> Bool {
        let value = try required(key)
        guard tape.kind(value) == .bool else {
            throw WorkflowError.invalidInput(fieldName(key), "must be a boolean, not \(tape.kind(value).typeName)")
        }
        return tape.bool(value)
    }

    /// Reads an integer number literal exactly; fractions, exponents and out-of-range values are refused.
    static func integer(
        _ tape: JSONTape, _ value: Int, field: @autoclosure () -> String, range: ClosedRange<Int64>
    ) throws(WorkflowError) -> Int64 {
        guard tape.kind(value) == .number else {
            throw WorkflowError.invalidInput(field(), "must be an integer, not \(tape.kind(value).typeName)")
        }
        let digits = tape.raw(value)
        if digits.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            throw WorkflowError.invalidInput(
                field(), "must be an integer (amounts are whole fen), not \(tape.number(value))")
        }
        guard let number = Self.int64(digits), range.contains(number) else {
            throw WorkflowError.invalidInput(field(), "is out of range: \(tape.number(value))")
        }
        return number
    }

    /// The value of an integer literal of JSON (`-`, then digits), nil when it does not fit in 64 bits.
    static func int64(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = digits.first == UInt8(ascii: "-")
        if negative { index = 1 }
        // Accumulated negative, so that Int64.min fits.
        var value: Int64 = 0
        while index < digits.count {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, borrow) = times10.subtractingReportingOverflow(Int64(digits[index] &- UInt8(ascii: "0")))
            if overflow || borrow { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// A required amount in fen (|amount| ≤ 10^15; negative amounts are refused later, by the rules).
    mutating func amount(_ key: StaticString) throws(WorkflowError) -> Fen {
        try Self.integer(
            tape, try required(key), field: fieldName(key), range: -limits.maximumAmount...limits.maximumAmount)
    }

    /// An optional amount in fen.
    mutating func optionalAmount(_ key: StaticString) throws(WorkflowError) -> Fen? {
        guard let value = raw(key) else { return nil }
        return try Self.integer(tape, value, field: fieldName(key), range: -limits.maximumAmount...limits.maximumAmount)
    }

    /// A required non-negative count.
    mutating func count(_ key: StaticString) throws(WorkflowError) -> Int {
        Int(try Self.integer(tape, try required(key), field: fieldName(key), range: 0...1_000_000_000_000))
    }

    /// A required `YYYY-MM-DD` date.
    mutating func date(_ key: StaticString) throws(WorkflowError) -> CalendarDate {
        let text = try Self.checkString(
            tape, try required(key), field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
        guard let date = CalendarDate(text) else {
            // A personal value (a birth date) is not echoed into answers and logs (R-LOG-6).
            let echo = CommandEnvelope.personalFields.contains("\(key)") ? "" : ", not '\(text)'"
            throw WorkflowError.invalidInput(fieldName(key), "must be a date YYYY-MM-DD" + echo)
        }
        return date
    }

    /// An optional ISO 8601 time with offset, checked as a name first (the envelope's `at`).
    mutating func optionalTimestamp(_ key: StaticString) throws(WorkflowError) -> Timestamp? {
        guard let value = raw(key) else { return nil }
        // ASCII without escapes that passes the rules and parses (nearly always) is read from its
        // bytes, without making a `String`; anything else takes the general path and its errors.
        if tape.kind(value) == .string, tape.isPlainASCII(value) {
            let bytes = tape.raw(value)
            if let first = bytes.first, first > 0x20, first < 0x7F,
                (try? InputText.check(
                    utf8: bytes, maximumScalars: limits.maximumNameLength, maximumBytes: limits.maximumNameBytes))
                    == true,
                let milliseconds = Timestamp.parse(bytes)
            {
                return Timestamp(epochMilliseconds: milliseconds)
            }
        }
        let text = try Self.checkString(
            tape, value, field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
        guard let time = Timestamp(iso8601: text) else {
            throw WorkflowError.invalidInput(fieldName(key), "must be an ISO 8601 time with offset, not '\(text)'")
        }
        return time
    }

    /// A required value of a closed set.
    mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ key: StaticString, _ type: Value.Type = Value.self
    )
        throws(WorkflowError) -> Value where Value.RawValue == String
    {
        try Self.choice(tape, try required(key), field: fieldName(key), limits: limits)
    }

    /// An optional value of a closed set.
    mutating func optionalChoice<Value: RawRepresentable & CaseIterable>(
        _ key: StaticString, _ type: Value.Type = Value.self
    )
        throws(WorkflowError) -> Value? where Value.RawValue == String
    {
        guard let value = raw(key) else { return nil }
        return try Self.choice(tape, value, field: fieldName(key), limits: limits)
    }

    static func choice<Value: RawRepresentable & CaseIterable>(
        _ tape: JSONTape, _ value: Int, field: @autoclosure () -> String, limits: InputLimits
    ) throws(WorkflowError) -> Value
    where Value.RawValue == String {
        let text = try checkString(tape, value, field: field(), length: .name, allowEmpty: false, limits: limits)
        guard let choice = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw WorkflowError.invalidInput(field(), "must be one of \(allowed), not '\(text)'")
        }
        return choice
    }

    // MARK: containers

    /// A required array (≤ 1,000 items): its token; its elements follow it.
    mutating func array(_ key: StaticString) throws(WorkflowError) -> Int {
        let value = try required(key)
        guard tape.kind(value) == .array else {
            throw WorkflowError.invalidInput(fieldName(key), "must be an array, not \(tape.kind(value).typeName)")
        }
        guard tape.count(value) <= limits.maximumListCount else {
            throw WorkflowError.invalidInput(fieldName(key), "has more than \(limits.maximumListCount) items")
        }
        return value
    }

    /// A required array of short strings.
    mutating func names(_ key: StaticString) throws(WorkflowError) -> [String] {
        let items = try array(key)
        var result: [String] = []
        var item = items + 1
        for index in 0..<tape.count(items) {
            result.append(
                try Self.checkString(
                    tape, item, field: "\(fieldName(key))[\(index)]", length: .name, allowEmpty: false, limits: limits
                ))
            item = tape.next(item)
        }
        return result
    }

    /// A required object, as a nested reader.
    mutating func object(_ key: StaticString) throws(WorkflowError) -> FieldReader {
        try FieldReader.object(tape, try required(key), path: fieldName(key), limits: limits)
    }

    /// The object that is the value of `member`, as a nested reader (it may not be null).
    mutating func object(_ member: Member) throws(WorkflowError) -> FieldReader {
        guard let value = raw(member) else { throw WorkflowError.invalidInput(fieldName(member), "is required") }
        return try FieldReader.object(tape, value, path: fieldName(member), limits: limits)
    }

    /// A required table from category to amount (≤ 1,000 entries).
    mutating func amounts(_ key: StaticString) throws(WorkflowError) -> [String: Fen] {
        var table = try object(key)
        guard table.memberCount <= limits.maximumListCount else {
            throw WorkflowError.invalidInput(fieldName(key), "has more than \(limits.maximumListCount) entries")
        }
        var result: [String: Fen] = [:]
        var member = table.firstMember
        while let current = member {
            let name = try table.key(current)
            guard result[name] == nil else {
                throw WorkflowError.invalidInput(table.fieldName(current), "duplicate key once normalised to NFC")
            }
            guard let value = table.raw(current) else {
                throw WorkflowError.invalidInput(table.fieldName(current), "is required")
            }
            result[name] = try Self.integer(
                tape, value, field: table.fieldName(current), range: -limits.maximumAmount...limits.maximumAmount)
            member = table.member(after: current)
        }
        return result
    }

    /// A member name used as data (a budget category, an extra profile field), checked like a name
    /// and normalised to NFC.
    func key(_ member: Member) throws(WorkflowError) -> String {
        try Self.checkString(
            tape, member.key, field: fieldName(member), length: .name, allowEmpty: false, limits: limits)
    }
}
