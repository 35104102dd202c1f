public import GrantWorkflow

/// Encodes `Encodable` values straight into JSON, without Foundation's `JSONEncoder` and without
/// parsing its output again: the value's `encode(to:)` fills a small tree, which becomes a
/// `JSONValue` or compact JSON bytes.
///
/// With sorted keys the result is the one `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]`
/// gives, parsed (keys ordered by their UTF-8 bytes; a key encoded twice keeps its last value; integers
/// as decimal digits; absent optionals left out by `encodeIfPresent`). `JSONTreeEncoderTests` checks
/// it against `JSONEncoder` on every event type of the demo. Only what the workflow's types use is
/// supported: no `Date`, `Data`, `URL` or `Decimal` strategies; floating-point numbers are written
/// with Swift's shortest representation.
public enum JSONTreeEncoder {
    /// How an erased personal field (R-LOG-6: a pseudonym string) is written in bytes.
    public enum Erased: Sendable {
        /// `{"erased":true}`, as `JSONValue.serialized(pretty:)` shows it (`replay events`).
        case marker
        /// `null` (the read tables' `jsonb` columns).
        case null
    }

    /// `value` as a JSON value.
    public static func value<T: Encodable>(_ value: T, sortedKeys: Bool = true) -> JSONValue {
        node(of: value).jsonValue(sortedKeys: sortedKeys)
    }

    /// The member `key` of the object `value` encodes to, as a JSON value (nil when absent).
    public static func member<T: Encodable>(_ key: String, of value: T, sortedKeys: Bool = true) -> JSONValue? {
        guard case .object(let object) = node(of: value), let index = object.keys.lastIndex(of: key) else {
            return nil
        }
        return object.values[index].jsonValue(sortedKeys: sortedKeys)
    }

    /// Appends `value` as compact JSON to `out`. A few hot types are written by hand (`DirectJSON`),
    /// always with sorted keys. Without `sortedKeys`, the rest is streamed as it is encoded
    /// (`JSONStreamEncoder`): members in encoding order, and a key encoded twice written twice (the
    /// form for PostgreSQL's `jsonb`, which keeps no order and the last of equal keys).
    public static func write<T: Encodable>(
        _ value: T, to out: inout [UInt8], sortedKeys: Bool = true, erased: Erased = .marker
    ) {
        if T.self == Budget.self, let budget = value as? Budget { return DirectJSON.budget(budget, &out, erased) }
        if T.self == Project.self, let project = value as? Project {
            return DirectJSON.project(project, &out, erased)
        }
        if !sortedKeys, JSONStreamEncoder.write(value, to: &out, erased: erased) { return }
        node(of: value).write(to: &out, sortedKeys: sortedKeys, erased: erased)
    }

    /// Appends the `data` member of the event's JSON (`JSONValue.serialized(pretty:)` of
    /// `Ledger.json(of:)`'s `data`) to `out`, erased fields as the marker.
    /// Without `sortedKeys`, members come in encoding order, as ``write(_:to:sortedKeys:erased:)``
    /// writes them then (for PostgreSQL's `jsonb`).
    public static func writeData(of event: DomainEvent, to out: inout [UInt8], sortedKeys: Bool = true) {
        if DirectJSON.eventData(event, &out, .marker) { return }
        if !sortedKeys, JSONStreamEncoder.writeMember("data", of: event, to: &out, erased: .marker) { return }
        writeMember("data", of: event, to: &out)
    }

    /// Appends the member `key` of the object `value` encodes to as compact JSON to `out`; `null`
    /// when absent.
    public static func writeMember<T: Encodable>(
        _ key: String, of value: T, to out: inout [UInt8], sortedKeys: Bool = true, erased: Erased = .marker
    ) {
        guard case .object(let object) = node(of: value), let index = object.keys.lastIndex(of: key) else {
            out.append(contentsOf: "null".utf8)
            return
        }
        object.values[index].write(to: &out, sortedKeys: sortedKeys, erased: erased)
    }

    /// `value` as compact JSON text.
    public static func string<T: Encodable>(_ value: T, sortedKeys: Bool = true, erased: Erased = .marker) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(value, to: &out, sortedKeys: sortedKeys, erased: erased)
        return String(decoding: out, as: UTF8.self)
    }

    static func node<T: Encodable>(of value: T) -> JSONNode {
        if T.self == String.self { return .value(.string(unsafeBitCast(value, to: String.self))) }
        let encoder = TreeEncoder()
        do {
            try value.encode(to: encoder)
        } catch {
            return .value(.null)
        }
        return encoder.result
    }
}

