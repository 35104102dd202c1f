import GrantWorkflow
import Testing

/// JSON objects keep their members in arrays (linear lookup) and add an index past 16 members.
@Suite("JSON objects")
struct JSONObjectTests {
    @Test("members are found by key, in small and large objects; duplicates are refused")
    func lookup() {
        var object = JSONObject()
        let first = object.insert("a", .string("1"))
        let second = object.insert("projectNo", .string("X"))
        let duplicate = object.insert("a", .string("2"))
        #expect(first && second && !duplicate)
        #expect(object["projectNo"] == .string("X"))
        #expect(object["a"] == .string("1"))
        #expect(object["missing"] == nil)
        for index in 0..<40 { _ = object.insert("k\(index)", .number("\(index)")) }
        #expect(object["k39"] == .number("39"))
        #expect(object["projectNo"] == .string("X"))
        let repeated = object.insert("k7", .null)
        #expect(!repeated)
        #expect(object.keys.count == 42)
        #expect(object.members["k20"] == .number("20"))
    }

    @Test("objects compare and hash by their members, whatever the order")
    func equality() {
        var left = JSONObject()
        _ = left.insert("x", .number("1"))
        _ = left.insert("y", .array([.object(JSONObject())]))
        var right = JSONObject()
        _ = right.insert("y", .array([.object(JSONObject())]))
        _ = right.insert("x", .number("1"))
        #expect(left == right)
        #expect(left.hashValue == right.hashValue)
        _ = right.insert("z", .null)
        #expect(left != right)
    }
}
