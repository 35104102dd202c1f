public import EventLog
public import GrantWorkflow

/// The GrantLedger engine: an NSSF project-management store a host application embeds.
///
/// A `Ledger` opens (or creates) a store folder holding one LMDB environment: the hash-chained event
/// log, the read models, the outbox, the credentials and the attachments. ``execute(_:)`` decides a
/// command against the state read inside the write transaction, appends its events and updates every
/// read model, the outbox and the credentials in one atomic commit, and answers only once that commit
/// is durable. Concurrent callers share commits (group commit); several processes may open the same
/// store, and every rule still holds between them because LMDB serialises their writers.
///
/// ```swift
/// let ledger = try Ledger(path: "grants.store")
/// let outcome = await ledger.execute(line: #"{"type":"bootstrap","username":"admin","password":"s3cret-pass","name":"全国社科工作办"}"#)
/// print(outcome.jsonLine)
/// ```
public final class Ledger: Sendable {
    /// The event log underneath.
    public let store: EventStore
    /// The options the ledger was opened with.
    public let options: LedgerOptions
    let dbs: LedgerDatabases

    /// The read-model format. Bump it whenever entity encodings or the key layout change: a store
    /// whose models have another format is rebuilt from its log when opened. 6: project summaries
    /// (``ProjectSummary``, `PR/no`) beside the projects, read by `query projects`. 7: keyed-hash
    /// components of 22 base64url characters instead of 64 hex digits (``LookupHasher``).
    static let modelFormat: UInt64 = 7

    /// Opens the store at `path`, creating the folder when missing.
    ///
    /// Opening does not replay the log: the read models are persistent. Only when they lag the log
    /// (written by an older version, or by a plain `EventStore`) are they brought up to date first.
    public convenience init(path: String, options: LedgerOptions = .init()) throws(LedgerError) {
        try self.init(path: path, options: options, bringingModelsUpToDate: true)
    }

    /// Opens the store at `path` for a caller that rebuilds its read models next, with
    /// ``rebuildModels(progress:)`` (`replay rebuild`): unlike ``init(path:options:)``, it does not
    /// first bring read models that lag the log up to date. After an interrupted rebuild, or with
    /// models of another format, that would replay the log twice: once to finish them, once to
    /// rebuild them. Until the rebuild returns, queries may read models that lag the log or have
    /// another format; the next ordinary open brings such models up to date as usual.
    public static func openForRebuild(path: String, options: LedgerOptions = .init()) throws(LedgerError) -> Ledger {
        try Ledger(path: path, options: options, bringingModelsUpToDate: false)
    }

    /// Opens the store; brings its read models up to date unless the caller rebuilds them next.
    init(path: String, options: LedgerOptions, bringingModelsUpToDate: Bool) throws(LedgerError) {
        var storeOptions = EventStoreOptions()
        storeOptions.mapSize = options.mapSize
        storeOptions.durability = options.durability
        storeOptions.maxBatch = options.maxBatch
        storeOptions.groupCommitLinger = options.groupCommitLinger
        storeOptions.extraDatabases = LedgerDatabases.names
        do {
            store = try EventStore(path: path, options: storeOptions)
        } catch {
            throw LedgerError(error)
        }
        do {
            dbs = try LedgerDatabases(store: store)
        } catch {
            store.close()
            throw Self.ledgerError(error)
        }
        self.options = options
        guard bringingModelsUpToDate else { return }
        do {
            try bringModelsUpToDate()
        } catch {
            store.close()
            throw error
        }
    }

    /// Closes the store; later calls fail with a storage error.
    public func close() { store.close() }

    /// The log's head: position (0 when empty), digest and time of the newest event.
    public func head() throws(LedgerError) -> Head {
        do { return try store.head() } catch { throw LedgerError(error) }
    }

    // MARK: Executing commands

    /// Decodes one JSON command line (docs/cli.md) and executes it; a malformed line is answered with
    /// `invalidInput` naming the field, and writes nothing.
    public func execute(line: [UInt8]) async -> CommandOutcome {
        let envelope: CommandEnvelope
        do {
            envelope = try CommandDecoder.decode(line: line, limits: options.inputLimits)
        } catch {
            return CommandOutcome(commandId: Self.bestEffortId(line), error: LedgerError(error))
        }
        return await execute(envelope)
    }

    /// ``execute(line:)`` for a string.
    public func execute(line: String) async -> CommandOutcome {
        await execute(line: Array(line.utf8))
    }

    /// Executes a decoded command and answers once its commit is durable.
    public func execute(_ envelope: CommandEnvelope) async -> CommandOutcome {
        let prepared: PreparedCommand
        do {
            prepared = try prepare(envelope, trustTime: options.trustCommandTime)
        } catch {
            return CommandOutcome(commandId: envelope.id, error: error)
        }
        let runner = CommandRunner(dbs: dbs, policy: options.policy, seals: options.sealsPersonalData)
        do {
            let applied = try await store.write(isolation: CommandRunner.isolation) { txn in
                try runner.run(prepared, in: txn)
            }
            return applied.outcome(commandId: envelope.id)
        } catch {
            return CommandOutcome(commandId: envelope.id, error: Self.ledgerError(error))
        }
    }

    /// Queues a command line for the writer without waiting, for ordered streaming (the CLI's
    /// `apply`): lines queued from one thread run in that order, each seeing the ones before, and
    /// share commits. `completion` receives the answer after the commit is durable, on the writer
    /// thread; it must be quick and must not write.
    ///
    /// Decoding and preparing (password hashing) run on the calling thread before the line is queued.
    public func submit(line: [UInt8], completion: @escaping @Sendable (CommandOutcome) -> Void) {
        let envelope: CommandEnvelope
        do {
            envelope = try CommandDecoder.decode(line: line, limits: options.inputLimits)
        } catch {
            completion(CommandOutcome(commandId: Self.bestEffortId(line), error: LedgerError(error)))
            return
        }
        let prepared: PreparedCommand
        do {
            prepared = try prepare(envelope, trustTime: options.trustCommandTime)
        } catch {
            completion(CommandOutcome(commandId: envelope.id, error: error))
            return
        }
        submit(prepared, completion: completion)
    }

    static func ledgerError(_ error: any Error) -> LedgerError {
        switch error {
        case let rejected as RejectedCommand: return rejected.error
        case let error as LedgerError: return error
        case let error as EventLogError: return LedgerError(error)
        case let error as WorkflowError: return LedgerError(error)
        default: return LedgerError(.storage, "\(error)")
        }
    }

    /// The `id` of a line that failed to decode, when it is at least a JSON object with a string id.
    static func bestEffortId(_ line: [UInt8]) -> String? {
        guard line.count <= 1 << 20, let value = try? JSONParser.parse(line),
            case .string(let id)? = value[member: "id"]
        else { return nil }
        return id
    }
}
