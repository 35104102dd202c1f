import EventLog
import Foundation
import GrantWorkflow
import Testing

@testable import GrantLedger

/// ``JSONTreeEncoder`` replaced `JSONEncoder` (and the parse of its output) in the events' JSON
/// (`replay events`, the replica's `payload`) and the replica's `jsonb` read columns: it must give the
/// same JSON. Serialized: both tests open the one shared demo store, and a store may be open only once
/// in a process at a time.
@Suite(.serialized) struct JSONTreeEncoderTests {
    static let demo = SharedDemo(projects: 300, seed: 17)

    /// `JSONEncoder`'s output for `value`, parsed.
    static func reference(_ value: some Encodable, sorted: Bool) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = sorted ? [.sortedKeys, .withoutEscapingSlashes] : []
        return try JSONParser.parse(Array(try encoder.encode(value)))
    }

    @Test("every event of the demo renders as JSONEncoder with sorted keys renders it, byte for byte")
    func eventsMatchJSONEncoder() async throws {
        let ledger = try Ledger(path: try await Self.demo.path())
        defer { ledger.close() }
        let decoder = ledger.replicaDecoder()
        let events = try ledger.store.read { txn in try txn.events() }
        var types = Set<String>()
        for event in events {
            let domain = try decoder.domainEvent(of: event)
            types.insert(event.type)
            let expected = try Self.reference(domain, sorted: true)
            let tree = JSONTreeEncoder.value(domain)
            // Same text, so the same members in the same (sorted) order.
            #expect(tree.serialized() == expected.serialized(), "event \(event.position) (\(event.type))")
            var bytes: [UInt8] = []
            JSONTreeEncoder.writeMember("data", of: domain, to: &bytes)
            #expect(
                String(decoding: bytes, as: UTF8.self) == (expected[member: "data"] ?? .null).serialized(),
                "data of event \(event.position) (\(event.type))")
            // The replica's payload, written by hand for the hot types (DirectJSON).
            var direct: [UInt8] = []
            JSONTreeEncoder.writeData(of: domain, to: &direct)
            #expect(direct == bytes, "data of event \(event.position) (\(event.type)), direct")
            // The replica's payload as the sink writes it: streamed, members in encoding order; the
            // same JSON once parsed (JSONValue's equality ignores member order, as jsonb does).
            var streamed: [UInt8] = []
            // Every type of the workflow encodes in nested order: none falls back to the tree.
            #expect(
                JSONStreamEncoder.writeMember("data", of: domain, to: &streamed, erased: .marker),
                "event \(event.position) (\(event.type)) streams")
            streamed.removeAll()
            JSONTreeEncoder.writeData(of: domain, to: &streamed, sortedKeys: false)
            #expect(
                try JSONParser.parse(streamed) == (expected[member: "data"] ?? .null),
                "data of event \(event.position) (\(event.type)), streamed")
        }
        // The demo exercises most of the workflow (about 40 of the 52 event types).
        #expect(types.count >= 30, "only \(types.count) event types in the demo")
    }

    @Test("read-table JSON (keys unsorted, erased fields null) means what JSONEncoder's meant")
    func readTableValuesMatchJSONEncoder() async throws {
        let ledger = try Ledger(path: try await Self.demo.path())
        defer { ledger.close() }
        let state = try PostgresReplicaTests.replayed(ledger)
        func check(_ value: some Encodable, _ what: String) throws {
            let text = JSONTreeEncoder.string(value, sortedKeys: false, erased: .null)
            // JSONValue's equality ignores the order of members, as jsonb does.
            #expect(try JSONParser.parse(Array(text.utf8)) == Self.reference(value, sorted: false), "\(what)")
        }
        for project in state.projects.values {
            // Written by hand (DirectJSON), keys sorted: the sorted tree encoder's text.
            var direct: [UInt8] = []
            JSONTreeEncoder.write(project, to: &direct)
            #expect(String(decoding: direct, as: UTF8.self) == JSONTreeEncoder.value(project).serialized())
            try check(project.budget, "budget of \(project.projectNo)")
            try check(project.contentAdjustments, "content adjustments of \(project.projectNo)")
        }
        for request in state.changeRequests.values {
            try check(request.details, "details of \(request.id)")
            try check(request.changes, "changes of \(request.id)")
        }
        var sections = 0
        for closeout in state.closeouts.values {
            try check(closeout.experts, "experts of \(closeout.id)")
            try check(closeout.appraisals, "appraisals of \(closeout.id)")
            // The closeouts table's `sections` (written by hand, DirectJSON, wherever they are nested).
            if let info = closeout.basicInfo { try check(info, "basic info of \(closeout.id)") }
            if let members = closeout.members { try check(members, "members of \(closeout.id)") }
            if let outputs = closeout.interimOutputs { try check(outputs, "interim outputs of \(closeout.id)") }
            if let accounts = closeout.finalAccounts { try check(accounts, "final accounts of \(closeout.id)") }
            if closeout.basicInfo != nil, closeout.members != nil, closeout.finalAccounts != nil { sections += 1 }
        }
        #expect(sections > 0)
        for adjustment in state.budgetAdjustments.values {
            try check(adjustment.proposed, "proposed of \(adjustment.id)")
        }
        for account in state.accounts.values {
            if let profile = account.profile { try check(profile, "profile of \(account.id)") }
        }
        #expect(!state.closeouts.isEmpty && !state.changeRequests.isEmpty && !state.budgetAdjustments.isEmpty)
    }

    @Test("closeout sections written by hand equal the tree's JSON, in every section kind, erased fields too")
    func closeoutSectionsByHand() throws {
        let erased = PersonalData.erasedPrefix + "0123456789abcdef"
        let member = Member(name: "张三", idType: .residentId, idNumber: erased, unit: "单位\\\"", title: "教授", role: "成员")
        let line = AccountLine(approved: 100, spent: 60, balance: 40)
        let kinds: [CloseoutSectionData] = [
            .basicInfo(
                CloseoutBasicInfo(
                    title: "题/目", form: .monograph, wordCount: -3, keywords: [], appraisalMode: .exempt,
                    exemptionGround: .award)),
            .basicInfo(
                CloseoutBasicInfo(
                    title: "t", form: .monograph, wordCount: 0, keywords: ["a", "b"], appraisalMode: .review)
            ),
            .members([
                CloseoutMember(member: member, contribution: "c"), CloseoutMember(member: member, contribution: ""),
            ]),
            .members([]),
            .interimOutputs([
                InterimOutput(
                    title: "a", form: "论文", authors: "x", venue: "v", date: CalendarDate(daysSinceEpoch: 19_000))
            ]),
            .finalAccounts(FinalAccounts(direct: ["labor": line, "business": line, "Z": line], indirect: line)),
            .finalAccounts(FinalAccounts(direct: [:], indirect: line)),
            .avoidedExperts([AvoidedExpert(name: erased, unit: "u", reason: "r")]),
        ]
        for data in kinds {
            let event = DomainEvent.closeoutSectionSaved(
                CloseoutSectionSaved(
                    closeoutId: "CO-1", projectNo: "24BZX001", data: data,
                    at: Timestamp(epochMilliseconds: 1_700_000_000_000)))
            var direct: [UInt8] = []
            JSONTreeEncoder.writeData(of: event, to: &direct)
            var tree: [UInt8] = []
            JSONTreeEncoder.writeMember("data", of: event, to: &tree)
            #expect(String(decoding: direct, as: UTF8.self) == String(decoding: tree, as: UTF8.self), "\(data.section)")
            // JSONEncoder knows nothing of erasure: compared where nothing is erased.
            if !String(decoding: direct, as: UTF8.self).contains(#""erased":true"#) {
                let expected = try Self.reference(event, sorted: true)
                #expect(
                    String(decoding: direct, as: UTF8.self) == expected[member: "data"]?.serialized(), "\(data.section)"
                )
            }
            // Streamed into a read table (nested values by hand, erased fields null).
            let nulls = JSONTreeEncoder.string(data, sortedKeys: false, erased: .null)
            let viaTree = JSONTreeEncoder.string(data, sortedKeys: true, erased: .null)
            #expect(try JSONParser.parse(Array(nulls.utf8)) == JSONParser.parse(Array(viaTree.utf8)), "\(data.section)")
            #expect(!nulls.contains(erased) && !String(decoding: direct, as: UTF8.self).contains(erased))
        }
    }

    @Test("the small events written by hand equal the tree's JSON, optional members present and absent")
    func smallEventsByHand() throws {
        let at = Timestamp(epochMilliseconds: 1_700_000_000_000)
        let erased = PersonalData.erasedPrefix + "0123456789abcdef"
        let record = ReviewRecord(level: .province, decision: .return, opinion: "退回\"修改\"\n", by: "PO-1", at: at)
        let events: [DomainEvent] = [
            .changeRequestReviewed(
                ItemReviewed(itemId: "CR-1", projectNo: "24BZX001", record: record, next: .national)),
            .closeoutReviewed(ItemReviewed(itemId: "CO-1", projectNo: "24BZX001", record: record, next: nil)),
            .budgetAdjustmentReviewed(ItemReviewed(itemId: "BA-1", projectNo: "24BZX001", record: record, next: .unit)),
            .registrationReviewed(
                RegistrationReviewed(accountId: "L1", decision: .reject, reason: "缺", by: "UA1", at: at)),
            .registrationReviewed(
                RegistrationReviewed(accountId: "L1", decision: .approve, reason: nil, by: "UA1", at: at)),
            .closeoutSubmitted(ItemStep(itemId: "CO-1", projectNo: "24BZX001", by: erased, at: at)),
            .deadlineReminderSent(
                DeadlineReminderSent(
                    projectNo: "24BZX001", plannedEndDate: CalendarDate(daysSinceEpoch: 20_000), daysBefore: -1, at: at)
            ),
            .closeoutOpened(CloseoutOpened(closeoutId: "CO-1", projectNo: "24BZX001", by: "L1", at: at)),
        ]
        for event in events {
            var direct: [UInt8] = []
            #expect(DirectJSON.eventData(event, &direct, .marker))
            var tree: [UInt8] = []
            JSONTreeEncoder.writeMember("data", of: event, to: &tree)
            #expect(
                String(decoding: direct, as: UTF8.self) == String(decoding: tree, as: UTF8.self), "\(event.typeName)")
        }
    }

    @Test("an erased field is written as the erased marker or as null, never as its pseudonym")
    func erasedFields() {
        let pseudonym = PersonalData.erasedPrefix + "0123456789abcdef"
        let value = ["name": pseudonym, "unit": "U001"]
        #expect(JSONTreeEncoder.string(value) == #"{"name":{"erased":true},"unit":"U001"}"#)
        #expect(JSONTreeEncoder.string(value, erased: .null) == #"{"name":null,"unit":"U001"}"#)
        #expect(JSONTreeEncoder.value(value).serialized() == #"{"name":{"erased":true},"unit":"U001"}"#)
    }

    @Test("keys sort by their UTF-8 bytes, a key encoded twice keeps its last value, nil optionals are left out")
    func containerSemantics() throws {
        struct Sample: Encodable {
            var b = 1
            var aB = "x"
            var ab: String? = nil
            var aUnderscore: [Int] = [3, 1]
            var nested = ["z": true, "Z": false]
            enum Keys: String, CodingKey {
                case b, aB, ab, nested
                case aUnderscore = "a_"
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(b, forKey: .b)
                try container.encode(aB, forKey: .aB)
                try container.encodeIfPresent(ab, forKey: .ab)
                try container.encode(aUnderscore, forKey: .aUnderscore)
                try container.encode(nested, forKey: .nested)
                try container.encode(2, forKey: .b)
            }
        }
        let sample = Sample()
        // Streamed (keys unsorted): in encoding order, the key encoded twice written twice.
        #expect(
            JSONTreeEncoder.string(sample, sortedKeys: false)
                == #"{"b":1,"aB":"x","a_":[3,1],"nested":{"#
                + (JSONTreeEncoder.string(sample.nested, sortedKeys: false).dropFirst()) + #","b":2}"#)
        let reference = try Self.reference(sample, sorted: true)
        #expect(JSONTreeEncoder.string(sample) == reference.serialized())
        #expect(JSONTreeEncoder.string(sample) == #"{"aB":"x","a_":[3,1],"b":2,"nested":{"Z":false,"z":true}}"#)
    }

    @Test("a value that is not encoded in nested order is written through the tree, with the same JSON")
    func streamFallsBackToTheTree() throws {
        /// Fills a nested container after its parent moved on: cannot be streamed.
        struct Interleaved: Encodable {
            enum Keys: String, CodingKey { case first, inner, last }
            enum Inner: String, CodingKey { case x, y }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var inner = container.nestedContainer(keyedBy: Inner.self, forKey: .inner)
                try container.encode("a", forKey: .first)
                try inner.encode(1, forKey: .x)
                try container.encode(true, forKey: .last)
                try inner.encode(2, forKey: .y)
            }
        }
        /// Opens a keyed container, then a single value: not valid for JSONEncoder, kept by the tree.
        struct Twice: Encodable {
            enum Keys: String, CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                var single = encoder.singleValueContainer()
                try single.encode("later")
            }
        }
        var scratch: [UInt8] = []
        #expect(!JSONStreamEncoder.write(Interleaved(), to: &scratch, erased: .marker) && scratch.isEmpty)
        #expect(!JSONStreamEncoder.write(Twice(), to: &scratch, erased: .marker) && scratch.isEmpty)
        let interleaved = Interleaved()
        #expect(
            try JSONParser.parse(Array(JSONTreeEncoder.string(interleaved, sortedKeys: false).utf8))
                == (try Self.reference(interleaved, sorted: false)))
        #expect(JSONTreeEncoder.string(Twice(), sortedKeys: false) == JSONTreeEncoder.string(Twice()))
        // Within a larger value: the whole value falls back, nothing half-written is left.
        var out = Array("prefix".utf8)
        JSONTreeEncoder.write(["k": interleaved], to: &out, sortedKeys: false)
        #expect(out.starts(with: Array("prefix{\"k\":{".utf8)))
        #expect(
            try JSONParser.parse(Array(out.dropFirst(6))) == (try Self.reference(["k": interleaved], sorted: false)))
    }

    @Test("streamed integers, doubles and strings are written as the tree writes them")
    func streamedScalars() throws {
        struct Numbers: Encodable {
            var values: [Int64] = [0, -1, 9, 10, -10, .max, .min, 1_234_567_890_123]
            var unsigned: [UInt64] = [0, .max, UInt64(Int64.max) + 1]
            var small: [Int8] = [.min, .max]
            var doubles: [Double] = [1.0, -2.5, 1e20, 0.1]
            var text = "tab\there \"quoted\" 中文 \u{1}"
            var flag = false
            var nothing: Int? = nil
            var something: Int? = 3
        }
        let numbers = Numbers()
        #expect(
            try JSONParser.parse(Array(JSONTreeEncoder.string(numbers, sortedKeys: false).utf8))
                == JSONTreeEncoder.value(numbers))
        #expect(JSONTreeEncoder.string(numbers.values, sortedKeys: false) == JSONTreeEncoder.string(numbers.values))
        #expect(JSONTreeEncoder.string(numbers.unsigned, sortedKeys: false) == JSONTreeEncoder.string(numbers.unsigned))
        #expect(JSONTreeEncoder.string("plain", sortedKeys: false) == #""plain""#)
        #expect(JSONTreeEncoder.string([String](), sortedKeys: false) == "[]")
    }
}
