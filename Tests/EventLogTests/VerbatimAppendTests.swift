import Foundation
import Testing

@testable import EventLog

/// `CanonicalRecord` and `WriteTransaction.appendVerbatim(_:)`: a log copied record by record (as a
/// replica holds it) and appended back is the same log, and a record that does not link is refused.
@Suite("Verbatim append")
struct VerbatimAppendTests {
    /// The records of a store with events over three streams, with metadata set on some.
    private func records(count: Int) async throws -> (records: [CanonicalRecord], head: Head) {
        try await withStore { store, _ in
            for index in 0..<count {
                var event = sampleEvent(index, time: 1_700_000_000_000 + Int64(index), payloadSize: index % 50)
                if index % 2 == 0 { event.actor = "actor-\(index)" }
                if index % 3 == 0 { event.correlationId = "" }
                _ = try await store.append(
                    [event], to: "stream-\(index % 3)", commandId: index % 4 == 0 ? "command-\(index)" : nil)
            }
            let records = try store.read { txn in
                var records: [CanonicalRecord] = []
                try txn.scan { view in
                    records.append(view.canonicalRecord)
                    return true
                }
                return records
            }
            return (records, try store.head())
        }
    }

    @Test func aCopiedLogAppendedVerbatimIsTheSameLog() async throws {
        let (records, head) = try await records(count: 300)
        var previous = CanonicalRecord.genesisDigest
        for record in records {
            #expect(record.follows(previous))
            #expect(record.recordedEvent() != nil)
            previous = record.digest
        }
        try await withStore { copy, _ in
            for chunk in stride(from: 0, to: records.count, by: 64) {
                let part = Array(records[chunk..<min(chunk + 64, records.count)])
                try await copy.write { txn in
                    for record in part { try txn.appendVerbatim(record) }
                }
            }
            #expect(try copy.head() == head)
            let report = try copy.verify()
            #expect(report.isValid, "\(report.reason ?? "")")
            #expect(report.headDigest == head.digest)
            #expect(try copy.streamVersion("stream-1") == 100)
            let recopied = try copy.read { txn in
                var records: [CanonicalRecord] = []
                try txn.scan { view in
                    records.append(view.canonicalRecord)
                    return true
                }
                return records
            }
            #expect(recopied == records)
            // It goes on as an ordinary log.
            _ = try await copy.append([sampleEvent(1)], to: "stream-1", expectedVersion: .exact(100))
            #expect(try copy.verify().isValid)
        }
    }

    @Test func aRecordThatDoesNotLinkIsRefusedAndLeavesNoTrace() async throws {
        let (records, _) = try await records(count: 10)
        try await withStore { copy, _ in
            try await copy.write { txn in
                for record in records.prefix(4) { try txn.appendVerbatim(record) }
            }
            // A changed byte: the digest no longer links.
            var changed = records[4]
            changed.bytes[changed.bytes.count - 1] ^= 1
            let tampered = changed
            await #expect(throws: EventLogError.self) {
                try await copy.write { txn in try txn.appendVerbatim(tampered) }
            }
            // A gap: record 6 after record 4.
            await #expect(throws: EventLogError.self) {
                try await copy.write { txn in try txn.appendVerbatim(records[5]) }
            }
            // A malformed record.
            await #expect(throws: EventLogError.self) {
                try await copy.write { txn in
                    try txn.appendVerbatim(CanonicalRecord(bytes: [1, 2, 3], digest: records[4].digest))
                }
            }
            #expect(try copy.head().position == 4)
            try await copy.write { txn in
                for record in records.dropFirst(4) { try txn.appendVerbatim(record) }
            }
            #expect(try copy.verify().isValid)
        }
    }
}
