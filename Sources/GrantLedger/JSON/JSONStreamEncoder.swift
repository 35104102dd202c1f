internal import GrantWorkflow

/// Writes an `Encodable` value's JSON straight into bytes as its `encode(to:)` runs, without building
/// a tree: members in encoding order, for consumers that keep no member order (PostgreSQL's `jsonb`).
///
/// Each value's JSON is final when its `encode(to:)` returns, which holds for every value encoded in
/// strictly nested order: a container filled, each member's value encoded in full before the next
/// member. Synthesized conformances and every `encode(to:)` of the workflow's types do that. A nested
/// container or super-encoder (which may be filled after its parent moves on) or a value that opens two
/// kinds of container is not streamed: the caller is told, and writes the value through
/// ``JSONTreeEncoder`` instead. A key encoded twice is written twice (`jsonb` keeps the last, as
/// ``JSONTreeEncoder`` does); the workflow's types never encode a key twice.
///
/// Scalars are written as ``JSONTreeEncoder`` writes them: integers as decimal digits, integral
/// doubles as integers, erased personal fields as the marker or `null`.
final class JSONStreamEncoder {
    var out: [UInt8] = []
    let erased: JSONTreeEncoder.Erased
    /// Set when the value used what cannot be streamed; `out` is then to be thrown away.
    var failed = false
    /// One encoder per depth, reused by every value encoded at that depth.
    private var levels: [StreamLevel] = []
    /// The depth of the value being encoded (its level's index).
    var depth = -1

    init(erased: JSONTreeEncoder.Erased) {
        self.erased = erased
    }

    /// Appends the JSON of `value` to `output`; false (and `output` unchanged) when the value cannot be
    /// streamed.
    static func write<T: Encodable>(_ value: T, to output: inout [UInt8], erased: JSONTreeEncoder.Erased) -> Bool {
        let encoder = JSONStreamEncoder(erased: erased)
        swap(&encoder.out, &output)
        let start = encoder.out.count
        encoder.encodeValue(value)
        if encoder.failed { encoder.out.removeSubrange(start...) }
        swap(&encoder.out, &output)
        return !encoder.failed
    }

    /// Appends the JSON of the member `key` of the object `value` encodes to (`null` when absent);
    /// false (and `output` unchanged) when the value cannot be streamed or is not an object.
    static func writeMember<T: Encodable>(
        _ key: String, of value: T, to output: inout [UInt8], erased: JSONTreeEncoder.Erased
    ) -> Bool {
        let encoder = JSONStreamEncoder(erased: erased)
        swap(&encoder.out, &output)
        let start = encoder.out.count
        let root = encoder.enter()
        root.member = key
        do {
            try value.encode(to: root)
        } catch {
            encoder.failed = true
        }
        if root.kind != .object { encoder.failed = true }
        if !root.found { encoder.out.append(contentsOf: "null".utf8) }
        encoder.depth -= 1
        if encoder.failed { encoder.out.removeSubrange(start...) }
        swap(&encoder.out, &output)
        return !encoder.failed
    }

    /// The level for a value one deeper than the current one, reset.
    private func enter() -> StreamLevel {
        depth += 1
        if depth == levels.count { levels.append(StreamLevel(self, depth: depth)) }
        let level = levels[depth]
        level.reset()
        return level
    }

