import Testing

@testable import GrantWorkflow

/// The decoder reads a token tape (`JSONTape`) instead of a `JSONValue` tree: the tape must accept,
/// refuse and report exactly what the tree parser did (`ReferenceJSONParser`, the parser `JSONParser`
/// was before it read through the tape), and a decoded line must keep its fingerprint.
@Suite("Command decoding from a token tape") struct CommandDecoderTapeTests {
    func viaTape(_ bytes: [UInt8]) -> Result<JSONValue, WorkflowError> {
        do {
            return .success(try JSONTape.withTape(bytes) { tape throws(WorkflowError) in tape.value(JSONTape.root) })
        } catch {
            return .failure(error)
        }
    }

    func viaParser(_ bytes: [UInt8]) -> Result<JSONValue, WorkflowError> {
        do {
            return .success(try ReferenceJSONParser.parse(bytes))
        } catch {
            return .failure(error)
        }
    }

    func error(_ line: String) -> WorkflowError? {
        do {
            _ = try CommandDecoder.decode(line)
            return nil
        } catch {
            return error
        }
    }

    static let project =
        #"{"type":"registerProject","actor":"N0","at":"2026-01-05T09:00:00+08:00","projectNo":"25BZX1","title":"中国哲学史研究","category":"general","discipline":"哲学","unitId":"U1","leader":{"name":"张三","idType":"residentId","idNumber":"110108198001010015"},"members":[{"name":"李四","idType":"passport","idNumber":"E1234567","unit":"北京大学","title":"副教授","role":"成员"}],"approvedOn":"2024-06-01","plannedEndDate":"2027-12-31","deliverableForm":"monograph","budget":{"direct":{"equipment":100000,"business":300000,"labor":100000},"indirect":100000,"external":[]}}"#

    static let handMade: [String] = [
        "", " ", "{}", "[]", "[1,2]", " {\"a\" : [ true , false , null ] } ", "nul", "tru", "-", "-0", "01", "1.",
        "1.5e",
        "1e+5", "-1.25E-3", String(repeating: "9", count: 64), String(repeating: "9", count: 65), #"{"a":1,"a":2}"#,
        #"{"a":{"b":1,"b":2}}"#, #"{"K":1,"\u212A":2}"#, #"{"é":1,"e\u0301":2}"#, #"{"\u0061":1,"a":2}"#,
        #"{"a":1,"b":[1,{"a":2}],"c":{"a":3}}"#, #"{"a":"x\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud83d\ude00"}"#,
        #"{"a":"\ud83d\u0041"}"#, #"{"a":"\u00"}"#, #"{"a":"\q"}"#, #"{"a":"\"\\\/\b\f\n\r\t"}"#, "{\"a\":\"\t\"}",
        #"{"a":"unterminated"#, #"{"a":"x\"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":1 "b":2}"#, #"[1,]"#, #"[1 2]"#,
        #"{"a":1} x"#, #"{1:2}"#, String(repeating: "[", count: 63) + String(repeating: "]", count: 63),
        String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
        "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}",
        "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k3\":0}",
        "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"\\u006b39\":0}", project,
    ]

