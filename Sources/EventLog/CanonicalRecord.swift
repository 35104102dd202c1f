internal import Crypto

/// A record exactly as the log stores it, for copying a log elsewhere (a PostgreSQL replica) and back:
/// its canonical bytes (layout version 1, everything the digest covers) and its digest.
///
/// The digest of a record is SHA-256(previous record's digest ‖ canonical bytes); the first record's
/// previous digest is 32 zero bytes (``genesisDigest``). A copy of the log that keeps these two
/// fields per position can be verified without the store (``chainDigest(previous:canonical:)``) and
/// appended back verbatim (``WriteTransaction/appendVerbatim(_:)``).
public struct CanonicalRecord: Sendable, Hashable {
    /// The canonical bytes: the stored record without its trailing 32-byte digest.
    public var bytes: [UInt8]
    /// The stored digest: 32 bytes.
    public var digest: [UInt8]

    /// The previous digest of the first record: 32 zero bytes.
    public static let genesisDigest = [UInt8](repeating: 0, count: 32)

    /// Wraps canonical bytes and a digest (not checked: see ``recordedEvent()`` and ``follows(_:)``).
    public init(bytes: [UInt8], digest: [UInt8]) {
        self.bytes = bytes
        self.digest = digest
    }

    /// SHA-256(`previous` ‖ `canonical`): the digest a record with these canonical bytes gets after a
    /// record whose digest is `previous`.
    public static func chainDigest(previous: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical)
        return Array(hasher.finalize())
    }

    /// Whether this record's digest is the link after a record whose digest is `previous`.
    public func follows(_ previous: [UInt8]) -> Bool {
        Self.chainDigest(previous: previous, canonical: bytes) == digest
    }

    /// The event the bytes describe, with ``digest``; nil when the bytes are not a well-formed record
    /// of layout version 1 or the digest is not 32 bytes.
    public func recordedEvent() -> RecordedEvent? {
        guard digest.count == RecordLayout.digestSize else { return nil }
        let whole = bytes + digest
        return whole.withUnsafeBytes { raw -> RecordedEvent? in
            guard RecordLayout.isWellFormed(raw) else { return nil }
            return EventRecordView(validated: raw).recordedEvent()
        }
    }
}

extension EventRecordView {
    /// The record's canonical bytes and digest, copied out.
    public var canonicalRecord: CanonicalRecord {
        CanonicalRecord(bytes: Array(canonicalBytes), digest: Array(digest))
    }
}

extension WriteTransaction {
    /// Appends a record copied from another copy of this log, verbatim: same position, stream version,
    /// time, metadata, payload and digest (disaster recovery from a replica).
    ///
    /// Checks, before anything is kept, that the record is well formed, that its position is the next
    /// one, that its stream version follows the stream's, and that its digest is the link after the
    /// current head (so the restored chain is the original one, record by record). Throws
    /// ``EventLogError/Code/corrupted`` naming the position otherwise. Command ids are kept in the
    /// records, but no idempotency results are recorded (they are not part of the log).
    public func appendVerbatim(_ record: CanonicalRecord) throws(EventLogError) {
        guard let event = record.recordedEvent() else {
            throw .corrupted("a record to restore is malformed")
        }
        let position = event.position
        guard position == context.headPosition + 1 else {
            throw .corrupted("record \(position) does not follow the head \(context.headPosition)")
        }
        guard record.follows(context.headDigest.bytes) else {
            throw .corrupted("record \(position): its digest is not the link after record \(position - 1)")
        }
        let expected: ExpectedVersion = event.streamVersion == 1 ? .noStream : .exact(event.streamVersion - 1)
        let new = NewEvent(
            type: event.type, schemaVersion: event.schemaVersion, payload: event.payload, time: event.time,
            commandId: event.commandId, actor: event.actor, causationId: event.causationId,
            correlationId: event.correlationId)
        do {
            _ = try append([new], to: event.stream, expectedVersion: expected, defaultCommandId: nil)
        } catch let failure where failure.code == .wrongExpectedVersion {
            throw .corrupted("record \(position): stream version \(event.streamVersion) does not follow its stream")
        }
        // Encoding is deterministic, so the same fields give the same bytes and digest; anything else
        // means the bytes were not canonical, and the child transaction is rolled back.
        guard context.headDigest.bytes == record.digest else {
            throw .corrupted("record \(position) does not re-encode to its canonical bytes")
        }
    }
}
