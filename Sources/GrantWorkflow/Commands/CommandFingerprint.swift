internal import Crypto

extension CommandEnvelope {
    /// A SHA-256 of everything that makes this command what it is, for idempotency keys (R-LOG-3 rev. 2):
    /// every field but the command id and its time.
    ///
    /// For an envelope decoded from a JSON line it is the line's own canonical form: members sorted by
    /// key, `null` members dropped (they mean absent), the top level without `id` and `at`, every value
    /// tagged with its kind and length-prefixed. Key order and spacing therefore never turn a retry
    /// into a conflict, and computing it costs one pass over the parsed line. For an envelope built in
    /// Swift it is a canonical walk of the value itself (struct fields in declaration order, enum cases
    /// by name, dictionaries and sets sorted). The two forms differ, so a retry must come through the
    /// same entry point as the first attempt (docs/decisions.md).
    public var fingerprint: [UInt8] {
        if let lineFingerprint { return lineFingerprint }
        var encoder = CanonicalEncoder()
        encoder.encode(actor as Any)
        encoder.encode(causationId as Any)
        encoder.encode(correlationId as Any)
        encoder.encode(command)
        return Array(SHA256.hash(data: encoder.bytes))
    }

    /// The fingerprint of a parsed command line (see ``fingerprint``).
    static func fingerprint(ofLine value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        canonical(value, into: &bytes, topLevel: true)
        return Array(SHA256.hash(data: bytes))
    }

    private static func canonical(_ value: JSONValue, into bytes: inout [UInt8], topLevel: Bool = false) {
        func text(_ tag: UInt8, _ string: String) {
            bytes.append(tag)
            CanonicalEncoder.appendLength(string.utf8.count, to: &bytes)
            bytes.append(contentsOf: string.utf8)
        }
        switch value {
        case .null: bytes.append(UInt8(ascii: "n"))
        case .bool(let flag): bytes.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .number(let digits): text(UInt8(ascii: "#"), digits)
        case .string(let string): text(UInt8(ascii: "s"), string)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            CanonicalEncoder.appendLength(elements.count, to: &bytes)
            for element in elements { canonical(element, into: &bytes) }
        case .object(let object):
            var members: [(key: String, value: JSONValue)] = []
            object.forEachMember { key, value in
                if case .null = value { return }
                if topLevel && (key == "id" || key == "at") { return }
                members.append((key, value))
            }
            members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            bytes.append(UInt8(ascii: "{"))
            CanonicalEncoder.appendLength(members.count, to: &bytes)
            for member in members {
                text(UInt8(ascii: "k"), member.key)
                canonical(member.value, into: &bytes)
            }
        }
    }
}

/// A canonical, type-tagged byte form of any value, walked through `Mirror` (see
/// ``CommandEnvelope/fingerprint``).
struct CanonicalEncoder {
    var bytes: [UInt8] = []

    mutating func encode(_ value: Any) {
        switch value {
        case let text as String: leaf(1, Array(text.utf8))
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
                var nested = CanonicalEncoder()
                nested.encode(child.value)
                return nested.bytes
            }.sorted { $0.lexicographicallyPrecedes($1) }
            sequence(8, elements)
        case .collection:
            let elements = mirror.children.map { child -> [UInt8] in
                var nested = CanonicalEncoder()
                nested.encode(child.value)
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
                leaf(12, Array((child.label ?? "").utf8))
                encode(child.value)
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
    /// checks lines itself; this is for envelopes built in Swift.
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
