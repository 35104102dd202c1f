internal import EventLog
internal import Foundation
internal import GrantWorkflow

/// Decodes the log's events on other threads while a long catch-up (a rebuild, the catch-up at
/// open) evolves and writes the read models on the writer thread: decoding, with the opening of
/// sealed personal fields (R-LOG-6), is a third of a rebuild's work, and while it runs the writer,
/// which only evolves, waits for it most of the time.
///
/// ``lanes`` decoder threads take the batches in turn (lane k decodes batches k, k + lanes, …), and
/// the writer takes them in position order; a lane runs at most ``depth`` batches ahead of the
/// writer's next position, so the batch the writer waits for is always being decoded. Each decoder
/// reads in short read transactions of ``batchEvents`` events each and never waits on
/// anything while one is open, so the writer can always grow the map. The writer takes a batch only
/// if it was decoded at the same head as the writer's own transaction sees: any commit in between
/// (an erasure, say, which changes what a sealed field opens to) appends an event and moves the
/// head, and the decoder is then restarted from the writer's position. When no fitting batch comes
/// within ``patience`` (the decoder may be stuck behind another process's map resize, which waits
/// for the writer's transaction), or a batch failed to decode, ``next(from:head:)`` returns nil and
/// the writer decodes inline, as it does without a decoder, so errors read the same either way.
final class DecodeAhead: @unchecked Sendable {
    struct Batch {
        /// The position of `events[0]`.
        var first: UInt64
        var events: [DomainEvent]
        /// The head the decoder's read transaction saw.
        var head: UInt64
        var failed: Bool
    }

    static let batchEvents = 1_024
    static let depth = 8
    static let patience: TimeInterval = 0.25
    /// Decoder threads: one per core, at most two (a profile of the demo's rebuild showed the writer
    /// busy for 10–20 % of the time while one decoder worked).
    static let lanes = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))

    private let store: EventStore
    private let dbs: LedgerDatabases
    private let batchEvents: Int
    private let lanes: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    /// Decoded batches by their first position.
    private var ready: [UInt64: Batch] = [:]
    /// How many of the current generation's decoder lanes are still running.
    private var running = 0
    private var stopped = false
    /// Each start of a decoder is a new generation; a decoder of an older one leaves at its next step
    /// and its batches are dropped. Nobody waits for it: it may be blocked behind the map lock that
    /// the waiting thread holds (another process's map resize), and it finishes on its own.
    private var generation = 0
    /// The position of the next batch the writer will ask for.
    private var expected: UInt64 = 0

    init(
        store: EventStore, dbs: LedgerDatabases, batchEvents: Int = DecodeAhead.batchEvents,
        lanes: Int = DecodeAhead.lanes
    ) {
        self.store = store
        self.dbs = dbs
        self.batchEvents = max(1, batchEvents)
        self.lanes = max(1, lanes)
    }

    deinit { stop() }

    /// Stops decoding: the decoder leaves after the batch it is on, and nothing more is handed out.
    func stop() {
        condition.lock()
        stopped = true
        generation += 1
        running = 0
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch of decoded events starting at `position`, decoded at `head`; nil when none came
    /// in time or it failed (the caller then decodes inline). A batch may end before the caller's limit.
    func next(from position: UInt64, head: UInt64) -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return nil }
        if expected != position || (running == 0 && ready[position] == nil)
            || ready[position].map({ $0.head != head }) == true
        {
            restartLocked(from: position)
        }
        let deadline = Date(timeIntervalSinceNow: Self.patience)
        while ready[position] == nil && running > 0 {
            if !condition.wait(until: deadline) { break }
        }
        guard let batch = ready[position], batch.head == head, !batch.failed else {
            // Too slow, stale or failed: decode inline; the next call starts the decoders anew.
            expected = 0
            return nil
        }
        ready[position] = nil
        expected = position + UInt64(batch.events.count)
        condition.broadcast()
        return batch
    }

    /// Hands `body` the events decoded ahead from `position` on, with their positions, while batches
    /// come in time at `head` and `body` returns true. Returns whether `body` still wants more: the
    /// caller then decodes the rest inline, from the position after the last event handed over.
    func drain(from position: UInt64, head: UInt64, _ body: (DomainEvent, UInt64) throws -> Bool) rethrows -> Bool {
        var position = position
        while let batch = next(from: position, head: head), !batch.events.isEmpty {
            for event in batch.events {
                guard try body(event, position) else { return false }
                position += 1
            }
        }
        return true
    }

    /// Called with the lock held: retires the running decoders (without waiting) and starts new ones.
    private func restartLocked(from position: UInt64) {
        generation += 1
        ready.removeAll()
        running = lanes
        expected = position
        condition.broadcast()
        let generation = generation
        for lane in 0..<lanes {
            let thread = Thread { [self] in decodeLoop(from: position, lane: lane, generation: generation) }
            thread.name = "grantledger-decode"
            thread.start()
        }
    }

    /// Lane `lane` of a generation started at `start`: decodes the batches at `start + (lane + k × lanes)
    /// × batchEvents`, each once the writer's next position is less than ``depth`` batches behind it.
    private func decodeLoop(from start: UInt64, lane: Int, generation: Int) {
        let access = AccessBox()
        let subjects = dbs.subjects
        let keys = SubjectKeyring(
            dbs: dbs,
            fetch: { key in
                guard let current = access.current else { return nil }
                return try current.get(subjects, key)
            },
            scan: { start, prefix, body in
                guard let current = access.current else { return }
                try current.scan(subjects, from: start, prefix: prefix, body)
            })
        let size = UInt64(batchEvents)
        let stride = size * UInt64(lanes)
        let window = size * UInt64(Self.depth)
        var position = start + size * UInt64(lane)
        while true {
            condition.lock()
            while position >= expected &+ window && self.generation == generation { condition.wait() }
            let current = self.generation == generation
            condition.unlock()
            if !current { return }
            let batch = decodeBatch(from: position, keys: keys, access: access)
            condition.lock()
            let keep = self.generation == generation
            if keep {
                ready[position] = batch
                condition.broadcast()
            }
            condition.unlock()
            if !keep { return }
            let end = batch.first + UInt64(batch.events.count)
            if batch.failed || batch.events.count < batchEvents || end > batch.head { break }
            position += stride
        }
        condition.lock()
        if self.generation == generation {
            running -= 1
            condition.broadcast()
        }
        condition.unlock()
    }

    /// One short read transaction: up to `batchEvents` events from `position`, decoded.
    private func decodeBatch(from position: UInt64, keys: SubjectKeyring, access: AccessBox) -> Batch {
        var events: [DomainEvent] = []
        events.reserveCapacity(batchEvents)
        var head: UInt64 = 0
        do {
            try store.read { txn in
                head = try txn.head.position
                try txn.withUnsafeAccess { current in
                    access.current = current
                    defer { access.current = nil }
                    try txn.scan(from: position) { view in
                        events.append(try ModelMaintenance.decode(view, keys: keys))
                        return events.count < batchEvents
                    }
                }
            }
        } catch {
            return Batch(first: position, events: events, head: head, failed: true)
        }
        return Batch(first: position, events: events, head: head, failed: false)
    }

    /// The decoder thread's current read transaction, for its keyring's lookups.
    private final class AccessBox: @unchecked Sendable {
        var current: TransactionAccess?
    }
}
