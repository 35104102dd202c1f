public import EventLog
internal import GrantLedger
internal import GrantWorkflow
internal import PostgresNIO

/// `replay verify --postgres`: recomputes the hash chain from a replica's canonical record bytes, with
/// the log's own hashing (``CanonicalRecord``), and each row's `payload` from them with the replica's
/// own copy of the subject keys, without the LMDB store.
public enum ReplicaVerifier {
    /// Rows read per query.
    static let page = 8_192

    /// Walks `grantledger.events` in position order and checks, row by row: the position is the next
    /// one, the record bytes are well formed and hold that position, every column equals what the
    /// record bytes say (stream, version, type, schema version, time, command id, actor, causation and
    /// correlation ids), the digest is SHA-256(previous digest ‖ record bytes), and the record decodes
    /// with the replica's subject keys (`grantledger_keys.subject_records`) into the `payload` the sink
    /// renders from it, compared as `jsonb` values (erased subjects' fields as `{"erased": true}`; a key
    /// missing for a subject never erased is a bad row). Then every erasure mark met must be a
    /// `SubjectErased` row naming its subject, and the checkpoint must be the last row. All of it reads
    /// one snapshot of the replica. The report names the first bad position, like
    /// ``EventStore/verify(progress:)``.
    public static func verify(
        url: ReplicaURL, progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> VerifyReport {
        let replica = try await ReplicaConnection.open(url)
        do {
            try await replica.requireReplica()
            // One snapshot: a sink committing meanwhile (new rows, an erasure's keys and re-rendered
            // payloads, the checkpoint) is not seen half-way.
            try await replica.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "BEGIN")
            let report = try await verify(replica, progress: progress)
            await replica.rollback()
            await replica.close()
            return report
        } catch {
            await replica.rollback()
            await replica.close()
            throw error
        }
    }

    /// A row whose payload is compared in its page's query: its position, the payload rendered from its
    /// record bytes, and the digest before it (for the report, should the payload differ).
    private struct Rendered {
        var positions: [Int64] = []
        var payloads: [String] = []
        var digestsBefore: [[UInt8]] = []
    }

    private static func verify(
        _ replica: ReplicaConnection, progress: (@Sendable (UInt64) -> Void)?
    ) async throws -> VerifyReport {
        let decoder = ReplicaDecoder(subjectRecords: try await replica.subjectRecordsIfAny())
        var previous = CanonicalRecord.genesisDigest
        var count: UInt64 = 0
        func bad(_ position: UInt64, _ reason: String) -> VerifyReport {
            VerifyReport(
                eventCount: count, headPosition: count, headDigest: previous, firstBadPosition: position,
                reason: reason)
        }
        // Each erased subject met in a sealed field: the position its mark names and the first row
        // holding a field of it. And the erasures the rows hold: subject (hex) → positions.
        var marks: [String: (mark: UInt64, first: UInt64)] = [:]
        var erasures: [String: [UInt64]] = [:]
        var json: [UInt8] = []
        // Pipelined on the one connection: the next page is asked for as soon as a page arrives, and a
        // page's payloads are compared while the next one is decoded and rendered; a comparison is
        // awaited before any later row is reported.
        var next = Task { try await readPage(after: 0, replica) }
        var pending: (comparison: Task<Int?, any Error>, rendered: Rendered)?
        func differing() async throws -> VerifyReport? {
            guard let (comparison, rendered) = pending, let index = try await comparison.value else { return nil }
            count = UInt64(rendered.positions[index]) - 1
            previous = rendered.digestsBefore[index]
            return bad(UInt64(rendered.positions[index]), "the payload column differs from its record bytes")
        }
        while true {
            let rows = try await next.value
            if rows.isEmpty { break }
            // (A last row that cannot be read fails the walk below.)
            let last = (try? rows.last!.decode(Int64.self)) ?? .max
            next = Task { try await readPage(after: last, replica) }
            var rendered = Rendered()
            rendered.positions.reserveCapacity(rows.count)
            rendered.payloads.reserveCapacity(rows.count)
            rendered.digestsBefore.reserveCapacity(rows.count)
            // The first bad row of the page, reported unless a payload before it differs.
            var failure: VerifyReport?
            for row in rows {
                let expected = count + 1
                let columns: (Int64, ByteBuffer, ByteBuffer, String, Int64, String, Int32, Int64)
                let ids: (String?, String?, String?, String?)
                do {
                    columns = try row.decode((Int64, ByteBuffer, ByteBuffer, String, Int64, String, Int32, Int64).self)
                    let cells = row.makeRandomAccess()
                    ids = (
                        try cells[8].decode(String?.self), try cells[9].decode(String?.self),
                        try cells[10].decode(String?.self), try cells[11].decode(String?.self)
                    )
                } catch {
                    failure = bad(expected, "the row cannot be read: \(String(reflecting: error))")
                    break
                }
                let position = UInt64(columns.0)
                guard position == expected else {
                    failure = bad(expected, "position \(expected) is missing (the next row is \(position))")
                    break
                }
                let record = CanonicalRecord(
                    bytes: Array(columns.1.readableBytesView), digest: Array(columns.2.readableBytesView))
                guard let event = record.recordedEvent() else {
                    failure = bad(position, "the record bytes are malformed")
                    break
                }
                guard record.follows(previous) else {
                    failure = bad(position, "digest mismatch: the record or its predecessor was changed")
                    break
                }
                guard event.position == position else {
                    failure = bad(position, "the record bytes hold position \(event.position)")
                    break
                }
                let matches =
                    event.stream == columns.3 && event.streamVersion == UInt64(columns.4) && event.type == columns.5
                    && Int32(event.schemaVersion) == columns.6 && event.time == columns.7 && event.commandId == ids.0
                    && event.actor == ids.1 && event.causationId == ids.2 && event.correlationId == ids.3
                guard matches else {
                    failure = bad(position, "a column of the row differs from its record bytes")
                    break
                }
                // The payload as the sink renders it (PostgresSink.render): the `data` member of the
                // decoded event, members in encoding order.
                let marksBefore = decoder.erasureMarkCount
                let domain: DomainEvent
                do {
                    domain = try decoder.domainEvent(of: event)
                } catch {
                    failure = bad(position, error.message)
                    break
                }
                if decoder.erasureMarkCount != marksBefore {
                    for met in decoder.erasureMarksMet {
                        let subject = PasswordHasher.hex(met.subject)
                        if marks[subject] == nil { marks[subject] = (met.position, position) }
                    }
                }
                if case .subjectErased(let erased) = domain {
                    for subject in erased.subjects { erasures[subject, default: []].append(position) }
                }
                json.removeAll(keepingCapacity: true)
                JSONTreeEncoder.writeData(of: domain, to: &json, sortedKeys: false)
                rendered.positions.append(columns.0)
                rendered.payloads.append(String(decoding: json, as: UTF8.self))
                rendered.digestsBefore.append(previous)
                previous = record.digest
                count = position
            }
            if let report = try await differing() { return report }
            let page = rendered
            pending = (Task { try await firstDifferingPayload(page, replica) }, rendered)
            if let failure { return try await differing() ?? failure }
            progress?(count)
            if rows.count < Self.page { break }
        }
        if let report = try await differing() { return report }
        // A mark naming a position past the last row is an erasure the sink has not copied yet (it
        // copies the keys as they are now, and a destroyed key cannot be copied as it was): checked
        // once its row is there, and said meanwhile.
        let ahead = marks.filter { $0.value.mark > count }
        if let forged = forgedErasure(marks.filter { $0.value.mark <= count }, erasures) {
            return bad(forged.position, forged.reason)
        }
        let checkpoint = try await replica.checkpoint()
        guard checkpoint.position == count else {
            return bad(
                min(checkpoint.position, count + 1),
                "the checkpoint (position \(checkpoint.position)) is not the newest row (\(count))")
        }
        guard count == 0 || checkpoint.digest == previous else {
            return bad(count, "the checkpoint's digest is not the digest of the newest row (\(count))")
        }
        var report = VerifyReport(eventCount: count, headPosition: count, headDigest: previous)
        if let first = ahead.values.map(\.mark).min() {
            report.notes.append(
                "\(ahead.count) erased subject(s) met in the rows are marked erased at positions past the "
                    + "replica's newest row (the first at \(first)): erasures not copied yet, each checked against "
                    + "its SubjectErased row once the sink has copied it")
        }
        return report
    }

