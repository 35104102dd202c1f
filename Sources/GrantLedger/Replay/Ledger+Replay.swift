public import EventLog
public import GrantWorkflow
internal import Synchronization

/// Which events `replay events` exports.
public struct EventFilter: Sendable, Hashable {
    /// First position (inclusive).
    public var from: UInt64
    /// Last position (inclusive).
    public var to: UInt64
    /// Only this stream (e.g. `project-24BZX001`).
    public var stream: String?
    /// Only events at or after this time.
    public var since: Timestamp?
    /// Only events at or before this time.
    public var until: Timestamp?

    /// A filter; by default the whole log.
    public init(
        from: UInt64 = 1, to: UInt64 = .max, stream: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil
    ) {
        self.from = from
        self.to = to
        self.stream = stream
        self.since = since
        self.until = until
    }
}

extension Ledger {
    /// `replay verify`: walks the whole log, checking every digest link, position and stream version,
    /// and decodes every event. The report names the first bad position when anything is wrong.
    public func verify(progress: (@Sendable (UInt64) -> Void)? = nil) throws(LedgerError) -> VerifyReport {
        // Every payload must decode as the event it says it is: checked by the event log's digest
        // lanes as they pass each record (two threads, one pass over the log). A decode failure is
        // reported, at its first position, only when the log itself is sound, as before.
        let undecodable = Mutex<(position: UInt64, reason: String)?>(nil)
        let keyrings = Mutex<[SubjectKeyring]>([])
        let dbs = dbs
        var report: VerifyReport
        do {
            report = try store.verify(progress: progress) { access in
                let keys = SubjectKeyring(access: access, dbs: dbs, readsAhead: true)
                keys.recordsErasures = true
                keyrings.withLock { $0.append(keys) }
                return { view in
                    do {
                        _ = try ModelMaintenance.decode(view, keys: keys)
                    } catch {
                        let failure = (view.position, "\(error)")
                        undecodable.withLock { first in
                            if first.map({ failure.0 < $0.position }) ?? true { first = failure }
                        }
                    }
                }
            }
        } catch {
            throw LedgerError(error)
        }
        guard report.firstBadPosition == nil else { return report }
        if let failure = undecodable.withLock({ $0 }) {
            report.firstBadPosition = failure.position
            report.reason = failure.reason
            return report
        }
        if let forged = try forgedErasure(among: keyrings.withLock { $0.flatMap { $0.erasuresMet.values } }) {
            report.firstBadPosition = forged.position
            report.reason = forged.reason
        }
        return report
    }

    /// The first erasure mark, among those met, that no `SubjectErased` event made: the mark's position
    /// must hold a `SubjectErased` naming the subject. A mark written over a live subject's key would
    /// otherwise pass for an erasure and hide the loss of the key (R-LOG-6). Reported at the first event
    /// holding a field of the subject.
    private func forgedErasure(
        among marks: [(subject: [UInt8], position: UInt64)]
    ) throws(LedgerError) -> (position: UInt64, reason: String)? {
        guard !marks.isEmpty else { return nil }
        let dbs = dbs
        do {
            return try store.read { txn in
                try txn.withUnsafeAccess { access in
                    let directory = SubjectDirectory(access: access, dbs: dbs)
                    let keys = SubjectKeyring(access: access, dbs: dbs, readsAhead: false)
                    var first: (position: UInt64, reason: String)?
                    for mark in marks {
                        let hex = PasswordHasher.hex(mark.subject)
                        let named = try txn.withRecord(at: mark.position) { view -> Bool in
                            guard view.typeEquals(EventType.subjectErased.rawValue),
                                case .subjectErased(let erased) = try ModelMaintenance.decode(view, keys: keys)
                            else { return false }
                            return erased.subjects.contains(hex)
                        }
                        guard named != true else { continue }
                        let at = try directory.occurrences(of: mark.subject).first ?? mark.position
                        if first.map({ at < $0.position }) ?? true {
                            first = (
                                at,
                                "the key of subject \(hex) is missing: its record says it was erased at position "
                                    + "\(mark.position), where no SubjectErased event names it"
                            )
                        }
                    }
                    return first
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// `replay events`: the matching events, decoded, oldest first, each as a JSON object for auditors.
    /// Reads in chunks so that no read transaction stays open long.
    public func forEachEvent(
        _ filter: EventFilter = EventFilter(), _ body: (JSONValue) throws -> Void
    ) throws(LedgerError) {
        let keys = SubjectKeyring.reading(store, dbs: dbs)
        do {
            if let stream = filter.stream {
                var version: UInt64 = 1
                while true {
                    let events = try store.read { txn in try txn.stream(stream, from: version, limit: 4096) }
                    if events.isEmpty { break }
                    for event in events {
                        version = event.streamVersion + 1
                        if try !emit(event, filter, keys, body) { return }
                    }
                }
            } else {
                var position = max(filter.from, 1)
                while position <= filter.to {
                    let events = try store.read { txn in try txn.events(from: position, limit: 4096) }
                    if events.isEmpty { break }
                    for event in events {
                        position = event.position + 1
                        if try !emit(event, filter, keys, body) { return }
                    }
                }
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Sends one event through the filter; false once past the end of the range.
    private func emit(
        _ event: RecordedEvent, _ filter: EventFilter, _ keys: SubjectKeyring, _ body: (JSONValue) throws -> Void
    ) throws -> Bool {
        if event.position > filter.to { return false }
        if event.position < filter.from { return true }
        if let since = filter.since, event.time < since.epochMilliseconds { return true }
        if let until = filter.until, event.time > until.epochMilliseconds { return true }
        try body(Self.json(of: event, keys: keys))
        return true
    }

    /// An event record and its decoded payload as one JSON object: personal fields opened with the
    /// store's subject keys, an erased subject's shown as `{"erased": true}` (R-LOG-6).
    public func json(of event: RecordedEvent) throws -> JSONValue {
        try Self.json(of: event, keys: SubjectKeyring.reading(store, dbs: dbs))
    }

    static func json(of event: RecordedEvent, keys: SubjectKeyring) throws -> JSONValue {
        let domain: DomainEvent
        do {
            domain = try DomainEvent.decode(
                typeName: event.type, schemaVersion: Int(event.schemaVersion), payload: event.payload, opener: keys)
        } catch {
            throw LedgerError(.corrupted, "event \(event.position) (\(event.type)) does not decode: \(error)")
        }
        let data = EventSummary.json(domain)[member: "data"] ?? .null
        return .object([
            ("position", .int(event.position)), ("stream", .string(event.stream)),
            ("version", .int(event.streamVersion)), ("type", .string(event.type)),
            ("schemaVersion", .int(event.schemaVersion)),
            ("time", .string(Timestamp(epochMilliseconds: event.time).description)),
            ("commandId", .optional(event.commandId)), ("actor", .optional(event.actor)),
            ("causationId", .optional(event.causationId)), ("correlationId", .optional(event.correlationId)),
            ("digest", .string(PasswordHasher.hex(event.digest))), ("data", data),
        ])
    }
}