/// A node of the tree an encoding fills.
enum JSONNode {
    case value(JSONValue)
    case object(JSONNodeObject)
    case array(JSONNodeArray)
    /// A `superEncoder()`'s encoder, read when the tree is turned into JSON.
    case deferred(TreeEncoder)

    func jsonValue(sortedKeys: Bool) -> JSONValue {
        switch self {
        case .value(let value): return value
        case .array(let array): return .array(array.values.map { $0.jsonValue(sortedKeys: sortedKeys) })
        case .deferred(let encoder): return encoder.result.jsonValue(sortedKeys: sortedKeys)
        case .object(let object):
            var result = JSONObject()
            for index in object.order(sorted: sortedKeys) {
                _ = result.insert(object.keys[index], object.values[index].jsonValue(sortedKeys: sortedKeys))
            }
            return .object(result)
        }
    }

    func write(to out: inout [UInt8], sortedKeys: Bool, erased: JSONTreeEncoder.Erased) {
        switch self {
        case .value(let value):
            switch value {
            case .null: out.append(contentsOf: "null".utf8)
            case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
            case .number(let text): out.append(contentsOf: text.utf8)
            case .string(let text): DirectJSON.string(text, &out, erased)
            case .array, .object:
                // Only scalars are stored as values.
                out.append(contentsOf: value.serialized().utf8)
            }
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (index, element) in array.values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out, sortedKeys: sortedKeys, erased: erased)
            }
            out.append(UInt8(ascii: "]"))
        case .deferred(let encoder):
            encoder.result.write(to: &out, sortedKeys: sortedKeys, erased: erased)
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for index in object.order(sorted: sortedKeys) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.writeString(object.keys[index], to: &out)
                out.append(UInt8(ascii: ":"))
                object.values[index].write(to: &out, sortedKeys: sortedKeys, erased: erased)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// An object being encoded: keys in encoding order, a key encoded twice kept twice until output.
final class JSONNodeObject {
    var keys: [String] = []
    var values: [JSONNode] = []

    func set(_ key: String, _ node: JSONNode) {
        keys.append(key)
        values.append(node)
    }