    /// Encodes a value at the next depth and closes what it opened.
    func encodeValue<T: Encodable>(_ value: T) {
        if T.self == String.self { return string(unsafeBitCast(value, to: String.self)) }
        // The values written by hand (sorted keys, which `jsonb` ignores) wherever they are nested.
        if T.self == Member.self { return DirectJSON.member(unsafeBitCast(value, to: Member.self), &out, erased) }
        if T.self == CloseoutMember.self {
            return DirectJSON.closeoutMember(unsafeBitCast(value, to: CloseoutMember.self), &out, erased)
        }
        if T.self == InterimOutput.self {
            return DirectJSON.interimOutput(unsafeBitCast(value, to: InterimOutput.self), &out, erased)
        }
        if T.self == CloseoutBasicInfo.self {
            return DirectJSON.closeoutBasicInfo(unsafeBitCast(value, to: CloseoutBasicInfo.self), &out, erased)
        }
        if T.self == FinalAccounts.self {
            return DirectJSON.finalAccounts(unsafeBitCast(value, to: FinalAccounts.self), &out, erased)
        }
        if T.self == Budget.self { return DirectJSON.budget(unsafeBitCast(value, to: Budget.self), &out, erased) }
        let level = enter()
        do {
            try value.encode(to: level)
        } catch {
            failed = true
        }
        switch level.kind {
        case .none: out.append(contentsOf: "{}".utf8)
        case .object: out.append(UInt8(ascii: "}"))
        case .array: out.append(UInt8(ascii: "]"))
        case .single: break
        }
        depth -= 1
    }

    func string(_ text: String) { DirectJSON.string(text, &out, erased) }

    func bool(_ value: Bool) { out.append(contentsOf: (value ? "true" : "false").utf8) }

    func integer<I: BinaryInteger>(_ value: I) {
        if let small = Int64(exactly: value) {
            var magnitude = small.magnitude
            if small < 0 { out.append(UInt8(ascii: "-")) }
            var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes, enough for 20 digits
            withUnsafeMutableBytes(of: &digits) { buffer in
                var index = buffer.count
                repeat {
                    index -= 1
                    buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
            }
        } else {
            out.append(contentsOf: String(value).utf8)
        }
    }

    func double(_ value: Double) { out.append(contentsOf: TreeEncoder.number(value).utf8) }
}

/// The encoder of one value in a ``JSONStreamEncoder``: what the value opened, and how many members or
/// elements it wrote.
final class StreamLevel: Encoder, SingleValueEncodingContainer {
    enum Kind { case none, object, array, single }

    // Unowned without checks: a level lives only inside its stream's `write` (containers do not escape
    // `encode(to:)`), and a checked reference costs a retain on every member.
    unowned(unsafe) let stream: JSONStreamEncoder
    let depth: Int
    var kind = Kind.none
    var count = 0
    /// At the root of ``JSONStreamEncoder/writeMember(_:of:to:erased:)``: the one member written (its
    /// value only), and whether it was met.
    var member: String?
    var found = false

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ stream: JSONStreamEncoder, depth: Int) {
        self.stream = stream
        self.depth = depth
    }

    func reset() {
        kind = .none
        count = 0
        member = nil
        found = false
    }

    /// Whether this level may write now: it is the innermost value being encoded, and it opened `kind`
    /// (opening it now when it opened nothing yet).
    func open(_ wanted: Kind) -> Bool {
        guard stream.depth == depth, !stream.failed else {
            stream.failed = true
            return false
        }
        if kind == wanted { return true }
        guard kind == .none else {
            stream.failed = true
            return false
        }
        kind = wanted
        if member == nil {
            switch wanted {
            case .object: stream.out.append(UInt8(ascii: "{"))
            case .array: stream.out.append(UInt8(ascii: "["))
            case .none, .single: break
            }
        }
        return true
    }

    /// Writes the separator and the key of the next member; false when its value is to be skipped
    /// (another member than the one wanted at the root) or nothing may be written.
    func key(_ key: String) -> Bool {
        guard open(.object) else { return false }
        if let member {
            guard key == member else { return false }
            if found { stream.failed = true }
            found = true
            return !stream.failed
        }
        if count > 0 { stream.out.append(UInt8(ascii: ",")) }
        count += 1
        JSONValue.writeString(key, to: &stream.out)
        stream.out.append(UInt8(ascii: ":"))
        return true
    }

