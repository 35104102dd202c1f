import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Testing

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
        for closeout in state.closeouts.values {
            try check(closeout.experts, "experts of \(closeout.id)")
            try check(closeout.appraisals, "appraisals of \(closeout.id)")
        }
        for adjustment in state.budgetAdjustments.values {
            try check(adjustment.proposed, "proposed of \(adjustment.id)")
        }
        for account in state.accounts.values {
            if let profile = account.profile { try check(profile, "profile of \(account.id)") }
        }
        #expect(!state.closeouts.isEmpty && !state.changeRequests.isEmpty && !state.budgetAdjustments.isEmpty)
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
        let reference = try Self.reference(sample, sorted: true)
        #expect(JSONTreeEncoder.string(sample) == reference.serialized())
        #expect(JSONTreeEncoder.string(sample) == #"{"aB":"x","a_":[3,1],"b":2,"nested":{"Z":false,"z":true}}"#)
    }
}
