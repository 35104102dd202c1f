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
    case object(JSONObject)

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
public struct JSONObject: Sendable, Hashable {
    /// The keys in source order.
    public private(set) var keys: [String] = []
    /// The members by key.
    public private(set) var members: [String: JSONValue] = [:]

    /// An empty object.
    public init() {}

    /// The member named `key`.
    public subscript(key: String) -> JSONValue? { members[key] }

    /// Adds a member; returns false when the key is already present.
    public mutating func insert(_ key: String, _ value: JSONValue) -> Bool {
        guard members.updateValue(value, forKey: key) == nil else { return false }
        keys.append(key)
        return true
    }
}