    @Test("the tape accepts, refuses and reports exactly what the tree parser did")
    func agreesWithParser() {
        var lines = Self.handMade.map { Array($0.utf8) }
        lines += [
            [0xFF], [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], [0x22, 0xE5, 0x8C, 0x22], [0x22, 0xE5, 0x8C],
        ]
        lines.append(Array(#"{"a":"\n"#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8))
        lines.append(Array(#"{"a":"x"#.utf8) + [0xE4, 0xB8] + Array(#"\u4e2d"}"#.utf8))
        for line in lines {
            #expect(viaTape(line) == viaParser(line), "\(String(decoding: line, as: UTF8.self))")
        }
        var generator = SplitMix(seed: 7)
        let seeds = [Self.project, #"{"a":["x\u00e9\n",-1.5e3,{"b":null,"c":true}],"d":"\ud83d\ude00é"}"#]
        for round in 0..<6_000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            generator.mutate(&bytes, inserting: Array(#"{}[]":,\u0-.e9"#.utf8))
            #expect(viaTape(bytes) == viaParser(bytes), "\(bytes)")
        }
    }

    @Test("keys are compared as strings: escaped keys name their field, equivalent keys are duplicates")
    func keys() throws {
        let escaped = #"{"\u0074ype":"createProvince","act\u006fr":"N0","provinceId":"P","name":"n"}"#
        #expect(error(escaped) == nil)
        let kelvin = error(#"{"type":"createProvince","actor":"N0","provinceId":"P","name":"n","K":1,"\u212A":2}"#)
        #expect(kelvin?.code == .invalidInput)
        #expect(kelvin?.message.contains("duplicate key") == true)
        let unknown = error(#"{"type":"createProvince","actor":"N0","provinceId":"P","name":"n","c\u00f6lour":"red"}"#)
        #expect(unknown?.field == "cölour")
        // Members written in any order are found; a null member is absent.
        let shuffled = #"{"name":"n","provinceId":"P","actor":"N0","causationId":null,"type":"createProvince"}"#
        #expect(error(shuffled) == nil)
        // A budget category spelled with an escape is normalised like any key.
        let project = Self.project.replacingOccurrences(of: #""labor":100000"#, with: #""cafe\u0301":7"#)
        guard case .registerProject(let input) = try CommandDecoder.decode(project).command else {
            Issue.record("wrong command")
            return
        }
        #expect(input.budget.direct["caf\u{E9}"] == 7)
        #expect(input.members.count == 1)
        #expect(input.leader.idNumber == "110108198001010015")
    }

    @Test("`at` read from its bytes and through the general path gives the same time and errors")
    func at() throws {
        func line(_ at: String) -> String {
            #"{"type":"createProvince","actor":"N0","at":"\#(at)","provinceId":"P","name":"n"}"#
        }
        let plain = try CommandDecoder.decode(line("2026-01-05T09:00:00+08:00")).at
        #expect(plain == Timestamp(iso8601: "2026-01-05T01:00:00Z"))
        #expect(try CommandDecoder.decode(line(#"2026-01-05T09:00:00\u002B08:00"#)).at == plain)
        for bad in [
            " 2026-01-05T09:00:00+08:00", #"2026-01-05T09:00:00+08:00\u007f"#, "", "  ", "2026-13-05T09:00:00Z",
        ] {
            #expect(error(line(bad))?.field == "at", "\(bad)")
        }
    }

    @Test("a line with an id keeps the fingerprint of its parsed tree (R-LOG-3)")
    func fingerprint() throws {
        let lines = [
            Self.project.replacingOccurrences(of: #"{"type""#, with: #"{"id":"c-1","type""#),
            #"{"id":"c-2","type":"createProvince","actor":"N0","provinceId":"P","name":"北\u4eac","causationId":null}"#,
        ]
        for line in lines {
            let envelope = try CommandDecoder.decode(line)
            let tree = try ReferenceJSONParser.parse(Array(line.utf8))
            #expect(envelope.lineFingerprint == CommandEnvelope.fingerprint(ofLine: tree))
            #expect(envelope.lineFingerprint != nil)
        }
    }

    @Test("a line of hundreds of thousands of tiny values is refused before its tokens outgrow the line")
    func tokenCap() {
        func line(_ values: Int) -> String {
            #"{"type":"createProvince","actor":"N0","provinceId":"P","name":"北京","x":["#
                + Array(repeating: "1", count: values).joined(separator: ",") + "]}"
        }
        let refused = error(line(JSONTapeParser.maximumTokens))
        #expect(refused?.code == .invalidInput)
        #expect(refused?.message.contains("more than 250000 values in one line") == true)
        // Below the cap the line parses, and the unknown field is what is refused.
        let parsed = error(line(JSONTapeParser.maximumTokens - 100))
        #expect(parsed?.code == .invalidInput)
        #expect(parsed?.message.contains("values in one line") == false)
    }
}
