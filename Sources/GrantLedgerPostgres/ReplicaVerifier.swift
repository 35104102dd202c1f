public import EventLog
internal import PostgresNIO

/// `replay verify --postgres`: recomputes the hash chain from a replica's canonical record bytes, with
/// the log's own hashing (``CanonicalRecord``), without the LMDB store.
public enum ReplicaVerifier {
    /// Rows read per query.
    static let page = 8_192

    /// Walks `grantledger.events` in position order and checks, row by row: the position is the next
    /// one, the record bytes are well formed and hold that position, every column equals what the
    /// record bytes say (stream, version, type, schema version, time, command id, actor, causation and
    /// correlation ids), and the digest is SHA-256(previous digest ‖ record bytes). Then the checkpoint
    /// must be the last row. The report names the first bad position, like ``EventStore/verify(progress:)``.
    public static func verify(
        url: ReplicaURL, progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> VerifyReport {
        let replica = try await ReplicaConnection.open(url)
        do {
            let report = try await verify(replica, progress: progress)
            await replica.close()
            return report
        } catch {
            await replica.close()
            throw error
        }
    }

    private static func verify(
        _ replica: ReplicaConnection, progress: (@Sendable (UInt64) -> Void)?
    ) async throws -> VerifyReport {
        try await replica.requireReplica()
        var previous = CanonicalRecord.genesisDigest
        var count: UInt64 = 0
        func bad(_ position: UInt64, _ reason: String) -> VerifyReport {
            VerifyReport(
                eventCount: count, headPosition: count, headDigest: previous, firstBadPosition: position,
                reason: reason)
        }
        while true {
            let rows = try await replica.rows(
                """
                SELECT position, record, digest, stream, stream_version, type, schema_version,
                    (extract(epoch FROM time) * 1000)::bigint, command_id, actor, causation_id, correlation_id
                FROM grantledger.events WHERE position > \(Int64(count)) ORDER BY position LIMIT \(page)
                """, "read events")
            if rows.isEmpty { break }
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
                    return bad(expected, "the row cannot be read: \(String(reflecting: error))")
                }
                let position = UInt64(columns.0)
                guard position == expected else {
                    return bad(expected, "position \(expected) is missing (the next row is \(position))")
                }
                let record = CanonicalRecord(
                    bytes: Array(columns.1.readableBytesView), digest: Array(columns.2.readableBytesView))
                guard let event = record.recordedEvent() else {
                    return bad(position, "the record bytes are malformed")
                }
                guard record.follows(previous) else {
                    return bad(position, "digest mismatch: the record or its predecessor was changed")
                }
                guard event.position == position else {
                    return bad(position, "the record bytes hold position \(event.position)")
                }
                let matches =
                    event.stream == columns.3 && event.streamVersion == UInt64(columns.4) && event.type == columns.5
                    && Int32(event.schemaVersion) == columns.6 && event.time == columns.7 && event.commandId == ids.0
                    && event.actor == ids.1 && event.causationId == ids.2 && event.correlationId == ids.3
                guard matches else {
                    return bad(position, "a column of the row differs from its record bytes")
                }
                previous = record.digest
                count = position
            }
            progress?(count)
        }
        let checkpoint = try await replica.checkpoint()
        guard checkpoint.position == count, count == 0 || checkpoint.digest == previous else {
            return bad(
                min(checkpoint.position, count + 1),
                "the checkpoint (position \(checkpoint.position)) is not the newest row (\(count))")
        }
        return VerifyReport(eventCount: count, headPosition: count, headDigest: previous)
    }
}
