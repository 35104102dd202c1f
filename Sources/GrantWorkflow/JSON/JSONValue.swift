/// A parsed JSON value. Numbers keep their source text, so integers are read exactly and
/// fractions can be refused rather than rounded.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as written.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, keys in source order.
    indirect case object(JSONObject)

    /// The JSON type name, for error messages.
    public var typeName: String {
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

/// A JSON object: its keys in source order and its members (duplicate keys are refused by the parser).
///
/// Command objects are small (a dozen members), so members live in two parallel arrays and are
/// found by a linear search, which beats hashing every key; objects past `indexThreshold` (16) members
/// also keep a dictionary index, so large or hostile objects stay linear in their size.
public struct JSONObject: Sendable, Hashable {
    /// The keys in source order.
    public private(set) var keys: [String] = []
    private var values: [JSONValue] = []
    private var index: [String: Int]?

    /// Objects with more members than this keep a dictionary index.
    static let indexThreshold = 16

    /// An empty object.
    public init() {}

    /// An empty object with room for `capacity` members.
    init(capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// The position of the member named `key` (in ``keys``), if any.
    func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    /// The position of the member named `key`, searching from `start` to the end and then from the
    /// beginning: members read in the order they are written are found at the first comparison.
    func position(of key: String, from start: Int) -> Int? {
        if let index { return index[key] }
        if start < keys.count, let found = keys[start...].firstIndex(of: key) { return found }
        return keys[..<min(start, keys.count)].firstIndex(of: key)
    }

    /// The member at a position of ``keys``.
    func value(at position: Int) -> JSONValue { values[position] }

    /// The members by key.
    public var members: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: zip(keys, values))
    }

    /// The member named `key`.
    public subscript(key: String) -> JSONValue? {
        position(of: key).map { values[$0] }
    }

    /// Adds a member; returns false when the key is already present.
    public mutating func insert(_ key: String, _ value: JSONValue) -> Bool {
        guard position(of: key) == nil else { return false }
        keys.append(key)
        values.append(value)
        if index != nil {
            index?[key] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            index = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
        }
        return true
    }

    /// Visits the members in their order.
    public func forEachMember(_ body: (String, JSONValue) -> Void) {
        for (key, value) in zip(keys, values) { body(key, value) }
    }

    /// Objects are equal when they have the same members, whatever their order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys.count == rhs.keys.count && lhs.keys.indices.allSatisfy { rhs[lhs.keys[$0]] == lhs.values[$0] }
    }

    /// Hashes the members, whatever their order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys.count)
        var combined = 0
        for (key, value) in zip(keys, values) {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            combined ^= member.finalize()
        }
        hasher.combine(combined)
    }
}
