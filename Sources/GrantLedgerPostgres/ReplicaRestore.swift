public import EventLog
internal import Foundation
public import GrantLedger
internal import PostgresNIO

/// `restore --from-postgres`: rebuilds an LMDB store from a replica (disaster recovery).
public enum ReplicaRestore {
    /// Records appended per write transaction.
    static let page = 4_096

    /// Appends every row of `grantledger.events`, in position order, verbatim to a new ledger at
    /// `destination` (``WriteTransaction/appendVerbatim(_:)`` checks each record's digest link), then
    /// reopens it so the read models are built from the restored log. Returns the restored head.
    ///
    /// The destination must not exist or be an empty folder. Password hashes, attachment contents and
    /// command idempotency records are not in the log, so they are not in a replica either. A restore
    /// that fails removes what it wrote: the destination's contents, and the destination and the
    /// folders above it that it created.
    public static func restore(
        url: ReplicaURL, to destination: String, options: LedgerOptions = .init(),
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> Head {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw ReplicaError(.destinationExists, "\(destination) is not a folder: restore writes a new store")
            }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? [""]
            guard contents.isEmpty else {
                throw ReplicaError(.destinationExists, "\(destination) is not empty: restore writes a new store")
            }
        }
        let created = missingFolders(destination)
        do {
            return try await restoreIntoEmpty(url: url, destination: destination, options: options, progress: progress)
        } catch {
            discard(destination, createdFolders: created)
            throw error
        }
    }

    /// `destination` and the folders above it that do not exist yet, innermost first.
    static func missingFolders(_ destination: String) -> [String] {
        var missing: [String] = []
        var url = URL(fileURLWithPath: destination).standardizedFileURL
        while url.path != "/", !FileManager.default.fileExists(atPath: url.path) {
            missing.append(url.path)
            url.deleteLastPathComponent()
        }
        return missing
    }

    /// Removes what a failed restore wrote into `destination` (empty or missing before it began), then
    /// the folders it created, each only when empty.
    static func discard(_ destination: String, createdFolders: [String]) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? [] {
            try? FileManager.default.removeItem(atPath: destination + "/" + entry)
        }
        for folder in createdFolders {
            guard (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true else { break }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    private static func restoreIntoEmpty(
        url: ReplicaURL, destination: String, options: LedgerOptions, progress: (@Sendable (UInt64) -> Void)?
    ) async throws -> Head {
        let replica = try await ReplicaConnection.open(url)
        let ledger: Ledger
        do {
            try await replica.requireReplica()
            ledger = try Ledger(path: destination, options: options)
        } catch {
            await replica.close()
            throw error
        }
        do {
            // The subject keys first: the read models are built from the log with them.
            // Lookups and occurrences (which older replicas also hold) are derived after the log.
            let subjects = try await replica.subjectRecords().filter { record in
                record.key.withUnsafeBytes { Ledger.isReplicatedSubjectRecord($0) }
            }
            try await ledger.restoreSubjectRecords(subjects)
            var position: UInt64 = 0
            while true {
                let rows = try await replica.rows(
                    """
                    SELECT position, record, digest FROM grantledger.events
                    WHERE position > \(Int64(position)) ORDER BY position LIMIT \(page)
                    """, "read events")
                if rows.isEmpty { break }
                var records: [CanonicalRecord] = []
                records.reserveCapacity(rows.count)
                let first = position + 1
                for row in rows {
                    let (rowPosition, bytes, digest): (Int64, ByteBuffer, ByteBuffer)
                    do {
                        (rowPosition, bytes, digest) = try row.decode((Int64, ByteBuffer, ByteBuffer).self)
                    } catch {
                        throw ReplicaError(.corrupted, "row \(position + 1) cannot be read", position: position + 1)
                    }
                    guard UInt64(rowPosition) == position + UInt64(records.count) + 1 else {
                        let missing = position + UInt64(records.count) + 1
                        throw ReplicaError(.corrupted, "position \(missing) is missing", position: missing)
                    }
                    records.append(
                        CanonicalRecord(bytes: Array(bytes.readableBytesView), digest: Array(digest.readableBytesView)))
                }
                let batch = records
                do {
                    try await ledger.store.write { txn in
                        for (offset, record) in batch.enumerated() {
                            do throws(EventLogError) {
                                try txn.appendVerbatim(record)
                            } catch {
                                throw UnrestorableRow(position: first + UInt64(offset), error: error)
                            }
                        }
                    }
                } catch let failure as UnrestorableRow {
                    throw ReplicaError(
                        .corrupted, "cannot restore the row at position \(failure.position): \(failure.error.message)",
                        position: failure.position)
                } catch let error as EventLogError {
                    throw ReplicaError(.corrupted, "cannot restore: \(error.message)", position: first)
                }
                position += UInt64(records.count)
                progress?(position)
            }
            try ledger.rebuildSubjectIndexes()
            ledger.close()
            await replica.close()
        } catch {
            ledger.close()
            await replica.close()
            throw error
        }
        // Reopening brings the read models up to date with the restored log.
        let reopened = try Ledger(path: destination, options: options)
        defer { reopened.close() }
        return try reopened.head()
    }
}

/// A row of `grantledger.events` whose record the store refused, and its position.
private struct UnrestorableRow: Error {
    let position: UInt64
    let error: EventLogError
}
