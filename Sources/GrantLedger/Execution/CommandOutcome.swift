public import GrantWorkflow

/// The answer to one command: accepted with where its events landed, or rejected with a coded error.
///
/// ``json`` is the result line of docs/cli.md:
/// `{"id": "c-0001", "ok": true, "position": 418, "events": ["ChangeRequestDrafted"], "result": {"requestId": "CR-1"}}`
/// or `{"id": "c-0002", "ok": false, "error": {"code": "duplicatePendingChange", "rule": "R-CHG-3", "message": "…"}}`.
public struct CommandOutcome: Sendable, Hashable {
    /// The command id from the envelope, if any.
    public var commandId: String?
    /// The log position of the command's last event; the head position when it appended none.
    public var position: UInt64
    /// The type names of the appended events, in order.
    public var events: [String]
    /// Result fields (`requestId`, `accountId` …).
    public var result: [String: String]
    /// The error of a rejected command.
    public var error: LedgerError?
    /// Whether this is the stored answer of an earlier run of the same command id (R-LOG-3); the
    /// result line then says `"replayed": true`.
    public var deduplicated: Bool

    /// Whether the command was accepted.
    public var isAccepted: Bool { error == nil }

    /// An accepted outcome.
    public init(
        commandId: String?, position: UInt64, events: [String], result: [String: String], deduplicated: Bool = false
    ) {
        self.commandId = commandId
        self.position = position
        self.events = events
        self.result = result
        self.error = nil
        self.deduplicated = deduplicated
    }

    /// A rejected outcome.
    public init(commandId: String?, error: LedgerError) {
        self.commandId = commandId
        self.position = 0
        self.events = []
        self.result = [:]
        self.error = error
        self.deduplicated = false
    }

    /// The result line as a JSON value.
    public var json: JSONValue {
        if let error {
            return .object([("id", .optional(commandId)), ("ok", .bool(false)), ("error", error.json)])
        }
        var members: [(String, JSONValue)] = [
            ("id", .optional(commandId)), ("ok", .bool(true)), ("position", .int(position)),
            ("events", .strings(events)), ("result", .stringMap(result)),
        ]
        if deduplicated { members.append(("replayed", .bool(true))) }
        return .object(members)
    }

    /// The result line as compact JSON text (no newline).
    public var jsonLine: String { json.serialized() }

    /// The bytes kept under the command id for idempotent retries: position, events and result, then
    /// the tag 1 and the command's fingerprint (length-prefixed) (R-LOG-3 rev. 2), then the tag 2 and
    /// its fingerprint without personal values (``CommandEnvelope/publicFingerprint``), empty when the
    /// command has none (its full fingerprint then holds nothing personal). Records written before the
    /// fingerprint existed end after the result, and those written before round 18 after the first
    /// fingerprint; an erasure drops the full fingerprint of every command that held the person's
    /// fields and has personal values of its own, or may have (``withoutFullFingerprint(_:)``).
    func storedForm(fingerprint: [UInt8]?, publicFingerprint: [UInt8]?) -> [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        writer.writeVarint(position)
        writer.write(events)
        writer.write(result)
        if let fingerprint {
            writer.writeByte(Self.fingerprintTag)
            writer.writeBytes(fingerprint)
        }
        if let publicFingerprint {
            writer.writeByte(Self.publicFingerprintTag)
            writer.writeBytes(publicFingerprint)
        }
        return writer.bytes
    }

    static let fingerprintTag: UInt8 = 1
    static let publicFingerprintTag: UInt8 = 2

    /// A stored command record as it was written, read back.
    struct Stored {
        var outcome: CommandOutcome
        /// The command's fingerprint; nil for a record from before fingerprints, or after an erasure.
        var fingerprint: [UInt8]?
        /// The fingerprint without personal values, when the command had any.
        var publicFingerprint: [UInt8]?
    }

    /// A stored record without its full fingerprint (kept: the one without personal values), or nil
    /// when there is nothing to drop: no full fingerprint, a command without personal values (an
    /// empty second fingerprint), or not a command record of this form (an event-log append's, say).
    /// A record from before round 18 has no second fingerprint and may hold personal values: dropped.
    static func withoutFullFingerprint(_ bytes: [UInt8]) -> [UInt8]? {
        guard let record = stored(bytes, commandId: ""), record.fingerprint != nil,
            record.publicFingerprint?.isEmpty != true
        else { return nil }
        return record.outcome.storedForm(fingerprint: nil, publicFingerprint: record.publicFingerprint)
    }

    /// An outcome from its stored form, with the fingerprints of the command that produced it; nil
    /// when the bytes are not one.
    static func stored(_ bytes: [UInt8], commandId: String) -> Stored? {
        var reader = BinaryReader(bytes)
        do throws(BinaryDecodingError) {
            let position = try reader.readVarint()
            let events: [String] = try reader.read()
            let result: [String: String] = try reader.read()
            var fingerprint: [UInt8]?
            var publicFingerprint: [UInt8]?
            var tag = reader.isAtEnd ? nil : try reader.readByte()
            if tag == fingerprintTag {
                fingerprint = try reader.readBytes()
                tag = reader.isAtEnd ? nil : try reader.readByte()
            }
            if tag == publicFingerprintTag {
                publicFingerprint = try reader.readBytes()
                tag = nil
            }
            guard tag == nil else { return nil }
            try reader.expectEnd()
            let outcome = CommandOutcome(
                commandId: commandId, position: position, events: events, result: result, deduplicated: true)
            return Stored(outcome: outcome, fingerprint: fingerprint, publicFingerprint: publicFingerprint)
        } catch {
            return nil
        }
    }
}
