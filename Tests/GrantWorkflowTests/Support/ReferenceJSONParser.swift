@testable import GrantWorkflow

/// The tree parser `JSONParser` was before it read through `JSONTape` (kept here as the reference the
/// tape is checked against: `CommandDecoderTapeTests`), changed since only where the answer changed:
/// a duplicate key's `field` is its whole path (`leader.name`, `members[0].unit`), its keys shown as
/// `InputText.shownKey` shows them.
///
/// A strict, bounded JSON parser over UTF-8 bytes: never crashes, whatever the input.
///
/// Refuses invalid UTF-8, nesting deeper than ``maximumDepth``, duplicate keys, lone surrogates,
/// control characters in strings, and trailing content. Errors are `invalidInput` with field `$`.
struct ReferenceJSONParser {
    static let maximumDepth = JSONParser.maximumDepth
    static let maximumNumberLength = JSONParser.maximumNumberLength

    let bytes: [UInt8]
    var index = 0

    /// Parses a whole document.
    ///
    /// Invalid UTF-8 anywhere is refused as such, before any other fault. Strings are checked as
    /// they are read, and outside strings a JSON text is ASCII (any other byte is a syntax error),
    /// so a parse that succeeds has checked every byte; a parse that fails checks the whole line
    /// before it reports its own error.
    static func parse(_ bytes: [UInt8]) throws(WorkflowError) -> JSONValue {
        var parser = ReferenceJSONParser(bytes: bytes)
        do throws(WorkflowError) {
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw parser.fail("unexpected content after the JSON value") }
            return value
        } catch {
            if !bytes.withUnsafeBytes(UTF8Validation.isValid) { throw invalidUTF8 }
            throw error
        }
    }

    static var invalidUTF8: WorkflowError { JSONParser.invalidUTF8 }

    func fail(_ message: String) -> WorkflowError {
        WorkflowError.invalidInput("$", "invalid JSON at byte \(index): \(message)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(WorkflowError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth)") }
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(WorkflowError) -> JSONValue {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw fail("invalid literal") }
            index += 1
        }
        return value
    }

    mutating func parseObject(depth: Int) throws(WorkflowError) -> JSONValue {
        index += 1
        var object = JSONObject(capacity: 16)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            let value: JSONValue
            do {
                value = try parseValue(depth: depth + 1)
            } catch {
                throw Self.prefixed(error, InputText.shownKey(key))
            }
            guard object.insert(key, value) else {
                let shown = InputText.shownKey(key)
                throw WorkflowError.invalidInput(shown, "duplicate key '\(shown)'")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            index += 1
            return .object(object)
        }
    }

    /// A duplicate key's error from inside a value, under the member's key or the element's index.
    static func prefixed(_ error: WorkflowError, _ segment: String) -> WorkflowError {
        guard let field = error.field, field != "$" else { return error }
        var error = error
        error.field = field.first == "[" ? segment + field : segment + "." + field
        return error
    }

    mutating func parseArray(depth: Int) throws(WorkflowError) -> JSONValue {
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            do {
                values.append(try parseValue(depth: depth + 1))
            } catch {
                throw Self.prefixed(error, "[\(values.count)]")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            index += 1
            return .array(values)
        }
    }

    mutating func parseNumber() throws(WorkflowError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        guard index - start <= Self.maximumNumberLength else { throw fail("number too long") }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A string's bytes from `start` to `end` as a `String`, refused unless they are UTF-8.
    func string(from start: Int, to end: Int) throws(WorkflowError) -> String {
        let text: String? = bytes.withUnsafeBufferPointer { buffer in
            let run = UnsafeBufferPointer(rebasing: buffer[start..<end])
            return UTF8Validation.isValid(run) ? String(decoding: run, as: UTF8.self) : nil
        }
        guard let text else { throw Self.invalidUTF8 }
        return text
    }

    mutating func parseString() throws(WorkflowError) -> String {
        index += 1
        let start = index
        // Nearly every string has no escape: it is made from its bytes at once.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try string(from: start, to: index)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
        }
        index = start
        var out: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard out.withUnsafeBytes(UTF8Validation.isValid) else { throw Self.invalidUTF8 }
                return String(decoding: out, as: UTF8.self)
            }
            if byte < 0x20 { throw fail("control character in string") }
            if byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            out.append(contentsOf: bytes[runStart..<index])
            index += 1
            guard index < bytes.count else { throw fail("unterminated escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalarValue = try parseHex4()
                if (0xD800...0xDBFF).contains(scalarValue) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw fail("lone surrogate") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalarValue) {
                    throw fail("lone surrogate")
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { throw fail("invalid escape") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("invalid escape")
            }
            runStart = index
        }
    }

    mutating func parseHex4() throws(WorkflowError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
