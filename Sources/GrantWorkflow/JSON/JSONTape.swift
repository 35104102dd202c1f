/// A JSON text as a flat list of tokens over its bytes: what the command decoder reads instead of a
/// `JSONValue` tree (docs/decisions.md "Decoding command lines, round 5"), and what `JSONParser`
/// builds its trees from (the one JSON scanner).
///
/// Parsing checks exactly what the tree parser before it checked (`ReferenceJSONParser` in the
/// tests), in the same order and with the same errors: syntax, UTF-8, nesting depth, number length, lone surrogates, control characters in
/// strings, and duplicate keys (keys compared as `String`s, so canonically equivalent keys are
/// duplicates). It allocates only the token list: strings stay where they are in the line and are
/// made into `String`s only when read.
struct JSONTape {
    /// What a token is.
    enum Kind: UInt8 {
        case null
        case bool
        case number
        case string
        case array
        case object

        /// The JSON type name, for error messages (as `JSONValue.typeName`).
        var typeName: String {
            switch self {
            case .null: return "null"
            case .bool: return "boolean"
            case .number: return "number"
            case .string: return "string"
            case .array: return "array"
            case .object: return "object"
            }
        }
    }

    /// One value, or one object key. An object's token is followed by its members, each a key
    /// token and its value's tokens; an array's by its elements' tokens.
    struct Token {
        var kind: Kind
        /// Strings: ``escaped`` and ``nonASCII``. Booleans: 1 for `true`. Objects: 1 when every
        /// key is ASCII without escapes, so that ``end`` holds their ``keyBit(length:first:)``s.
        var flags: UInt8
        /// Strings (between the quotes) and numbers: the first byte. Arrays and objects: how many
        /// elements or members they hold.
        var start: Int
        /// Strings and numbers: the byte after the last. Objects: their keys' bits, see ``flags``.
        var end: Int
        /// The token after this value and everything inside it.
        var next: Int
    }

    /// A string token holds at least one escape.
    static let escaped: UInt8 = 1
    /// A string token holds a byte of 0x80 or more.
    static let nonASCII: UInt8 = 2

    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: UnsafeBufferPointer<Token>

    /// Parses `line` and calls `body` with its tape; the tape is valid only inside `body`.
    /// At most `maximumTokens` values (and keys): a command line's limit by default.
    static func withTape<Result>(
        _ line: [UInt8], maximumTokens: Int = JSONTapeParser.maximumTokens,
        _ body: (JSONTape) throws(WorkflowError) -> Result
    ) throws(WorkflowError) -> Result {
        try line.withUnsafeBufferPointer { bytes throws(WorkflowError) in
            let tokens = try JSONTapeParser.parse(bytes, maximumTokens: maximumTokens)
            return try tokens.withUnsafeBufferPointer { tokens throws(WorkflowError) in
                try body(JSONTape(bytes: bytes, tokens: tokens))
            }
        }
    }

    /// A key's bit among 64 by its length and first byte: two keys of ASCII without escapes with
    /// different bits differ.
    @inline(__always)
    static func keyBit(length: Int, first: UInt8) -> UInt64 {
        UInt64(1) << UInt64((length &* 7 &+ Int(first)) & 63)
    }

    /// Whether the object token `object` has no key of ASCII `name` (`false` when it cannot tell).
    func lacks(_ object: Int, _ name: StaticString) -> Bool {
        let item = tokens[object]
        guard item.flags != 0, name.hasPointerRepresentation, name.isASCII else { return false }
        let count = name.utf8CodeUnitCount
        let bit = Self.keyBit(length: count, first: count > 0 ? name.utf8Start.pointee : 0)
        return UInt64(UInt(bitPattern: item.end)) & bit == 0
    }

    /// The root value's token.
    static let root = 0

    func kind(_ token: Int) -> Kind { tokens[token].kind }

    /// How many elements or members an array or object holds.
    func count(_ token: Int) -> Int { tokens[token].start }

    /// The token after `token`'s value.
    func next(_ token: Int) -> Int { tokens[token].next }

    /// Whether `token` is `null`.
    func isNull(_ token: Int) -> Bool { tokens[token].kind == .null }

    /// A boolean token's value.
    func bool(_ token: Int) -> Bool { tokens[token].flags != 0 }

