import GrantWorkflow
import Testing

@Suite("Command decoding") struct CommandDecoderTests {
    func error(_ line: String) -> WorkflowError? {
        error(Array(line.utf8))
    }

    func error(_ bytes: [UInt8]) -> WorkflowError? {
        do {
            _ = try CommandDecoder.decode(line: bytes)
            return nil
        } catch {
            return error
        }
    }

    let draft =
        #"{"id":"c-1","type":"draftChangeRequest","actor":"L1","at":"2027-01-05T09:30:00+08:00","requestId":"CR-1","projectNo":"24BZX001","kind":"extension","details":{"newEndDate":"2027-12-31","progress":"p","plan":"q"},"reason":"r"}"#

    @Test("a valid line decodes with its envelope")
    func valid() throws {
        let envelope = try CommandDecoder.decode(draft)
        #expect(envelope.id == "c-1")
        #expect(envelope.actor == "L1")
        #expect(envelope.at == Timestamp(iso8601: "2027-01-05T01:30:00Z"))
        guard case .draftChangeRequest(let requestId, let projectNo, let details, _) = envelope.command else {
            Issue.record("wrong command")
            return
        }
        #expect(requestId == "CR-1")
        #expect(projectNo == "24BZX001")
        #expect(details.kind == .extension)
    }

