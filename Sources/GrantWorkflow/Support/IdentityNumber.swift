/// Checks and masks identity document numbers (R-ACC-2, R-ACC-8).
public enum IdentityNumber {
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Whether `number` is a valid 18-character GB 11643 resident ID number.
    ///
    /// Seventeen digits (the 7th to 14th a real birth date), then the ISO 7064 MOD 11-2 check
    /// character (`0`–`9` or `X`, a lower-case `x` accepted).
    public static func isValidResidentId(_ number: String) -> Bool {
        let characters = Array(number.utf8)
        guard characters.count == 18, let check = checkCharacter(of: characters[0..<17]) else { return false }
        guard let year = CalendarDate.digits(characters, 6, 4), let month = CalendarDate.digits(characters, 10, 2),
            let day = CalendarDate.digits(characters, 12, 2), CalendarDate(year: year, month: month, day: day) != nil
        else { return false }
        let last = Character(Unicode.Scalar(characters[17])).uppercased()
        return String(check) == last
    }

    /// The ISO 7064 MOD 11-2 check character of a resident ID number's first 17 digits (GB 11643);
    /// nil unless `first17` is 17 ASCII digits.
    public static func checkCharacter(of first17: some Collection<UInt8>) -> Character? {
        guard first17.count == 17 else { return nil }
        var sum = 0
        for (byte, weight) in zip(first17, weights) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            sum += Int(byte - UInt8(ascii: "0")) * weight
        }
        return checkCharacters[sum % 11]
    }

    /// Validates a number of the given type (R-ACC-2): GB 11643 for resident IDs, 5–32 characters otherwise.
    public static func isValid(_ number: String, type: IdType) -> Bool { problem(number, type: type) == nil }

    /// Why a number of the given type is not valid (R-ACC-2), in the platform's words; nil when it is.
    ///
    /// A passport or other number is free text of 5–32 characters, but not one that only looks like
    /// another: invisible characters (zero-width spaces, a byte-order mark, soft hyphens and every
    /// other format character), spaces other than U+0020 (no-break, ideographic), line and paragraph
    /// separators, combining marks and the full-width forms of ASCII (`Ｅ`, `１`) are refused, since
    /// two numbers differing only by them would be two people to R-ACC-1's one-account rule.
    public static func problem(_ number: String, type: IdType) -> String? {
        switch type {
        case .residentId:
            return isValidResidentId(number) ? nil : "身份证号码无效 (not a valid GB 11643 resident ID number)"
        case .passport, .other:
            guard (5...32).contains(number.count) else { return "证件号码应为5–32个字符 (5–32 characters)" }
            guard !hasLookAlikes(number) else {
                return "证件号码含有不可见字符、全角字符或特殊空格 (an invisible, full-width or special space character)"
            }
            return nil
        }
    }

    /// Whether `text` holds a character that only makes it look like another text: an invisible
    /// format character, a space other than U+0020, a line or paragraph separator, a control
    /// character, a combining mark or a full-width form of ASCII. Numbers that must be told apart by
    /// eye (passport and other ID numbers, certificate numbers) may not.
    static func hasLookAlikes(_ text: String) -> Bool { text.unicodeScalars.contains(where: isLookAlike) }

    /// Whether `scalar` may not appear in a passport or other number (``problem(_:type:)``).
    private static func isLookAlike(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        if (0xFF01...0xFF5E).contains(scalar.value) { return true }
        switch scalar.properties.generalCategory {
        case .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .nonspacingMark,
            .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// The form used to compare numbers: trimmed, upper-cased (`x` and `X` are the same check character).
    public static func normalized(_ number: String) -> String {
        var number = number
        switch number.withUTF8(normalizedASCII) {
        case .unchanged: return number
        case .changed(let text): return text
        case .notASCII: break
        }
        if PersonalData.isErased(number) { return number }
        return String(number.uppercased().filter { $0 != " " })
    }

    enum ASCIINormalization: Equatable {
        case unchanged
        case changed(String)
        case notASCII
    }

    /// ``normalized(_:)`` of ASCII text (every valid number), byte by byte: the same result as the
    /// general path, which upper-cases by Unicode's rules and walks grapheme clusters.
    static func normalizedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> ASCIINormalization {
        var changed = false
        for byte in bytes {
            if byte >= 0x80 { return .notASCII }
            if byte == UInt8(ascii: " ") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) { changed = true }
        }
        guard changed else { return .unchanged }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes where byte != UInt8(ascii: " ") {
            out.append((UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte)
        }
        return .changed(String(decoding: out, as: UTF8.self))
    }

    /// The number with all but its first 4 and last 4 characters replaced by `*` (R-ACC-8).
    ///
    /// Numbers of 8 characters or fewer are masked entirely.
    public static func masked(_ number: String) -> String {
        if PersonalData.isErased(number) { return number }
        let characters = Array(number)
        guard characters.count > 8 else { return String(repeating: "*", count: characters.count) }
        return String(characters[0..<4]) + String(repeating: "*", count: characters.count - 8)
            + String(characters[(characters.count - 4)...])
    }
}