    /// The bytes of a string token (between the quotes, escapes as written) or a number token.
    func raw(_ token: Int) -> UnsafeBufferPointer<UInt8> {
        let item = tokens[token]
        return UnsafeBufferPointer(rebasing: bytes[item.start..<item.end])
    }

    /// Whether a string token is ASCII without escapes: its bytes are its text.
    func isPlainASCII(_ token: Int) -> Bool { tokens[token].flags == 0 }

    /// Whether a string token holds an escape.
    func isEscaped(_ token: Int) -> Bool { tokens[token].flags & Self.escaped != 0 }

    /// A string token's text, escapes decoded.
    func string(_ token: Int) -> String {
        let item = tokens[token]
        let run = UnsafeBufferPointer(rebasing: bytes[item.start..<item.end])
        if item.flags & Self.escaped == 0 { return String(decoding: run, as: UTF8.self) }
        return Self.unescape(run)
    }

    /// A number token's text.
    func number(_ token: Int) -> String { String(decoding: raw(token), as: UTF8.self) }

    /// Whether the key token `key` names `name`: bytes are compared when both are ASCII without
    /// escapes, `String`s (canonical equivalence, as `JSONObject` compares keys) otherwise.
    func key(_ key: Int, is name: StaticString) -> Bool {
        let item = tokens[key]
        if item.flags == 0, name.hasPointerRepresentation, name.isASCII {
            let count = name.utf8CodeUnitCount
            guard item.end - item.start == count else { return false }
            let theirs = name.utf8Start
            var index = 0
            while index < count {
                if bytes[item.start + index] != theirs[index] { return false }
                index += 1
            }
            return true
        }
        return string(key) == name.description
    }

    /// Whether two key tokens name the same key (as `String`s compare).
    func key(_ first: Int, equals second: Int) -> Bool {
        let a = tokens[first]
        let b = tokens[second]
        if a.flags == 0, b.flags == 0 {
            guard a.end - a.start == b.end - b.start else { return false }
            var index = 0
            while index < a.end - a.start {
                if bytes[a.start + index] != bytes[b.start + index] { return false }
                index += 1
            }
            return true
        }
        return string(first) == string(second)
    }

    /// The keys of an object token, as `String`s, in source order.
    func keys(_ object: Int) -> [String] {
        var result: [String] = []
        result.reserveCapacity(count(object))
        var key = object + 1
        for _ in 0..<count(object) {
            result.append(string(key))
            key = next(key + 1)
        }
        return result
    }

    /// The value at `token` as a `JSONValue` tree (for a line's fingerprint).
    func value(_ token: Int) -> JSONValue {
        switch kind(token) {
        case .null: return .null
        case .bool: return .bool(bool(token))
        case .number: return .number(number(token))
        case .string: return .string(string(token))
        case .array:
            var values: [JSONValue] = []
            values.reserveCapacity(count(token))
            var element = token + 1
            for _ in 0..<count(token) {
                values.append(value(element))
                element = next(element)
            }
            return .array(values)
        case .object:
            var object = JSONObject(capacity: count(token))
            var key = token + 1
            for _ in 0..<count(token) {
                _ = object.insert(string(key), value(key + 1))
                key = next(key + 1)
            }
            return .object(object)
        }
    }

    /// Decodes the escapes of a string the parser accepted.
    static func unescape(_ run: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(run.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for byte in run[at..<at + 4] {
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                default: digit = UInt32(byte - UInt8(ascii: "A") + 10)
                }
                value = value * 16 + digit
            }
            return value
        }
        while index < run.count {
            let byte = run[index]
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                index += 1
                continue
            }
            let escape = run[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var value = hex4(index)
                index += 4
                if (0xD800...0xDBFF).contains(value) {
                    let low = hex4(index + 2)
                    index += 6
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                if let scalar = Unicode.Scalar(value) {
                    UTF8.encode(scalar) { out.append($0) }
                }
            default: out.append(escape)  // `"`, `\` and `/` stand for themselves.
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Builds a ``JSONTape``: the checks and errors of `JSONParser`, without the tree.
struct JSONTapeParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumTokens: Int
    var index = 0
    var tokens: [JSONTape.Token] = []

    /// Parses a whole document into tokens. Invalid UTF-8 anywhere is refused as such, before any
    /// other fault.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, maximumTokens: Int = maximumTokens
    ) throws(WorkflowError) -> [JSONTape.Token] {
        var parser = JSONTapeParser(bytes: bytes, maximumTokens: maximumTokens)
        // A command line holds about one token per 10 bytes; long lines (attachments) hold few.
        parser.tokens.reserveCapacity(min(bytes.count / 8 + 8, 1_024))
        do throws(WorkflowError) {
            parser.skipWhitespace()
            try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw parser.fail("unexpected content after the JSON value") }
            return parser.tokens
        } catch {
            if !UTF8Validation.isValid(UnsafeRawBufferPointer(bytes)) { throw JSONParser.invalidUTF8 }
            throw error
        }
    }

