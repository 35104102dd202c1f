extension EventStore {
    /// Queues `body` for the writer and returns at once; `completion` is called with its result after
    /// the batch that ran it committed durably (or failed).
    ///
    /// Writes queued from one thread run in the order they were queued, each seeing the ones before,
    /// so a caller can stream an ordered list of writes into group commit without waiting for each
    /// one (the CLI's `apply` does this and prints each answer in order once it is durable).
    /// `completion` runs on the writer thread: keep it short and never write from it. `isolation` says
    /// how a body that throws is rolled back (``WriteIsolation``).
    public func enqueueWrite<R: Sendable>(
        isolation: WriteIsolation = .childTransaction,
        _ body: @escaping @Sendable (borrowing WriteTransaction) throws -> R,
        completion: @escaping @Sendable (Result<R, any Error>) -> Void
    ) {
        let job = WriteJob(
            isolated: isolation == .childTransaction,
            run: { txn in
                do {
                    let value = try body(txn)
                    return JobOutcome(succeeded: true) { completion(.success(value)) }
                } catch {
                    return JobOutcome(succeeded: false) { completion(.failure(error)) }
                }
            },
            fail: { error in completion(.failure(error)) })
        do {
            try core.enqueue(job)
        } catch {
            completion(.failure(error))
        }
    }
}

/// How a queued write is rolled back when its body throws.
public enum WriteIsolation: Sendable, Equatable {
    /// The body runs in a child transaction of the batch's transaction, which is aborted when it
    /// throws. Every page the body touches that an earlier job of the batch dirtied is copied into the
    /// child first, and the child's pages are merged back when it commits.
    case childTransaction
    /// The body runs straight in the batch's transaction, without a child. A body that throws before
    /// its first write has nothing to undo, and the batch goes on. A body that throws after writing
    /// (or whose write failed) makes the writer abort the whole batch and run it again with every job
    /// in a child transaction, so the end result is the same as ``childTransaction``'s; the jobs of
    /// that batch run twice. For bodies that check everything before they write (a command decided,
    /// then applied), where a throw after a write is a storage failure and rare.
    case rerunIfFailedAfterWriting
}
