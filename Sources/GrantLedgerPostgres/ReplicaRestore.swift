public import EventLog
internal import Foundation
public import GrantLedger
internal import PostgresNIO

/// `restore --from-postgres`: rebuilds an LMDB store from a replica (disaster recovery).
public enum ReplicaRestore {
    /// Records appended per write transaction.
    static let page = 4_096

    /// Appends every row of `grantledger.events`, in position order, verbatim to a new ledger
    /// (``WriteTransaction/appendVerbatim(_:)`` checks each record's digest link), then reopens it so
    /// the read models are built from the restored log, and verifies it. Returns the restored head.
    ///
    /// The keys and the rows are read in one snapshot of the replica, so a sink may run meanwhile. The
    /// newest row must be the replica's checkpoint (position and digest): rows missing at the end are
    /// the one loss the digest links cannot show. The restored store must pass
    /// ``Ledger/verify(progress:)``, which also checks every erasure mark of the keys against a
    /// `SubjectErased` event of the restored log (R-LOG-6): a mark the sink copied ahead of its rows,
    /// or one forged over a live key, is refused (`corrupted`) instead of giving a store that never
    /// verifies.
    ///
    /// The destination must not exist or be an empty folder. The store is built in a hidden folder
    /// beside it (`.NAME.restoring-PID`) and renamed to it once it is whole and verified, so a restore
    /// that is killed leaves no store at the destination. Password hashes, attachment contents and
    /// command idempotency records are not in the log, so they are not in a replica either. A restore
    /// that fails removes what it wrote: its working folder, and the folders above the destination
    /// that it created.
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
        let trimmed = destination.count > 1 && destination.hasSuffix("/") ? String(destination.dropLast()) : destination
        let target = URL(fileURLWithPath: trimmed).standardizedFileURL
        let parent = target.deletingLastPathComponent().path
        let working = (parent == "/" ? "" : parent) + "/." + target.lastPathComponent + ".restoring-\(getpid())"
        let created = missingFolders(parent)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            let head = try await restoreIntoEmpty(url: url, destination: working, options: options, progress: progress)
            // rename(2) replaces an empty folder at the destination, and fails on anything else there.
            guard rename(working, target.path) == 0 else {
                throw ReplicaError(
                    .destinationExists,
                    "cannot move the restored store to \(destination): \(String(cString: strerror(errno)))")
            }
            return head
        } catch {
            discard(working, createdFolders: created)
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

    /// Removes a failed restore's working folder, then the folders it created above the destination,
    /// each only when empty.
    static func discard(_ working: String, createdFolders: [String]) {
        try? FileManager.default.removeItem(atPath: working)
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
            // One snapshot: a sink committing meanwhile (new rows and the keys of new people, an
            // erasure's marks) is not seen half-way.
            try await replica.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "BEGIN")
            ledger = try Ledger(path: destination, options: options)
        } catch {
            await replica.rollback()
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
            var lastDigest: [UInt8] = []
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
                lastDigest = records.last?.digest ?? lastDigest
                progress?(position)
            }
            let checkpoint = try await replica.checkpoint()
            guard checkpoint.position == position, position == 0 || checkpoint.digest == lastDigest else {
                throw ReplicaError(
                    .corrupted,
                    "the replica's checkpoint (position \(checkpoint.position)) is not its newest row (\(position)): "
                        + "rows are missing or were changed, so the replica cannot be restored whole",
                    position: min(checkpoint.position, position + 1))
            }
            try ledger.rebuildSubjectIndexes()
            ledger.close()
            await replica.rollback()
            await replica.close()
        } catch {
            ledger.close()
            await replica.rollback()
            await replica.close()
            throw error
        }
        // Reopening brings the read models up to date with the restored log. A record it cannot
        // build them from (a subject's key missing from the replica) is a bad record: exit 1.
        let reopened = try openRestored(destination, options: options)
        defer { reopened.close() }
        let report: VerifyReport
        do {
            report = try reopened.verify()
        } catch {
            throw ReplicaError(.corrupted, "the restored store does not verify: \(error.message)")
        }
        if let bad = report.firstBadPosition {
            throw ReplicaError(
                .corrupted,
                "the restored store does not verify at position \(bad): \(report.reason ?? "")", position: bad)
        }
        return try reopened.head()
    }
}

extension ReplicaRestore {
    /// Opens the restored store, which builds its read models. A record they cannot be built from (a
    /// subject's key missing from the replica) is a bad record of the replica: `corrupted`, exit 1.
    static func openRestored(_ path: String, options: LedgerOptions) throws -> Ledger {
        let result = Result { () throws(LedgerError) -> Ledger in try Ledger(path: path, options: options) }
        if case .failure(let error) = result, error.code == .corrupted {
            throw ReplicaError(.corrupted, "the restored log cannot be read: \(error.message)")
        }
        return try result.get()
    }
}

/// A row of `grantledger.events` whose record the store refused, and its position.
private struct UnrestorableRow: Error {
    let position: UInt64
    let error: EventLogError
}