    /// The page of rows after `position`.
    private static func readPage(after position: Int64, _ replica: ReplicaConnection) async throws -> [PostgresRow] {
        try await replica.rows(
            """
            SELECT position, record, digest, stream, stream_version, type, schema_version,
                (extract(epoch FROM time) * 1000)::bigint, command_id, actor, causation_id, correlation_id
            FROM grantledger.events WHERE position > \(position) ORDER BY position LIMIT \(page)
            """, "read events")
    }

    /// The index in `rendered` of the first row whose stored `payload` is not the `jsonb` value of its
    /// rendering; nil when all are. PostgreSQL compares, in one query per page: `jsonb` keeps neither
    /// the order of members nor the spacing, so the rendering's text is parsed as the sink's `COPY` is.
    private static func firstDifferingPayload(
        _ rendered: Rendered, _ replica: ReplicaConnection
    ) async throws(ReplicaError) -> Int? {
        guard let first = rendered.positions.first, let last = rendered.positions.last else { return nil }
        var binds = PostgresBindings()
        binds.append(rendered.positions)
        binds.append(rendered.payloads)
        binds.append(first)
        binds.append(last)
        // The range lets PostgreSQL read the page's rows by the primary key instead of hashing the table.
        let rows = try await replica.rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT min(r.position) FROM unnest($1::bigint[], $2::text[]) AS r(position, payload)
                    LEFT JOIN grantledger.events e ON e.position = r.position AND e.position BETWEEN $3 AND $4
                    WHERE e.payload IS DISTINCT FROM r.payload::jsonb
                    """, binds: binds),
            "compare payloads")
        guard let position = try ReplicaConnection.decode(rows.first, Int64?.self, "payload position") else {
            return nil
        }
        return Int(position - first)
    }

    /// The first erasure mark met that no `SubjectErased` row at its position made, reported at the first
    /// row holding a field of its subject (as `replay verify` on a store reports it): a mark written over
    /// a live subject's key would otherwise pass for an erasure and hide the loss of the key (R-LOG-6).
    private static func forgedErasure(
        _ marks: [String: (mark: UInt64, first: UInt64)], _ erasures: [String: [UInt64]]
    ) -> (position: UInt64, reason: String)? {
        var found: (position: UInt64, reason: String)?
        for (subject, met) in marks where erasures[subject]?.contains(met.mark) != true {
            if found.map({ met.first < $0.position }) ?? true {
                found = (
                    met.first,
                    "the key of subject \(subject) is missing: its record says it was erased at position "
                        + "\(met.mark), where no SubjectErased event names it"
                )
            }
        }
        return found
    }
}