    /// Writes the separator of the next element; false when nothing may be written.
    func element() -> Bool {
        guard open(.array) else { return false }
        if count > 0 { stream.out.append(UInt8(ascii: ",")) }
        count += 1
        return true
    }

    /// Opens a single value; false when nothing may be written.
    func single() -> Bool { open(.single) }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        _ = open(.object)
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(level: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        _ = open(.array)
        return StreamUnkeyedContainer(level: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { if single() { stream.out.append(contentsOf: "null".utf8) } }
    func encode(_ value: Bool) { if single() { stream.bool(value) } }
    func encode(_ value: String) { if single() { stream.string(value) } }
    func encode(_ value: Double) { if single() { stream.double(value) } }
    func encode(_ value: Float) { if single() { stream.double(Double(value)) } }
    func encode(_ value: Int) { if single() { stream.integer(value) } }
    func encode(_ value: Int8) { if single() { stream.integer(value) } }
    func encode(_ value: Int16) { if single() { stream.integer(value) } }
    func encode(_ value: Int32) { if single() { stream.integer(value) } }
    func encode(_ value: Int64) { if single() { stream.integer(value) } }
    func encode(_ value: UInt) { if single() { stream.integer(value) } }
    func encode(_ value: UInt8) { if single() { stream.integer(value) } }
    func encode(_ value: UInt16) { if single() { stream.integer(value) } }
    func encode(_ value: UInt32) { if single() { stream.integer(value) } }
    func encode(_ value: UInt64) { if single() { stream.integer(value) } }
    func encode<T: Encodable>(_ value: T) throws {
        // The value takes this level's place: it is encoded one deeper and closes what it opens.
        if single() { stream.encodeValue(value) }
    }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let level: StreamLevel
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) {
        if level.key(key.stringValue) { level.stream.out.append(contentsOf: "null".utf8) }
    }
    mutating func encode(_ value: Bool, forKey key: Key) { if level.key(key.stringValue) { level.stream.bool(value) } }
    mutating func encode(_ value: String, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.string(value) }
    }
    mutating func encode(_ value: Double, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.double(value) }
    }
    mutating func encode(_ value: Float, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.double(Double(value)) }
    }
    mutating func encode(_ value: Int, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: Int8, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: Int16, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: Int32, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: Int64, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: UInt, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: UInt8, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: UInt16, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: UInt32, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode(_ value: UInt64, forKey key: Key) {
        if level.key(key.stringValue) { level.stream.integer(value) }
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if level.key(key.stringValue) { level.stream.encodeValue(value) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        level.stream.failed = true
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(level: level))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        level.stream.failed = true
        return StreamUnkeyedContainer(level: level)
    }

    mutating func superEncoder() -> any Encoder {
        level.stream.failed = true
        return level
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        level.stream.failed = true
        return level
    }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let level: StreamLevel
    var codingPath: [any CodingKey] { [] }
    var count: Int { level.count }

    mutating func encodeNil() { if level.element() { level.stream.out.append(contentsOf: "null".utf8) } }
    mutating func encode(_ value: Bool) { if level.element() { level.stream.bool(value) } }
    mutating func encode(_ value: String) { if level.element() { level.stream.string(value) } }
    mutating func encode(_ value: Double) { if level.element() { level.stream.double(value) } }
    mutating func encode(_ value: Float) { if level.element() { level.stream.double(Double(value)) } }
    mutating func encode(_ value: Int) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: Int8) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: Int16) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: Int32) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: Int64) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: UInt) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: UInt8) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: UInt16) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: UInt32) { if level.element() { level.stream.integer(value) } }
    mutating func encode(_ value: UInt64) { if level.element() { level.stream.integer(value) } }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if level.element() { level.stream.encodeValue(value) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        level.stream.failed = true
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(level: level))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        level.stream.failed = true
        return StreamUnkeyedContainer(level: level)
    }

    mutating func superEncoder() -> any Encoder {
        level.stream.failed = true
        return level
    }
}
