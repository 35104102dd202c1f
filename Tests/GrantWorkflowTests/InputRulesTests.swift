import Testing

@testable import GrantWorkflow

/// docs/cli.md "Input rules (rev. 2)": identifiers, NFC, forbidden characters, limits in scalars and bytes.
@Suite("Input rules (rev. 2)") struct InputRulesTests {
    func decode(_ line: String, limits: InputLimits = .standard) -> Result<CommandEnvelope, WorkflowError> {
        do {
            return .success(try CommandDecoder.decode(line, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    func refusal(_ line: String, limits: InputLimits = .standard) -> WorkflowError? {
        if case .failure(let error) = decode(line, limits: limits) { return error }
        return nil
    }

    func createUnit(unitId: String = "U1", name: String = "北京大学") -> String {
        #"{"type":"createUnit","actor":"N0","unitId":"\#(unitId)","name":"\#(name)","provinceId":"P1"}"#
    }

    @Test(
        "identifiers match [A-Za-z0-9][A-Za-z0-9._&-]{0,63}; project numbers such as 21&ZD133 pass",
        arguments: ["21&ZD133", "U1", "a.b_c-d&e", String(repeating: "x", count: 64), "0"])
    func identifiersAccepted(_ id: String) {
        #expect(refusal(createUnit(unitId: id)) == nil)
    }

    @Test(
        "anything else in an identifier field is invalidInput naming the field",
        arguments: [
            "", "-U1", ".U1", "&U1", "U 1", "U/1", "U1\\n", "单位1", "Ｕ1", String(repeating: "x", count: 65), "U1'",
            "U1;",
        ])
    func identifiersRefused(_ id: String) {
        let error = refusal(createUnit(unitId: id))
        #expect(error?.code == .invalidInput)
        #expect(error?.field == "unitId")
    }

    @Test("every identifier field is checked: envelope, command, nested details and expert lists")
    func identifierFields() {
        let bad = "x y"
        let cases: [(String, String)] = [
            (#"{"id":"\#(bad)","type":"runDeadlineSweep","actor":"N0"}"#, "id"),
            (#"{"type":"runDeadlineSweep","actor":"\#(bad)"}"#, "actor"),
            (#"{"type":"setAccountEnabled","actor":"N0","accountId":"\#(bad)","enabled":true}"#, "accountId"),
            (#"{"type":"createProvince","actor":"N0","provinceId":"\#(bad)","name":"n"}"#, "provinceId"),
            (#"{"type":"submitChangeRequest","actor":"L1","requestId":"\#(bad)"}"#, "requestId"),
            (#"{"type":"submitCloseout","actor":"L1","closeoutId":"\#(bad)"}"#, "closeoutId"),
            (#"{"type":"submitBudgetAdjustment","actor":"L1","adjustmentId":"\#(bad)"}"#, "adjustmentId"),
            (#"{"type":"openCloseout","actor":"L1","projectNo":"\#(bad)"}"#, "projectNo"),
            (
                #"{"type":"assignAppraisalExperts","actor":"N0","closeoutId":"C1","experts":["E1","\#(bad)"]}"#,
                "experts[1]"
            ),
            (
                #"{"type":"editChangeRequest","actor":"L1","requestId":"CR-1","details":{"newUnitId":"\#(bad)"},"reason":"r"}"#,
                "details.newUnitId"
            ),
        ]
        for (line, field) in cases {
            let error = refusal(line)
            #expect(error?.code == .invalidInput, "\(line)")
            #expect(error?.field == field, "\(line)")
        }
    }

    @Test(
        "control characters other than newline and tab, and bidi overrides and isolates, are refused",
        arguments: [
            "\\u0000", "\\u001b[31m", "\\r", "\\u007f", "\\u0085", "\\u202a", "\\u202e", "\\u2066", "\\u2069",
        ])
    func forbiddenCharacters(_ escape: String) {
        let error = refusal(createUnit(name: "北京\(escape)大学"))
        #expect(error?.code == .invalidInput)
        #expect(error?.field == "name")
    }

    @Test(
        "Unicode noncharacters are refused: U+FDD0 marks an erased personal field (R-LOG-6)",
        arguments: ["\\ufdd0erased:00", "\\ufdef", "\\ufffe", "\\uffff", "\\ud83f\\udffe"])
    func noncharactersRefused(_ escape: String) {
        let error = refusal(createUnit(name: "北京\(escape)大学"))
        #expect(error?.code == .invalidInput, "\(escape)")
        #expect(error?.field == "name")
        #expect(refusal(createUnit(name: "北京\\ufdcf大学")) == nil, "U+FDCF is an ordinary character")
    }

    @Test(
        "a name of nothing but spaces or invisible characters is empty",
        arguments: [#" "#, #"\u3000"#, #"\u200b"#, #"\ufeff\u200b "#, #"\u00ad"#, #"\u2060"#])
    func invisibleNamesAreEmpty(_ escape: String) {
        let error = refusal(createUnit(name: escape))
        #expect(error?.code == .invalidInput, "\(escape)")
        #expect(error?.message.contains("must not be empty") == true, "\(escape)")
        #expect(refusal(createUnit(name: "\\u200b北京大学")) == nil, "a visible name with an invisible character")
    }

    @Test("more than 30 combining marks in a row are refused before anything normalises them, in values and keys")
    func combiningRuns() {
        func marks(_ count: Int) -> String { "a" + String(repeating: "\u{0301}\u{0316}", count: count / 2) }
        func escaped(_ count: Int) -> String { "a" + String(repeating: #"\u0301\u0316"#, count: count / 2) }
        // Thirty (the stream-safe bound) pass, and normalise; thirty-two do not, raw or escaped.
        #expect(refusal(createUnit(name: marks(30))) == nil)
        #expect(refusal(createUnit(name: escaped(30))) == nil)
        for name in [marks(32), escaped(32)] {
            let error = refusal(createUnit(name: name))
            #expect(error?.code == .invalidInput)
            #expect(
                error?.message.contains("more than 30 combining marks in a row") == true, "\(String(describing: error))"
            )
        }
        let key = #"{"type":"createProvince","actor":"N0","provinceId":"Q1","name":"n","\#(marks(32))":1}"#
        #expect(refusal(key)?.message.contains("combining marks") == true)
        // Runs broken by a starter are fine however long the text: Vietnamese-style text of many marks.
        #expect(refusal(createUnit(name: String(repeating: "a\u{0301}\u{0316}", count: 60))) == nil)
        // An audit's line of 400,000 marks (800 KB) is refused by the parser, before the normaliser
        // (which took a minute over it) or the length limits see it.
        #expect(refusal(createUnit(name: marks(400_000)))?.message.contains("combining marks in a row") == true)
    }

    @Test("newline and tab stay allowed in text")
    func newlineAndTab() {
        guard case .success(let envelope) = decode(createUnit(name: "北京\\n大学\\t本部")),
            case .createUnit(_, let name, _) = envelope.command
        else {
            Issue.record("refused")
            return
        }
        #expect(name == "北京\n大学\t本部")
    }

    @Test("nested strings and object keys obey the same rules")
    func nested() {
        let project =
            #"{"type":"registerProject","actor":"N0","projectNo":"24BZX001","title":"t","category":"general","discipline":"d","unitId":"U1","leader":{"name":"张\u202e三","idType":"passport","idNumber":"E1234567"},"members":[],"approvedOn":"2024-06-01","plannedEndDate":"2026-12-31","deliverableForm":"monograph","budget":{"direct":{"equipment":1},"indirect":1}}"#
        #expect(refusal(project)?.field == "leader.name")
        let key = project.replacingOccurrences(of: #"张\u202e三"#, with: "张三").replacingOccurrences(
            of: #"{"equipment":1}"#, with: #"{"equip\u001bment":1}"#)
        // The key is shown with its control character escaped (InputText.shownKey).
        #expect(refusal(key)?.field == #"budget.direct.equip\u{1B}ment"#)
        let member = project.replacingOccurrences(of: #"张\u202e三"#, with: "张三").replacingOccurrences(
            of: #""members":[]"#,
            with: #""members":[{"name":"李四","idType":"passport","idNumber":"E7654321","unit":"北\u0007大"}]"#)
        #expect(refusal(member)?.field == "members[0].unit")
    }

    @Test("text is normalised to NFC, object keys included")
    func nfc() {
        // "é" written as e + U+0301 (combining acute) becomes U+00E9.
        guard case .success(let envelope) = decode(createUnit(name: "Universite\\u0301 de Pe\\u0301kin")),
            case .createUnit(_, let name, _) = envelope.command
        else {
            Issue.record("refused")
            return
        }
        #expect(Array(name.unicodeScalars) == Array("Universit\u{E9} de P\u{E9}kin".unicodeScalars))
        let adjustment =
            #"{"type":"draftBudgetAdjustment","actor":"L1","projectNo":"24BZX001","direct":{"cafe\u0301":1},"indirect":1,"reason":"r"}"#
        guard case .success(let decoded) = decode(adjustment),
            case .draftBudgetAdjustment(let input) = decoded.command
        else {
            Issue.record("refused")
            return
        }
        #expect(input.direct.keys.map { Array($0.unicodeScalars) } == [Array("caf\u{E9}".unicodeScalars)])
        let twice =
            #"{"type":"draftBudgetAdjustment","actor":"L1","projectNo":"24BZX001","direct":{"cafe\u0301":1,"caf\u00e9":2},"indirect":1,"reason":"r"}"#
        #expect(refusal(twice)?.code == .invalidInput)
    }

    @Test("limits count Unicode scalars, not characters: 150 characters of two scalars each are 300")
    func scalarsNotCharacters() {
        let ksha = "\\u0915\\u094d"  // क् : one character, two scalars, no NFC composition
        #expect(refusal(createUnit(name: String(repeating: ksha, count: 100))) == nil)
        #expect(refusal(createUnit(name: String(repeating: ksha, count: 101)))?.field == "name")
    }

    @Test("limits count UTF-8 bytes too")
    func bytes() {
        var limits = InputLimits()
        limits.maximumNameBytes = 30
        #expect(refusal(createUnit(name: String(repeating: "名", count: 10)), limits: limits) == nil)
        let error = refusal(createUnit(name: String(repeating: "名", count: 11)), limits: limits)
        #expect(error?.field == "name")
        #expect(error?.message.contains("30 UTF-8 bytes") == true)
        #expect(refusal(createUnit(name: String(repeating: "n", count: 30)), limits: limits) == nil)
        #expect(refusal(createUnit(name: String(repeating: "n", count: 31)), limits: limits)?.field == "name")
    }

    @Test("the scalars that skip the normaliser are NFC alone and next to each other")
    func stableStarters() {
        let stable = (0x80...0xFFFF).compactMap(Unicode.Scalar.init).filter(InputText.isStableStarter)
        #expect(stable.count > 20_000)
        for scalar in stable {
            let text = String(String.UnicodeScalarView([scalar]))
            #expect(text._nfcCodeUnits == Array(text.utf8), "U+\(String(scalar.value, radix: 16))")
        }
        // Every pair of a sample (each range's ends and a stride through it) stays as it is.
        let sample =
            stride(from: 0, to: stable.count, by: 97).map { stable[$0] } + [stable[0], stable[stable.count - 1]]
        for first in sample {
            for second in sample + ["e", "A"] {
                let pair = String(String.UnicodeScalarView([first, second]))
                #expect(pair._nfcCodeUnits == Array(pair.utf8))
            }
        }
    }

    @Test("a weak password is refused by policy before anything is hashed (R-ACC-6)")
    func weakPasswordPolicy() {
        let policy = WorkflowPolicy()
        #expect(throws: WorkflowError.self) { try policy.requireStrongPassword("short1", field: "password") }
        #expect(throws: Never.self) { try policy.requireStrongPassword("Secret123", field: "password") }
        var needs = Command.resetPassword(token: "t", newPassword: "x").preparation
        #expect(needs.passwordField == "newPassword")
        needs = Command.bootstrap(accountId: nil, username: "u", password: "p", name: "n").preparation
        #expect(needs.passwordField == "password")
    }
}
