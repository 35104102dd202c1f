internal import CLMDB
internal import Dispatch
internal import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The outcome of ``EventStore/verify(progress:eachRecord:)``.
public struct VerifyReport: Sendable, Hashable {
    /// Events checked (all of them when the log is sound).
    public var eventCount: UInt64
    /// The newest position reached by the walk.
    public var headPosition: UInt64
    /// The digest of the newest event reached (32 zero bytes for an empty log).
    public var headDigest: [UInt8]
    /// The first position found wrong (a missing position, a malformed record, a broken digest link, a
    /// stream version or index entry that disagrees); nil when everything checks.
    public var firstBadPosition: UInt64?
    /// Why ``firstBadPosition`` is wrong.
    public var reason: String?
    /// What the walk could not check yet and says so, without failing (a replica caught part-way, say).
    public var notes: [String] = []

    /// Whether every check passed.
    public var isValid: Bool { firstBadPosition == nil }

    /// Creates a report.
    public init(
        eventCount: UInt64, headPosition: UInt64, headDigest: [UInt8], firstBadPosition: UInt64? = nil,
        reason: String? = nil
    ) {
        self.eventCount = eventCount
        self.headPosition = headPosition
        self.headDigest = headDigest
        self.firstBadPosition = firstBadPosition
        self.reason = reason
    }
}

/// A check of each record's contents that ``EventStore/verify(progress:eachRecord:)`` runs beside its
/// digest check: called once per chunk of records, on the verifying thread that checks the chunk,
/// with read access to that chunk's snapshot; it returns the check for each record of the chunk.
public typealias RecordCheck = @Sendable (TransactionAccess) -> (borrowing EventRecordView) -> Void

extension StoreEnvironment {
    /// Events per digest-checking chunk (each in its own short read transaction). Small, so that the two
    /// lanes end together: with 32,768 the demo's 80,457 events made three chunks, and the helper
    /// checked two of them while the calling thread checked one after its structural pass.
    private static let digestChunk: UInt64 = 4_096

