public import EventLog
public import GrantWorkflow

extension Ledger {
    /// The domain event a stored record holds, decoded by this ledger.
    ///
    /// Replicas (GrantLedgerPostgres) decode through this instance method rather than on their own, so
    /// that decoding follows whatever the ledger needs for it (its keys, once personal fields are
    /// encrypted in the log).
    public func domainEvent(of event: RecordedEvent) throws(LedgerError) -> DomainEvent {
        do {
            return try DomainEvent.decode(
                typeName: event.type, schemaVersion: Int(event.schemaVersion), payload: event.payload)
        } catch {
            throw LedgerError(.corrupted, "event \(event.position) (\(event.type)) does not decode: \(error)")
        }
    }

    /// An event record and its decoded payload as one JSON object (``json(of:)``), rendered by this
    /// ledger: the one place replicas get an event's JSON from.
    public func renderedJSON(of event: RecordedEvent) throws -> JSONValue {
        try Self.json(of: event)
    }
}
