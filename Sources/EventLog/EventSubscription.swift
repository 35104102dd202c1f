/// Events from a position on: first those already stored (catch-up), then each new one as it commits,
/// in this process or another. Positions are delivered in order, none skipped or repeated.
///
/// In-process commits wake the subscription at once; commits by other processes are found by polling
/// the head every ``EventStoreOptions/subscriptionPollInterval``. Ends (returns nil) when the task is
/// cancelled or the store is closed. Each iterator reads in short read transactions and holds none while
/// suspended.
public struct EventSubscription: AsyncSequence, Sendable {
    /// Each event, copied out of the store.
    public typealias Element = RecordedEvent
    /// Reading the store can fail.
    public typealias Failure = EventLogError

    let store: EventStore
    let start: UInt64

    /// Creates the iterator.
    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, next: Swift.max(start, 1))
    }

    /// Reads events in batches and waits for commits when it has caught up.
    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let store: EventStore
        var nextPosition: UInt64
        var buffer: [RecordedEvent] = []
        var index = 0

        init(store: EventStore, next: UInt64) {
            self.store = store
            self.nextPosition = next
        }

        /// The next event, waiting for it if needed; nil when cancelled or the store was closed.
        public mutating func next() async throws(EventLogError) -> RecordedEvent? {
            while true {
                if index < buffer.count {
                    defer { index += 1 }
                    return buffer[index]
                }
                if Task.isCancelled || store.core.isClosed { return nil }
                let signal = store.core.commits
                let generation = signal.generation
                do {
                    buffer = try store.read { txn throws(EventLogError) in
                        try txn.events(from: nextPosition, direction: .forward, limit: 256)
                    }
                } catch let error as EventLogError {
                    if error.code == .closed { return nil }
                    throw error
                } catch {
                    throw EventLogError(code: .lmdb, message: "\(error)")
                }
                index = 0
                if let first = buffer.first, let last = buffer.last {
                    // Positions are gapless: anything else means a damaged log, never a skip.
                    guard first.position == nextPosition, last.position == nextPosition + UInt64(buffer.count) - 1
                    else {
                        throw .corrupted("expected position \(nextPosition), found a gap")
                    }
                    nextPosition = last.position + 1
                    continue
                }
                await signal.wait(after: generation, timeout: store.core.options.subscriptionPollInterval)
            }
        }

        /// The next event; see ``next()``.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(EventLogError) -> RecordedEvent?
        {
            try await next()
        }
    }
}
