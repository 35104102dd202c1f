/// Reads the members of one JSON object with strict validation, naming the field in every error.
///
/// Every member must be read: ``finish()`` refuses the ones that were not (unknown fields).
struct FieldReader {
    let object: JSONObject
    /// The path of the object's parent field (empty for the line itself).
    let parentPath: String
    /// The object's position in its parent array, when it is an element (`members[2]`).
    let element: Int?
    let limits: InputLimits
    /// The members read so far, by position in ``JSONObject/keys``: bit `n` for the first 64, then
    /// a list (commands have a dozen members; larger objects are maps read in a loop).
    var used: UInt64 = 0
    var usedBeyond: [Int] = []
    /// Where the next lookup starts: after the member read last.
    var next = 0

    init(_ object: JSONObject, path: String, element: Int? = nil, limits: InputLimits) {
        self.object = object
        self.parentPath = path
        self.element = element
        self.limits = limits
    }

    /// Reads an object-valued JSON value as a reader; `element` is its position in an array.
    static func object(
        _ value: JSONValue, path: @autoclosure () -> String, element: Int? = nil, limits: InputLimits
    ) throws(WorkflowError) -> FieldReader {
        guard case .object(let object) = value else {
            let name = path()
            throw WorkflowError.invalidInput(
                element.map { "\(name)[\($0)]" } ?? name, "must be an object, not \(value.typeName)")
        }
        return FieldReader(object, path: path(), element: element, limits: limits)
    }

    /// The path of this object (`budget`, `members[2]`); made only for error messages.
    var path: String { element.map { "\(parentPath)[\($0)]" } ?? parentPath }

    func fieldName(_ key: String) -> String {
        let path = path
        return path.isEmpty ? key : path + "." + key
    }

    private func isUsed(_ position: Int) -> Bool {
        position < 64 ? used & (1 << UInt64(position)) != 0 : usedBeyond.contains(position)
    }

    private mutating func markUsed(_ position: Int) {
        if position < 64 {
            used |= 1 << UInt64(position)
        } else if !usedBeyond.contains(position) {
            usedBeyond.append(position)
        }
    }

    /// Whether the member is present and not null.
    func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    mutating func raw(_ key: String) -> JSONValue? {
        guard let position = object.position(of: key, from: next) else { return nil }
        next = position + 1
        markUsed(position)
        let value = object.value(at: position)
        if case .null = value { return nil }
        return value
    }

    mutating func required(_ key: String) throws(WorkflowError) -> JSONValue {
        guard let value = raw(key) else { throw WorkflowError.invalidInput(fieldName(key), "is required") }
        return value
    }