    @Test("a missing field is named")
    func missing() {
        let e = error(#"{"type":"createProvince","actor":"N0","name":"北京"}"#)
        #expect(e?.code == .invalidInput)
        #expect(e?.field == "provinceId")
    }

    @Test("a wrongly typed field is named")
    func wrongType() {
        let e = error(#"{"type":"setAccountEnabled","actor":"N0","accountId":"L1","enabled":"yes"}"#)
        #expect(e?.code == .invalidInput)
        #expect(e?.field == "enabled")
        let nested = error(
            draft.replacingOccurrences(of: #""newEndDate":"2027-12-31""#, with: #""newEndDate":20271231"#))
        #expect(nested?.field == "details.newEndDate")
    }

    @Test("an over-long name, text or list is refused")
    func overLong() {
        let longName = String(repeating: "名", count: 201)
        #expect(
            error(#"{"type":"createProvince","actor":"N0","provinceId":"P","name":"\#(longName)"}"#)?.field == "name")
        let okName = String(repeating: "名", count: 200)
        #expect(error(#"{"type":"createProvince","actor":"N0","provinceId":"P","name":"\#(okName)"}"#) == nil)
        let longText = String(repeating: "x", count: 20_001)
        #expect(
            error(draft.replacingOccurrences(of: #""reason":"r""#, with: #""reason":"\#(longText)""#))?.field
                == "reason")
        let experts = (0..<1_001).map { "\"E\($0)\"" }.joined(separator: ",")
        let list = error(#"{"type":"assignAppraisalExperts","actor":"N0","closeoutId":"C1","experts":[\#(experts)]}"#)
        #expect(list?.code == .invalidInput)
        #expect(list?.field == "experts")
    }

    @Test("a fractional or out-of-range amount is refused")
    func amounts() {
        func adjustment(_ amount: String) -> WorkflowError? {
            error(
                #"{"type":"draftBudgetAdjustment","actor":"L1","projectNo":"24BZX001","direct":{"equipment":\#(amount)},"indirect":1,"reason":"r"}"#
            )
        }
        #expect(adjustment("100.5")?.field == "direct.equipment")
        #expect(adjustment("100.0")?.field == "direct.equipment")
        #expect(adjustment("1e3")?.field == "direct.equipment")
        #expect(adjustment("99999999999999999999999")?.field == "direct.equipment")
        #expect(adjustment("1000000000000001")?.field == "direct.equipment")
        #expect(adjustment("-5") == nil)
        #expect(adjustment("100") == nil)
    }

    @Test("more than one change kind is refused (R-CHG-1)")
    func twoKinds() {
        let e = error(
            draft.replacingOccurrences(of: #""kind":"extension""#, with: #""kind":["extension","changeTitle"]"#))
        #expect(e?.code == .invalidInput)
        #expect(e?.rule == "R-CHG-1")
        #expect(e?.field == "kind")
        let mixed = error(
            #"{"type":"editChangeRequest","actor":"L1","requestId":"CR-1","details":{"newTitle":"t","newUnitId":"U2"},"reason":"r"}"#
        )
        #expect(mixed?.rule == "R-CHG-1")
        #expect(mixed?.field == "details")
    }

    @Test("an unknown command is unknownCommand")
    func unknownCommand() {
        let e = error(#"{"type":"launchRocket","actor":"N0"}"#)
        #expect(e?.code == .unknownCommand)
        #expect(e?.field == "type")
    }

    @Test("an unknown field is refused")
    func unknownField() {
        let e = error(#"{"type":"createProvince","actor":"N0","provinceId":"P","name":"n","colour":"red"}"#)
        #expect(e?.code == .invalidInput)
        #expect(e?.field == "colour")
    }

    @Test("a key echoed in `field` is bounded to 64 scalars and shows control, bidi and noncharacters escaped")
    func echoedKeysAreBoundedAndEscaped() {
        let province = #"{"type":"createProvince","actor":"N0","provinceId":"P","name":"n","#
        let huge = String(repeating: "k", count: 1 << 20)
        let long = error(province + "\"" + huge + "\":1}")
        #expect(long?.code == .invalidInput)
        #expect(long?.field == String(repeating: "k", count: 64) + "…")
        #expect((long?.message.utf8.count ?? .max) < 100)
        // 64 scalars are shown whole; the 65th is cut.
        let sixtyFour = String(repeating: "键", count: 64)
        #expect(error(province + "\"" + sixtyFour + "\":1}")?.field == sixtyFour)
        #expect(error(province + "\"" + sixtyFour + "x\":1}")?.field == sixtyFour + "…")
        // Raw and escaped bidi overrides, control characters and noncharacters are shown as escapes.
        #expect(error(province + "\"a\u{202E}b\":1}")?.field == #"a\u{202E}b"#)
        #expect(error(province + #""a\u202eb":1}"#)?.field == #"a\u{202E}b"#)
        #expect(error(province + #""a\nb\u001b\ufdd0":1}"#)?.field == #"a\nb\u{1B}\u{FDD0}"#)
        // Nested keys too: an unknown detail, an extra profile field refused for its characters.
        let details = #"{"type":"editChangeRequest","actor":"L1","requestId":"CR-1","details":{""#
        #expect(
            error(details + huge + #"":"x"},"reason":"r"}"#)?.field == "details." + String(repeating: "k", count: 64)
                + "…")
        let profile =
            #"{"type":"completeProfile","actor":"L1","profile":{"gender":"m","birthDate":"1980-01-01","title":"t","#
            + #""degree":"d","researchArea":"r","\u2066x":"y"}}"#
        let refused = error(profile)
        #expect(refused?.code == .invalidInput)
        #expect(refused?.field == #"profile.\u{2066}x"#)
        // A duplicate key is bounded in `field` and in the message.
        let duplicate = error("{\"" + huge + "\":1,\"" + huge + "\":2}")
        #expect(duplicate?.code == .invalidInput)
        #expect((duplicate?.field?.count ?? .max) <= 65)
        #expect((duplicate?.message.utf8.count ?? .max) < 200)
        // Plain keys are shown as they are.
        #expect(error(province + #""colour":"red"}"#)?.field == "colour")
        // A malformed birth date is personal: named, never echoed; another date is echoed.
        let birth = error(
            #"{"type":"completeProfile","actor":"L1","profile":{"gender":"m","birthDate":"1985-13-45","title":"t","#
                + #""degree":"d","researchArea":"r"}}"#)
        #expect(birth?.field == "profile.birthDate")
        #expect(birth.map { !"\($0)".contains("1985-13-45") } == true, "\(String(describing: birth))")
        let end = error(
            #"{"type":"draftChangeRequest","actor":"L1","requestId":"CR-1","projectNo":"P","kind":"extension","#
                + #""details":{"newEndDate":"2028-13-45","progress":"p","plan":"q"},"reason":"r"}"#)
        #expect(end.map { "\($0)".contains("2028-13-45") } == true, "\(String(describing: end))")
    }

    @Test("a duplicate key's field is its whole path; a line that is not an object, or not JSON, is `$`")
    func duplicateKeyPathsAndWholeLineFields() {
        let leader = error(#"{"type":"registerProject","leader":{"name":"a","idType":"residentId","name":"b"}}"#)
        #expect(leader?.code == .invalidInput)
        #expect(leader?.field == "leader.name")
        #expect(leader?.message == "duplicate key 'name'")
        #expect(error(#"{"members":[{"unit":"u"},{"name":"n","unit":"a","unit":"b"}]}"#)?.field == "members[1].unit")
        #expect(error(#"{"a":[[1],[{"k":1,"k":2}]]}"#)?.field == "a[1][0].k")
        #expect(error(#"{"details":{"add":[{"x":{"y":1,"y":2}}]}}"#)?.field == "details.add[0].x.y")
        #expect(error(#"{"a":1,"a":2}"#)?.field == "a")
        // A bad key on the way is shown as any echoed key is.
        #expect(error("{\"a\u{202E}\":{\"k\":1,\"k\":2}}")?.field == #"a\u{202E}.k"#)
        for line in ["[1,2]", #""text""#, "12", "null", "true", "[]"] {
            let e = error(line)
            #expect(e?.code == .invalidInput, "\(line)")
            #expect(e?.field == "$", "\(line)")
        }
        #expect(error(#"{"a":{"b":[1,}}"#)?.field == "$")
    }

    @Test("invalid JSON, invalid UTF-8, deep nesting and a missing actor are invalidInput")
    func malformed() {
        for line in ["", "{", "nul", "[1,2]", #"{"type":}"#, #"{"type":"bootstrap"} x"#, #"{"a":1,"a":2}"#] {
            #expect(error(line)?.code == .invalidInput, "\(line)")
        }
        #expect(error(#"{"type":"createProvince","provinceId":"P","name":"n"}"#)?.field == "actor")
        let utf8 = error([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])
        #expect(utf8?.code == .invalidInput)
        #expect(utf8?.field == "$")
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(error(deep)?.code == .invalidInput)
        #expect(error(#"{"type":"login","role":"leader","username":"u","password":"p\ud800"}"#)?.code == .invalidInput)
        #expect(
            error(#"{"type":"createProvince","actor":"N0","at":"yesterday","provinceId":"P","name":"n"}"#)?.field
                == "at")
    }

    @Test("invalid UTF-8 is reported as such wherever it is, before any other fault of the line")
    func invalidUTF8First() {
        let valid = Array(#"{"type":"createProvince","actor":"N0","provinceId":"P","name":"北京"}"#.utf8)
        let bad: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE5, 0x8C], [0xF4, 0x90, 0x80, 0x80]]
        for sequence in bad {
            // In a string value, in a key, outside any string, and before a syntax error.
            let name = valid.firstRange(of: Array("北京".utf8))!
            var inValue = valid
            inValue.replaceSubrange(name, with: sequence)
            var inKey = valid
            inKey.insert(contentsOf: sequence, at: 2)
            var outside = valid
            outside.insert(contentsOf: sequence, at: 1)
            var beforeSyntaxError = valid
            beforeSyntaxError.replaceSubrange(name, with: sequence)
            beforeSyntaxError.removeLast()
            var escaped = valid
            escaped.replaceSubrange(name, with: Array(#"\n"#.utf8) + sequence)
            for line in [inValue, inKey, outside, beforeSyntaxError, escaped] {
                let error = error(line)
                #expect(error?.message.contains("not valid UTF-8") == true, "\(line): \(String(describing: error))")
                #expect(error?.field == "$")
            }
        }
    }

    @Test("UTF8Validation agrees with the standard library on every short sequence and on random bytes")
    func utf8Validation() {
        func agrees(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes(UTF8Validation.isValid) == (String(validating: bytes, as: UTF8.self) != nil)
        }
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
            0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        for a in interesting {
            #expect(agrees([a]))
            for b in interesting {
                #expect(agrees([a, b]))
                for c in interesting {
                    #expect(agrees([a, b, c]))
                    for d in [0x80, 0xBF, 0x41] as [UInt8] { #expect(agrees([a, b, c, d])) }
                }
            }
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in 0..<400 {
            var bytes = Array("项目abcdefgh".utf8)
            for _ in 0..<(length % 40) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33) & (length % 3 == 0 ? 0x7F : 0xFF))
            }
            #expect(agrees(bytes), "\(bytes)")
        }
    }

    @Test("dates are strict calendar dates")
    func dates() {
        #expect(CalendarDate("2027-02-29") == nil)
        #expect(CalendarDate("2028-02-29") != nil)
        #expect(CalendarDate("2027-2-28") == nil)
        #expect(CalendarDate("2027-12-31")?.adding(months: 2) == CalendarDate("2028-02-29"))
        #expect(Timestamp(iso8601: "2027-01-01T00:30:00+08:00")?.chinaDate == CalendarDate("2027-01-01"))
        #expect(Timestamp(iso8601: "2026-12-31T16:30:00Z")?.chinaDate == CalendarDate("2027-01-01"))
        #expect(Timestamp(iso8601: "2027-01-05T09:30:00+08:00")?.description == "2027-01-05T09:30:00+08:00")
    }

    @Test("a fuzz loop over mutated valid lines never crashes")
    func fuzz() {
        var generator = SplitMix(seed: 42)
        let seeds = [
            draft,
            #"{"type":"registerAccount","accountId":"L1","role":"leader","username":"13800000001","email":"a@b.cn","name":"n","idType":"residentId","idNumber":"110108198001010015","unitId":"U1","password":"Secret123","agreedToTerms":true}"#,
            #"{"type":"saveCloseoutSection","actor":"L1","closeoutId":"C1","section":"finalAccounts","data":{"direct":{"equipment":{"approved":1,"spent":1,"balance":0}},"indirect":{"approved":1,"spent":1,"balance":0}}}"#,
            #"{"type":"attachFile","actor":"L1","closeoutId":"C1","purpose":"ledger","filename":"a.pdf","mediaType":"application/pdf","contentBase64":"YWJj"}"#,
        ]
        var decoded = 0
        for round in 0..<4_000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            generator.mutate(&bytes, inserting: Array(#"{}[]":,\0-.e9"#.utf8))
            if (try? CommandDecoder.decode(line: bytes)) != nil { decoded += 1 }
        }
        #expect(decoded >= 0)
    }
}

/// A tiny deterministic random generator for fuzzing.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix {
    /// One to four random edits of `bytes`: a byte overwritten, removed, or one of `alphabet`
    /// inserted, or a run of up to 8 bytes repeated.
    mutating func mutate(_ bytes: inout [UInt8], inserting alphabet: [UInt8]) {
        for _ in 0..<(1 + Int(next() % 4)) {
            guard !bytes.isEmpty else { break }
            let index = Int(next() % UInt64(bytes.count))
            switch next() % 4 {
            case 0: bytes[index] = UInt8(truncatingIfNeeded: next())
            case 1: bytes.remove(at: index)
            case 2: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: index)
            default: bytes.insert(contentsOf: bytes[index...].prefix(8), at: index)
            }
        }
    }
}