    /// An error from inside a member's value or an array's element, its path (a duplicate key's)
    /// prefixed with the member's key or the element's index: `leader.name`, `members[0].unit`.
    /// Errors of the whole line (`$`) are left as they are.
    func within(_ error: WorkflowError, segment: String) -> WorkflowError {
        guard let field = error.field, field != "$" else { return error }
        var nested = error
        nested.field = segment + (field.hasPrefix("[") ? field : "." + field)
        return nested
    }

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

    mutating func append(_ kind: JSONTape.Kind, flags: UInt8 = 0, start: Int = 0, end: Int = 0) {
        tokens.append(JSONTape.Token(kind: kind, flags: flags, start: start, end: end, next: tokens.count + 1))
    }

    /// The most values (and keys) one command line may hold. A token takes 40 bytes, so a 32 MiB line
    /// of `1,1,1,…` would otherwise cost 640 MB; no valid command comes near this (lists hold at most
    /// 1,000 items of a few dozen values each).
    static let maximumTokens = 250_000

    mutating func parseValue(depth: Int) throws(WorkflowError) {
        guard depth < JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth)") }
        guard tokens.count < maximumTokens else { throw fail("more than \(maximumTokens) values in one line") }
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try parseObject(depth: depth)
        case UInt8(ascii: "["): try parseArray(depth: depth)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            append(.bool, flags: 1)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            append(.bool)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            append(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func parseLiteral(_ word: StaticString) throws(WorkflowError) {
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in letters {
            guard index < bytes.count, bytes[index] == byte else { throw fail("invalid literal") }
            index += 1
        }
    }

    /// Whether the key at token `key` equals one of the object's earlier keys, the first of which
    /// is at token `first`, compared as `String`s; objects past `JSONObject.indexThreshold` members
    /// use `seen` instead.
    func isDuplicate(_ key: Int, first: Int, members: Int, seen: inout Set<String>?) -> Bool {
        tokens.withUnsafeBufferPointer { buffer in
            let tape = JSONTape(bytes: bytes, tokens: buffer)
            if seen == nil, members > JSONObject.indexThreshold {
                var keys = Set<String>()
                var earlier = first
                while earlier != key {
                    keys.insert(tape.string(earlier))
                    earlier = buffer[earlier + 1].next
                }
                seen = keys
            }
            if seen != nil { return seen?.insert(tape.string(key)).inserted == false }
            var earlier = first
            while earlier != key {
                if tape.key(earlier, equals: key) { return true }
                earlier = buffer[earlier + 1].next
            }
            return false
        }
    }

    mutating func parseObject(depth: Int) throws(WorkflowError) {
        let object = tokens.count
        append(.object)
        index += 1
        skipWhitespace()
        var members = 0
        var seen: Set<String>?
        // A key of ASCII without escapes equals another only byte for byte, so while every key is
        // such, one whose length and first byte no earlier key shares (`JSONTape.keyBit`)
        // is no duplicate: nearly every key of a command is found new without comparing.
        var keyBits: UInt64 = 0
        var allPlain = true
        tokens[object].flags = 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = tokens.count
            try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            do {
                try parseValue(depth: depth + 1)
            } catch {
                let name = tokens.withUnsafeBufferPointer { JSONTape(bytes: bytes, tokens: $0).string(key) }
                throw within(error, segment: InputText.shownKey(name))
            }
            members += 1
            tokens[object].start = members
            tokens[object].next = tokens.count
            var compare = true
            let item = tokens[key]
            if allPlain, item.flags == 0 {
                let length = item.end - item.start
                let bit = JSONTape.keyBit(length: length, first: length > 0 ? bytes[item.start] : 0)
                compare = keyBits & bit != 0 || seen != nil || members > JSONObject.indexThreshold
                keyBits |= bit
                tokens[object].end = Int(bitPattern: UInt(keyBits))
            } else if allPlain {
                allPlain = false
                tokens[object].flags = 0
            }
            if compare, members > 1, isDuplicate(key, first: object + 1, members: members, seen: &seen) {
                let name = tokens.withUnsafeBufferPointer {
                    InputText.shownKey(JSONTape(bytes: bytes, tokens: $0).string(key))
                }
                throw WorkflowError.invalidInput(name, "duplicate key '\(name)'")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            index += 1
            return
        }
    }

    mutating func parseArray(depth: Int) throws(WorkflowError) {
        let array = tokens.count
        append(.array)
        index += 1
        var elements = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            do {
                try parseValue(depth: depth + 1)
            } catch {
                throw within(error, segment: "[\(elements)]")
            }
            elements += 1
            tokens[array].start = elements
            tokens[array].next = tokens.count
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            index += 1
            return
        }
    }

