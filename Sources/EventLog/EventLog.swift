/// The event store: see EventStore.
