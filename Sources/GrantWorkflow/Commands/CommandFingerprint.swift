internal import Crypto

extension CommandEnvelope {
    /// A SHA-256 of everything that makes this command what it is, for idempotency keys (R-LOG-3 rev. 2):
    /// the actor, the causation and correlation ids and the whole decoded command, but not the command
    /// id and not its time.
    ///
    /// It is computed from the decoded value, not from the line's bytes, so that the same command sent
    /// as JSON (with its keys in any order, its text in any Unicode normal form) or built in Swift
    /// gets the same fingerprint. The walk is canonical: struct fields in declaration order, enum cases
    /// by name, dictionary entries and set elements sorted by their own canonical bytes, every value
    /// tagged with its type and length-prefixed, so two different commands never encode alike.
    public var fingerprint: [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(actor as Any)
        encoder.encode(causationId as Any)
        encoder.encode(correlationId as Any)
        encoder.encode(command)
        return Array(SHA256.hash(data: encoder.bytes))
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
        var value = UInt64(length)
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
    }
}
