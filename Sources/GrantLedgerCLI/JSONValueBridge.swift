internal import GrantWorkflow

/// Shorthands for building output JSON.
enum JSONValueBridge {
    static func object(_ pairs: [(String, JSONValue)]) -> JSONValue { JSONValue.object(pairs) }
}