    /// Refuses members that were not read.
    func finish() throws(WorkflowError) {
        for (position, key) in object.keys.enumerated() where !isUsed(position) {
            throw WorkflowError.invalidInput(fieldName(key), "unknown field")
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
        _ value: JSONValue, field: @autoclosure () -> String, length: Length, allowEmpty: Bool, limits: InputLimits
    ) throws(WorkflowError) -> String {
        guard case .string(let raw) = value else {
            throw WorkflowError.invalidInput(field(), "must be a string, not \(value.typeName)")
        }
        let scalars: Int
        let bytes: Int
        switch length {
        case .name: (scalars, bytes) = (limits.maximumNameLength, limits.maximumNameBytes)
        case .text: (scalars, bytes) = (limits.maximumTextLength, limits.maximumTextBytes)
        case .unlimited: (scalars, bytes) = (Int.max, Int.max)
        }
        let text: String
        do {
            text = try InputText.normalized(raw, maximumScalars: scalars, maximumBytes: bytes)
        } catch {
            switch error {
            case .forbiddenScalar(let scalar):
                throw WorkflowError.invalidInput(
                    field(),
                    "holds \(InputText.describe(scalar)): control characters other than newline and tab, "
                        + "bidirectional overrides and isolates, and Unicode noncharacters are not allowed")
            case .tooLong:
                throw WorkflowError.invalidInput(
                    field(), "is longer than \(scalars) characters (Unicode scalars) or \(bytes) UTF-8 bytes")
            }
        }
        if !allowEmpty, Self.isBlank(text) {
            throw WorkflowError.invalidInput(field(), "must not be empty")
        }
        return text
    }

    /// Whether `text` is empty or only white space. Decided by the first byte when it is a visible
    /// ASCII character (nearly always), without the grapheme machinery of `Character.isWhitespace`.
    static func isBlank(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        if first > 0x20 && first < 0x7F { return false }
        // A CJK ideograph first (most Chinese text) is not white space either.
        if let scalar = text.unicodeScalars.first, (0x3400...0x9FFF).contains(scalar.value) { return false }
        return text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// Checks an identifier value: a string matching `[A-Za-z0-9][A-Za-z0-9._&-]{0,63}`.
    static func checkIdentifier(_ value: JSONValue, field: @autoclosure () -> String) throws(WorkflowError) -> String {
        guard case .string(let text) = value else {
            throw WorkflowError.invalidInput(field(), "must be a string, not \(value.typeName)")
        }
        guard InputText.isIdentifier(text) else {
            throw WorkflowError.invalidInput(
                field(), "must be an identifier: 1–64 of A–Z a–z 0–9 . _ & -, starting with a letter or digit")
        }
        return text
    }

    /// A required identifier (`accountId`, `projectNo`, `unitId` …).
    mutating func identifier(_ key: String) throws(WorkflowError) -> String {
        try Self.checkIdentifier(try required(key), field: fieldName(key))
    }

    /// An optional identifier.
    mutating func optionalIdentifier(_ key: String) throws(WorkflowError) -> String? {
        guard let value = raw(key) else { return nil }
        return try Self.checkIdentifier(value, field: fieldName(key))
    }

    /// A required array of identifiers.
    mutating func identifiers(_ key: String) throws(WorkflowError) -> [String] {
        let items = try array(key)
        var result: [String] = []
        for (index, item) in items.enumerated() {
            result.append(try Self.checkIdentifier(item, field: "\(fieldName(key))[\(index)]"))
        }
        return result
    }

    /// A required non-empty short string (names, titles: ≤ 200 scalars and 800 bytes).
    mutating func name(_ key: String) throws(WorkflowError) -> String {
        try Self.checkString(try required(key), field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
    }

    /// An optional non-empty short string.
    mutating func optionalName(_ key: String) throws(WorkflowError) -> String? {
        guard let value = raw(key) else { return nil }
        return try Self.checkString(value, field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
    }

    /// A required free text (≤ 20,000 scalars and 80,000 bytes; may be empty).
    mutating func text(_ key: String) throws(WorkflowError) -> String {
        try Self.checkString(try required(key), field: fieldName(key), length: .text, allowEmpty: true, limits: limits)
    }

    /// An optional free text.
    mutating func optionalText(_ key: String) throws(WorkflowError) -> String? {
        guard let value = raw(key) else { return nil }
        return try Self.checkString(value, field: fieldName(key), length: .text, allowEmpty: true, limits: limits)
    }

    /// A required string with no length limit but the line's (base64 content).
    mutating func longString(_ key: String) throws(WorkflowError) -> String {
        try Self.checkString(
            try required(key), field: fieldName(key), length: .unlimited, allowEmpty: true, limits: limits)
    }

    // MARK: other scalars

    /// A required boolean.
    mutating func bool(_ key: String) throws(WorkflowError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else {
            throw WorkflowError.invalidInput(fieldName(key), "must be a boolean, not \(value.typeName)")
        }
        return flag
    }

    /// Reads an integer number literal exactly; fractions, exponents and out-of-range values are refused.
    static func integer(
        _ value: JSONValue, field: @autoclosure () -> String, range: ClosedRange<Int64>
    ) throws(WorkflowError) -> Int64 {
        guard case .number(let literal) = value else {
            throw WorkflowError.invalidInput(field(), "must be an integer, not \(value.typeName)")
        }
        if literal.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            throw WorkflowError.invalidInput(field(), "must be an integer (amounts are whole fen), not \(literal)")
        }
        guard let number = Int64(literal), range.contains(number) else {
            throw WorkflowError.invalidInput(field(), "is out of range: \(literal)")
        }
        return number
    }

    /// A required amount in fen (|amount| ≤ 10^15; negative amounts are refused later, by the rules).
    mutating func amount(_ key: String) throws(WorkflowError) -> Fen {
        try Self.integer(try required(key), field: fieldName(key), range: -limits.maximumAmount...limits.maximumAmount)
    }

    /// An optional amount in fen.
    mutating func optionalAmount(_ key: String) throws(WorkflowError) -> Fen? {
        guard let value = raw(key) else { return nil }
        return try Self.integer(value, field: fieldName(key), range: -limits.maximumAmount...limits.maximumAmount)
    }

    /// A required non-negative count.
    mutating func count(_ key: String) throws(WorkflowError) -> Int {
        Int(try Self.integer(try required(key), field: fieldName(key), range: 0...1_000_000_000_000))
    }

    /// A required `YYYY-MM-DD` date.
    mutating func date(_ key: String) throws(WorkflowError) -> CalendarDate {
        let text = try Self.checkString(
            try required(key), field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
        guard let date = CalendarDate(text) else {
            throw WorkflowError.invalidInput(fieldName(key), "must be a date YYYY-MM-DD, not '\(text)'")
        }
        return date
    }

    /// A required value of a closed set.
    mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ key: String, _ type: Value.Type = Value.self
    )
        throws(WorkflowError) -> Value where Value.RawValue == String
    {
        try Self.choice(try required(key), field: fieldName(key), limits: limits)
    }

    /// An optional value of a closed set.
    mutating func optionalChoice<Value: RawRepresentable & CaseIterable>(
        _ key: String, _ type: Value.Type = Value.self
    )
        throws(WorkflowError) -> Value? where Value.RawValue == String
    {
        guard let value = raw(key) else { return nil }
        return try Self.choice(value, field: fieldName(key), limits: limits)
    }

    static func choice<Value: RawRepresentable & CaseIterable>(
        _ value: JSONValue, field: @autoclosure () -> String, limits: InputLimits
    ) throws(WorkflowError) -> Value
    where Value.RawValue == String {
        let text = try checkString(value, field: field(), length: .name, allowEmpty: false, limits: limits)
        guard let choice = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw WorkflowError.invalidInput(field(), "must be one of \(allowed), not '\(text)'")
        }
        return choice
    }

    // MARK: containers

    /// A required array (≤ 1,000 items).
    mutating func array(_ key: String) throws(WorkflowError) -> [JSONValue] {
        let value = try required(key)
        guard case .array(let items) = value else {
            throw WorkflowError.invalidInput(fieldName(key), "must be an array, not \(value.typeName)")
        }
        guard items.count <= limits.maximumListCount else {
            throw WorkflowError.invalidInput(fieldName(key), "has more than \(limits.maximumListCount) items")
        }
        return items
    }

    /// A required array of short strings.
    mutating func names(_ key: String) throws(WorkflowError) -> [String] {
        let items = try array(key)
        var result: [String] = []
        for (index, item) in items.enumerated() {
            result.append(
                try Self.checkString(
                    item, field: "\(fieldName(key))[\(index)]", length: .name, allowEmpty: false, limits: limits))
        }
        return result
    }

    /// A required object, as a nested reader.
    mutating func object(_ key: String) throws(WorkflowError) -> FieldReader {
        try FieldReader.object(try required(key), path: fieldName(key), limits: limits)
    }

    /// A required table from category to amount (≤ 1,000 entries).
    mutating func amounts(_ key: String) throws(WorkflowError) -> [String: Fen] {
        var table = try object(key)
        guard table.object.keys.count <= limits.maximumListCount else {
            throw WorkflowError.invalidInput(fieldName(key), "has more than \(limits.maximumListCount) entries")
        }
        var result: [String: Fen] = [:]
        for category in table.object.keys {
            let name = try table.key(category)
            guard result[name] == nil else {
                throw WorkflowError.invalidInput(table.fieldName(category), "duplicate key once normalised to NFC")
            }
            result[name] = try table.amount(category)
        }
        return result
    }

    /// A member name used as data (a budget category, an extra profile field), checked like a name
    /// and normalised to NFC.
    func key(_ key: String) throws(WorkflowError) -> String {
        try Self.checkString(.string(key), field: fieldName(key), length: .name, allowEmpty: false, limits: limits)
    }
}
