import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// The JSON the engine prints: valid, exact, escaped where JSON requires it.
@Suite("JSON output")
struct JSONOutputTests {
    static let samples = [
        "", "plain", "中国哲学史研究", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}",
        "separators \u{2028} and \u{2029}", "emoji 🧧 and é", "\u{8}\u{C}",
    ]

    @Test("strings survive a round trip through a standard JSON parser", arguments: samples)
    func roundTrip(_ text: String) throws {
        let value = JSONValue.object([("text", .string(text)), ("list", .array([.string(text), .int(-12), .null]))])
        for pretty in [false, true] {
            let data = Data(value.serialized(pretty: pretty).utf8)
            let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(parsed["text"] as? String == text)
            #expect((parsed["list"] as? [Any])?.first as? String == text)
            #expect(try JSONParser.parse(Array(data)) == value)
        }
    }

    @Test("compact output has no spaces; control characters and line separators are escaped")
    func compactShape() {
        let value = JSONValue.object([("a", .bool(true)), ("b", .string("x\u{2028}\u{1}"))])
        #expect(value.serialized() == #"{"a":true,"b":"x\u2028\u0001"}"#)
        #expect(JSONValue.array([]).serialized() == "[]")
        #expect(JSONValue.object([]).serialized(pretty: true) == "{}")
    }
}