    /// Checks the structure in one snapshot while a helper thread checks digest links, then joins it.
    /// See ``EventStore/verify(progress:eachRecord:)``.
    func verify(progress: ((UInt64) -> Void)?, eachRecord: RecordCheck? = nil) throws(EventLogError) -> VerifyReport {
        let dbs = dbs
        // Each record stores its digest, so each link (stored previous digest ‖ canonical bytes → stored
        // digest) can be checked on its own, in chunks, by two lanes: a helper thread starts at once, the
        // calling thread joins after the structural pass. Records never change after their commit, so
        // every snapshot holds the same bytes for a position.
        let total: UInt64
        do {
            total = try withReadTransaction { txn in try LogReader(txn: txn, dbs: dbs).headState().position }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        let chunks = Int((total + Self.digestChunk - 1) / Self.digestChunk)
        let work = DigestWork()
        let lane: @Sendable (((UInt64) -> Void)?) -> Void = { [self] report in
            while true {
                let chunk = work.nextChunk.add(1, ordering: .relaxed).oldValue
                guard chunk < chunks, chunk < work.firstBadChunk.load(ordering: .relaxed) else { return }
                let first = UInt64(chunk) * Self.digestChunk + 1
                let last = Swift.min(first + Self.digestChunk - 1, total)
                work.check(chunk: chunk, from: first, through: last, in: self, eachRecord: eachRecord)
                let done = work.checked.add(last - first + 1, ordering: .relaxed).newValue
                report?(done)
            }
        }
        let helperDone = DispatchSemaphore(value: 0)
        let helped =
            chunks > 0
            && startDetachedThread {
                lane(nil)
                helperDone.signal()
            } == 0
        let structure: (report: VerifyReport, walked: UInt64)
        do {
            structure = try withReadTransaction { txn in try LogReader(txn: txn, dbs: dbs).verifyStructure() }
        } catch {
            if helped { helperDone.wait() }
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        let checkedSoFar = work.checked.load(ordering: .relaxed)
        if checkedSoFar > 0 { progress?(checkedSoFar) }
        lane(progress)
        if helped { helperDone.wait() }
        // Events appended after the head was read and before the structural snapshot.
        if structure.walked > total {
            work.check(chunk: chunks, from: total + 1, through: structure.walked, in: self, eachRecord: eachRecord)
        }
        if let failure = work.failure.withLock({ $0 }) { throw failure }
        var report = structure.report
        let firstProblem = work.problems.withLock { $0.min { $0.key < $1.key }?.value }
        if let problem = firstProblem, problem.position < report.firstBadPosition ?? .max {
            report = VerifyReport(
                eventCount: problem.position - 1, headPosition: problem.position - 1,
                headDigest: problem.previous.bytes, firstBadPosition: problem.position, reason: problem.reason)
        }
        progress?(Swift.max(structure.walked, work.checked.load(ordering: .relaxed)))
        return report
    }
}

/// Shared state of the digest-checking lanes.
private final class DigestWork: Sendable {
    let nextChunk = Atomic<Int>(0)
    let firstBadChunk = Atomic<Int>(.max)
    let checked = Atomic<UInt64>(0)
    let problems = Mutex<[Int: DigestProblem]>([:])
    let failure = Mutex<EventLogError?>(nil)

    /// Checks the digest links of `first...last` (chunk number `chunk`) in a read transaction of its own.
    func check(
        chunk: Int, from first: UInt64, through last: UInt64, in environment: StoreEnvironment,
        eachRecord: RecordCheck?
    ) {
        let dbs = environment.dbs
        do {
            let problem = try environment.withReadTransaction { txn in
                let reader = LogReader(txn: txn, dbs: dbs)
                let check = eachRecord.map { $0(TransactionAccess(reader: reader, context: nil)) }
                return try reader.checkDigests(from: first, through: last, eachRecord: check)
            }
            if let problem {
                problems.withLock { $0[chunk] = problem }
                firstBadChunk.min(chunk, ordering: .relaxed)
            }
        } catch {
            failure.withLock { $0 = $0 ?? (error as? EventLogError) }
            firstBadChunk.min(-1, ordering: .relaxed)
        }
    }
}

/// A broken digest link: the record at `position`, and the stored digest of the record before it.
struct DigestProblem: Sendable {
    let position: UInt64
    let reason: String
    let previous: ChainDigest
}

extension LogReader {
    /// Pass one without hashing: positions, records, stream versions; then `meta`, the index and the tail
    /// entries. Returns the report of structural problems and how many records were walked in order.
    func verifyStructure() throws(EventLogError) -> (report: VerifyReport, walked: UInt64) {
        let indexed = try indexedThrough()
        var walk = EventWalk(indexedThrough: indexed)
        do {
            try withCursor(dbs.events) { cursor in try walk.run(cursor, reader: self) }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        var report = VerifyReport(
            eventCount: walk.count, headPosition: walk.count, headDigest: walk.previous.bytes)
        if let bad = walk.bad {
            report.firstBadPosition = bad.position
            report.reason = bad.reason
            return (report, walk.count)
        }
        var bad = try checkMetaHead(count: walk.count, digest: walk.previous)
        if bad == nil, indexed > walk.count {
            bad = (walk.count + 1, "meta/indexed (\(indexed)) is past the newest event")
        }
        if bad == nil {
            bad = try indexProblem(eventCount: Swift.min(indexed, walk.count), fingerprint: walk.fingerprint)
        }
        if bad == nil { bad = try tailProblem(expected: walk.window) }
        if let bad {
            report.firstBadPosition = bad.position
            report.reason = bad.reason
        }
        return (report, walk.count)
    }

    /// Recomputes SHA-256(stored previous digest ‖ canonical bytes) for the records `first...last` and
    /// compares it with each stored digest; returns the first mismatch. Missing or malformed records are
    /// left to the structural pass.
    func checkDigests(
        from first: UInt64, through last: UInt64, eachRecord: ((borrowing EventRecordView) -> Void)? = nil
    ) throws(EventLogError) -> DigestProblem? {
        var previous = ChainDigest.genesis
        if first > 1 {
            var data = MDB_val()
            let rc = withPositionKey(first - 1) { key in mdb_get(txn, dbs.events, &key, &data) }
            guard rc == 0, RecordLayout.isWellFormed(data.bytes) else { return nil }
            previous = ChainDigest(EventRecordView(validated: data.bytes).digest)
        }
        var cursor: OpaquePointer?
        var rc = mdb_cursor_open(txn, dbs.events, &cursor)
        guard rc == 0, let cursor else { throw .lmdb(rc, "mdb_cursor_open") }
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var data = MDB_val()
        rc = withPositionKey(first) { seek in
            let rc = mdb_cursor_get(cursor, &seek, &data, MDB_SET_RANGE)
            key = seek
            return rc
        }
        while rc == 0 {
            guard key.mv_size == 8, RecordLayout.isWellFormed(data.bytes) else { return nil }
            let position = bigEndianUInt64(key.bytes)
            guard position <= last else { return nil }
            let view = EventRecordView(validated: data.bytes)
            let stored = ChainDigest(view.digest)
            guard previous.chained(with: view.canonicalBytes) == stored else {
                return DigestProblem(
                    position: position, reason: "digest mismatch: the record or its predecessor was changed",
                    previous: previous)
            }
            previous = stored
            eachRecord?(view)
            rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
        }
        guard rc == MDB_NOTFOUND else { throw .lmdb(rc, "scan events") }
        return nil
    }

    /// The `meta` tail entries must describe exactly the streams with events after `meta/indexed`.
    private func tailProblem(
        expected: [[UInt8]: StreamTail]
    ) throws(EventLogError) -> (position: UInt64, reason: String)? {
        var remaining = expected
        var problem: (position: UInt64, reason: String)?
        do {
            try scan(dbs.meta, prefix: StoreDatabases.metaTailPrefix) { key, value in
                let stream = Array(key.dropFirst(StoreDatabases.metaTailPrefix.count))
                let stored = StreamTail(value)
                guard let wanted = remaining.removeValue(forKey: stream), let stored, stored == wanted else {
                    problem = (stored?.position ?? 1, "a stream's tail entry in meta disagrees with its newest events")
                    return false
                }
                return true
            }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        if let problem { return problem }
        if let missing = remaining.values.min(by: { $0.first < $1.first }) {
            return (missing.first, "a stream with events past meta/indexed has no tail entry in meta")
        }
        return nil
    }

    /// The head stored in `meta` must be the last record.
    private func checkMetaHead(
        count: UInt64, digest: ChainDigest
    ) throws(EventLogError) -> (position: UInt64, reason: String)? {
        guard let bytes = try lookup(dbs.meta, StoreDatabases.metaHeadKey) else {
            return count == 0 ? nil : (1, "meta holds no head although the log has events")
        }
        guard bytes.count == 48 else { return (count, "the head in meta is malformed") }
        let position = bigEndianUInt64(bytes)
        if position > count {
            return (count + 1, "meta records head position \(position) but the log ends at \(count)")
        }
        if position < count {
            return (position + 1, "the log goes past the head position \(position) recorded in meta")
        }
        guard ChainDigest(UnsafeRawBufferPointer(rebasing: bytes[8..<40])) == digest else {
            return (count, "the head digest in meta differs from the newest record's")
        }
        return nil
    }

    /// Checks the `streams` index: per stream, versions 1, 2, 3… at increasing positions, and exactly the
    /// (stream, version, position) triples of the events (compared by count and an order-independent sum
    /// of per-entry fingerprints; a mismatch is then located precisely).
    private func indexProblem(
        eventCount: UInt64, fingerprint: UInt64
    ) throws(EventLogError) -> (
        position: UInt64, reason: String
    )? {
        var problem: (position: UInt64, reason: String)?
        var count: UInt64 = 0
        var sum: UInt64 = 0
        do {
            try withCursor(dbs.streams) { cursor in
                var key = MDB_val()
                var data = MDB_val()
                var previousStream: [UInt8] = []
                var previousVersion: UInt64 = 0
                var previousPosition: UInt64 = 0
                var rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
                while rc == 0 {
                    let keyBytes = key.bytes
                    guard keyBytes.count >= 10, keyBytes[keyBytes.count - 9] == 0, data.mv_size == 8 else {
                        problem = (
                            data.mv_size == 8 ? bigEndianUInt64(data.bytes) : 1, "a stream index entry is malformed"
                        )
                        return
                    }
                    let stream = UnsafeRawBufferPointer(rebasing: keyBytes[..<(keyBytes.count - 9)])
                    let version = bigEndianUInt64(keyBytes, at: keyBytes.count - 8)
                    let position = bigEndianUInt64(data.bytes)
                    if stream.elementsEqual(previousStream) {
                        guard version == previousVersion + 1, position > previousPosition else {
                            problem = (
                                position, "stream version \(version) does not follow \(previousVersion) in order"
                            )
                            return
                        }
                    } else {
                        guard version == 1 else {
                            problem = (position, "a stream starts at version \(version), not 1")
                            return
                        }
                        previousStream = Array(stream)
                    }
                    previousVersion = version
                    previousPosition = position
                    count += 1
                    sum &+= indexFingerprint(stream: stream, version: version, position: position)
                    rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
                }
                guard rc == MDB_NOTFOUND else { throw EventLogError.lmdb(rc, "scan stream index") }
            }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        if let problem { return problem }
        if count == eventCount, sum == fingerprint { return nil }
        return try locateIndexMismatch(through: eventCount)
    }

    /// Finds the first event the index does not point to, or else the first index entry that points to the
    /// wrong event.
    private func locateIndexMismatch(
        through indexed: UInt64
    ) throws(EventLogError) -> (position: UInt64, reason: String) {
        var found: (position: UInt64, reason: String)?
        do {
            try scan(from: 1, direction: .forward) { view in
                let position = view.position
                guard position <= indexed else { return false }
                var data = MDB_val()
                let rc = withStreamKey(bytes: view.streamBytes, version: view.streamVersion) { key in
                    mdb_get(txn, dbs.streams, &key, &data)
                }
                if rc != 0 || data.mv_size != 8 || bigEndianUInt64(data.bytes) != position {
                    found = (
                        position, "the stream index does not point to this event (stream version \(view.streamVersion))"
                    )
                    return false
                }
                return true
            }
            if let found { return found }
            try withCursor(dbs.streams) { cursor in
                var key = MDB_val()
                var data = MDB_val()
                var rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
                while rc == 0, found == nil {
                    let keyBytes = key.bytes
                    let position = bigEndianUInt64(data.bytes)
                    let matches =
                        try withRecord(at: position) { view in
                            view.streamVersion == bigEndianUInt64(keyBytes, at: keyBytes.count - 8)
                                && view.streamBytes.elementsEqual(keyBytes[..<(keyBytes.count - 9)])
                        } ?? false
                    if !matches { found = (position, "a stream index entry points to the wrong event") }
                    rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
                }
            }
        } catch {
            throw error as? EventLogError ?? EventLogError(code: .lmdb, message: "\(error)")
        }
        return found ?? (1, "the stream index and the events disagree")
    }
}

/// Pass one of verification: every position and record, in order; stream versions of the events past
/// `meta/indexed`. Digest links are checked separately (`checkDigests`).
private struct EventWalk {
    let indexedThrough: UInt64
    var count: UInt64 = 0
    var previous = ChainDigest.genesis
    /// Sum of the fingerprints of the indexed events.
    var fingerprint: UInt64 = 0
    /// Per stream, its events past `indexedThrough`.
    var window: [[UInt8]: StreamTail] = [:]
    var bad: (position: UInt64, reason: String)?

    init(indexedThrough: UInt64) { self.indexedThrough = indexedThrough }

    mutating func run(_ cursor: OpaquePointer, reader: LogReader) throws {
        var key = MDB_val()
        var data = MDB_val()
        var rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
        while rc == 0 {
            let expected = count + 1
            guard key.mv_size == 8 else {
                bad = (expected, "a key of the events database is not a position")
                return
            }
            let position = bigEndianUInt64(key.bytes)
            guard position == expected else {
                bad = (expected, "position \(expected) is missing (the next stored is \(position))")
                return
            }
            let record = data.bytes
            guard RecordLayout.isWellFormed(record) else {
                bad = (position, "the record is malformed")
                return
            }
            let view = EventRecordView(validated: record)
            guard view.position == position else {
                bad = (position, "the record says position \(view.position)")
                return
            }
            let version = view.streamVersion
            guard version > 0, view.streamBytes.count > 0 else {
                bad = (position, "the record has no stream or a zero stream version")
                return
            }
            if position <= indexedThrough {
                fingerprint &+= indexFingerprint(stream: view.streamBytes, version: version, position: position)
            } else {
                let stream = Array(view.streamBytes)
                let previousVersion =
                    try window[stream]?.version ?? reader.indexedVersion(ofStreamBytes: view.streamBytes) ?? 0
                guard version == previousVersion + 1 else {
                    bad = (position, "stream version \(version) does not follow \(previousVersion)")
                    return
                }
                window[stream] = StreamTail(
                    version: version, position: position, first: window[stream]?.first ?? position)
            }
            previous = ChainDigest(view.digest)
            count = position
            rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
        }
        if rc != MDB_NOTFOUND { bad = (count + 1, "LMDB: \(String(cString: mdb_strerror(rc)))") }
    }
}

/// A 64-bit fingerprint of one (stream, version, position) triple: FNV-1a over the stream id, mixed with
/// the numbers through SplitMix64's finalizer.
@inline(__always)
private func indexFingerprint(stream: UnsafeRawBufferPointer, version: UInt64, position: UInt64) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in stream { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    hash = mix(hash ^ (version &* 0x9e37_79b9_7f4a_7c15))
    return mix(hash ^ (position &* 0xc2b2_ae3d_27d4_eb4f))
}

@inline(__always)
private func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
}