    mutating func parseNumber() throws(WorkflowError) {
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
        guard index - start <= JSONParser.maximumNumberLength else { throw fail("number too long") }
        append(.number, start: start, end: index)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Reads a string and appends its token. Its bytes between the quotes are checked as UTF-8
    /// whole: escapes are ASCII and decode to whole scalars, so this accepts exactly the strings
    /// whose decoded text is UTF-8, as `JSONParser` checks.
    mutating func parseString() throws(WorkflowError) {
        index += 1
        let start = index
        var flags: UInt8 = 0
        var unicodeEscape = false
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while true {
            // Eight bytes at a time while none is a quote, a backslash or a control character. Each
            // test flags a matching byte's high bit; the lowest flag is exact (a borrow only runs
            // upwards from a byte that matched), so the bytes below it are skipped too.
            if index + 8 <= bytes.count, let base = bytes.baseAddress {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let special =
                    (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word))
                    & highs
                if special == 0 {
                    if word & highs != 0 { flags |= JSONTape.nonASCII }
                    index += 8
                    continue
                }
                let skipped = special.trailingZeroBitCount / 8
                if skipped > 0 {
                    if word & highs & ((1 << UInt64(skipped * 8)) - 1) != 0 { flags |= JSONTape.nonASCII }
                    index += skipped
                }
            }
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw fail("control character in string") }
            if byte >= 0x80 {
                flags |= JSONTape.nonASCII
                index += 1
                continue
            }
            if byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            flags |= JSONTape.escaped
            index += 1
            guard index < bytes.count else { throw fail("unterminated escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                break
            case UInt8(ascii: "u"):
                unicodeEscape = true
                let high = try parseHex4()
                if (0xD800...0xDBFF).contains(high) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw fail("lone surrogate") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                } else if (0xDC00...0xDFFF).contains(high) {
                    throw fail("lone surrogate")
                }
            default:
                throw fail("invalid escape")
            }
        }
        let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if flags & JSONTape.nonASCII != 0, !UTF8Validation.isValid(UnsafeRawBufferPointer(run)) {
            throw JSONParser.invalidUTF8
        }
        // Before anything normalises or compares the text (keys are compared by canonical
        // equivalence): a long run of combining marks would cost time quadratic in its length. Marks
        // come as non-ASCII bytes or as `\u` escapes; only the latter need the text decoded (the other
        // escapes are ASCII, starters all).
        if unicodeEscape
            ? InputText.exceedsCombiningRun(JSONTape.unescape(run).unicodeScalars)
            : flags & JSONTape.nonASCII != 0 && InputText.exceedsCombiningRun(utf8: run)
        {
            throw WorkflowError.invalidInput(
                "$",
                "the text ending at byte \(index) holds more than \(InputText.maximumCombiningRun) combining marks "
                    + "in a row (Unicode's stream-safe limit)")
        }
        append(.string, flags: flags, start: start, end: index)
        index += 1
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