    /// Member indices in output order, each key once with its last value (as `JSONEncoder` keeps
    /// it): by the keys' UTF-8 bytes when `sorted` (as `JSONEncoder` with `.sortedKeys` on Linux),
    /// else in encoding order.
    func order(sorted: Bool) -> [Int] {
        var indices = Array(keys.indices)
        guard keys.count > 1 else { return indices }
        if !sorted {
            // Rare: a key encoded twice. Keep the last of each.
            return indices.filter { index in !keys[(index + 1)...].contains(keys[index]) }
        }
        // Insertion sort, stable: objects are small and often nearly sorted.
        var duplicates = false
        for i in 1..<indices.count {
            let current = indices[i]
            var j = i - 1
            while j >= 0 && keys[current].utf8.lexicographicallyPrecedes(keys[indices[j]].utf8) {
                indices[j + 1] = indices[j]
                j -= 1
            }
            if j >= 0 && keys[indices[j]] == keys[current] { duplicates = true }
            indices[j + 1] = current
        }
        guard duplicates else { return indices }
        // Equal keys are adjacent, in encoding order: keep the last of each run.
        return indices.indices.filter { $0 + 1 == indices.count || keys[indices[$0]] != keys[indices[$0 + 1]] }
            .map { indices[$0] }
    }
}

/// An array being encoded.
final class JSONNodeArray {
    var values: [JSONNode] = []
}

/// The `Encoder` of ``JSONTreeEncoder``: one per encoded value that is not a plain scalar.
final class TreeEncoder: Encoder, SingleValueEncodingContainer {
    var node: JSONNode?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// What was encoded; an empty object when nothing was.
    var result: JSONNode { node ?? .object(JSONNodeObject()) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let object)? = node { return KeyedEncodingContainer(TreeKeyedContainer<Key>(object: object)) }
        let object = JSONNodeObject()
        node = .object(object)
        return KeyedEncodingContainer(TreeKeyedContainer<Key>(object: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let array)? = node { return TreeUnkeyedContainer(array: array) }
        let array = JSONNodeArray()
        node = .array(array)
        return TreeUnkeyedContainer(array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() { node = .value(.null) }
    func encode(_ value: Bool) { node = .value(.bool(value)) }
    func encode(_ value: String) { node = .value(.string(value)) }
    func encode(_ value: Double) { node = .value(.number(Self.number(value))) }
    func encode(_ value: Float) { node = .value(.number(Self.number(Double(value)))) }
    func encode(_ value: Int) { node = .value(.number(String(value))) }
    func encode(_ value: Int8) { node = .value(.number(String(value))) }
    func encode(_ value: Int16) { node = .value(.number(String(value))) }
    func encode(_ value: Int32) { node = .value(.number(String(value))) }
    func encode(_ value: Int64) { node = .value(.number(String(value))) }
    func encode(_ value: UInt) { node = .value(.number(String(value))) }
    func encode(_ value: UInt8) { node = .value(.number(String(value))) }
    func encode(_ value: UInt16) { node = .value(.number(String(value))) }
    func encode(_ value: UInt32) { node = .value(.number(String(value))) }
    func encode(_ value: UInt64) { node = .value(.number(String(value))) }
    func encode<T: Encodable>(_ value: T) throws { node = try Self.child(value) }

    /// The node of a nested value.
    static func child<T: Encodable>(_ value: T) throws -> JSONNode {
        if T.self == String.self { return .value(.string(unsafeBitCast(value, to: String.self))) }
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        return encoder.result
    }

    /// An integral value as its digits (as `JSONEncoder` writes `1.0`), else Swift's shortest form.
    static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: JSONNodeObject
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) { object.set(key.stringValue, .value(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) { object.set(key.stringValue, .value(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) { object.set(key.stringValue, .value(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) {
        object.set(key.stringValue, .value(.number(TreeEncoder.number(value))))
    }
    mutating func encode(_ value: Float, forKey key: Key) {
        object.set(key.stringValue, .value(.number(TreeEncoder.number(Double(value)))))
    }
    mutating func encode(_ value: Int, forKey key: Key) { object.set(key.stringValue, .value(.number(String(value)))) }
    mutating func encode(_ value: Int8, forKey key: Key) { object.set(key.stringValue, .value(.number(String(value)))) }
    mutating func encode(_ value: Int16, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode(_ value: Int32, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode(_ value: Int64, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode(_ value: UInt, forKey key: Key) { object.set(key.stringValue, .value(.number(String(value)))) }
    mutating func encode(_ value: UInt8, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode(_ value: UInt16, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode(_ value: UInt32, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode(_ value: UInt64, forKey key: Key) {
        object.set(key.stringValue, .value(.number(String(value))))
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try TreeEncoder.child(value))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONNodeObject()
        object.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(object: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONNodeArray()
        object.set(key.stringValue, .array(nested))
        return TreeUnkeyedContainer(array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = TreeEncoder()
        object.set("super", .deferred(encoder))
        return encoder
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = TreeEncoder()
        object.set(key.stringValue, .deferred(encoder))
        return encoder
    }
}

struct TreeUnkeyedContainer: UnkeyedEncodingContainer {
    let array: JSONNodeArray
    var codingPath: [any CodingKey] { [] }
    var count: Int { array.values.count }

    mutating func encodeNil() { array.values.append(.value(.null)) }
    mutating func encode(_ value: Bool) { array.values.append(.value(.bool(value))) }
    mutating func encode(_ value: String) { array.values.append(.value(.string(value))) }
    mutating func encode(_ value: Double) { array.values.append(.value(.number(TreeEncoder.number(value)))) }
    mutating func encode(_ value: Float) { array.values.append(.value(.number(TreeEncoder.number(Double(value))))) }
    mutating func encode(_ value: Int) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: Int8) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: Int16) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: Int32) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: Int64) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: UInt) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: UInt8) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: UInt16) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: UInt32) { array.values.append(.value(.number(String(value)))) }
    mutating func encode(_ value: UInt64) { array.values.append(.value(.number(String(value)))) }
    mutating func encode<T: Encodable>(_ value: T) throws { array.values.append(try TreeEncoder.child(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = JSONNodeObject()
        array.values.append(.object(nested))
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(object: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONNodeArray()
        array.values.append(.array(nested))
        return TreeUnkeyedContainer(array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = TreeEncoder()
        array.values.append(.deferred(encoder))
        return encoder
    }
}
