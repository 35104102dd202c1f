extension EventStore {
    /// Queues `body` for the writer and returns at once; `completion` is called with its result after
    /// the batch that ran it committed durably (or failed).
    ///
    /// Writes queued from one thread run in the order they were queued, each seeing the ones before,
    /// so a caller can stream an ordered list of writes into group commit without waiting for each
    /// one (the CLI's `apply` does this and prints each answer in order once it is durable).
    /// `completion` runs on the writer thread: keep it short and never write from it.
    public func enqueueWrite<R: Sendable>(
        _ body: @escaping @Sendable (borrowing WriteTransaction) throws -> R,
        completion: @escaping @Sendable (Result<R, any Error>) -> Void
    ) {
        let job = WriteJob(
            isolated: true,
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
