internal import Foundation
internal import Logging
internal import PostgresNIO

/// Why a replica operation failed.
public struct ReplicaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The digest stored in PostgreSQL at its checkpoint is not the log's at that position (or the
        /// replica is past the log's head): this replica is not a copy of this log.
        case diverged
        /// Another sink moved the checkpoint while this one was copying.
        case conflict
        /// The URL is not a `postgres://` URL.
        case invalidURL
        /// PostgreSQL refused or failed (connection, SQL).
        case server
        /// The replica's rows are not a sound copy (`verify --postgres`, `restore`).
        case corrupted
        /// The destination of a restore is not an empty folder.
        case destinationExists
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The log position concerned, when there is one.
    public var position: UInt64?

    /// Creates an error.
    public init(_ code: Code, _ message: String, position: UInt64? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }

    /// The message.
    public var description: String { message }
}

/// Where a replica is: a `postgres://user:password@host:port/database` URL, parsed.
public struct ReplicaURL: Sendable, Hashable {
    /// Host name or address.
    public var host: String
    /// TCP port (5432 when the URL names none).
    public var port: Int
    /// User name.
    public var username: String
    /// Password, if any.
    public var password: String?
    /// Database name, if any (the user's by default).
    public var database: String?
    /// Whether and how the connection is encrypted: the URL's `sslmode`, as libpq reads it.
    public var sslMode: SSLMode = .disable
    /// A file of trusted root certificates (PEM) for `verify-ca` and `verify-full`: the URL's
    /// `sslrootcert`; the system's roots when nil.
    public var sslRootCertificate: String?

    /// `sslmode` of a PostgreSQL URL (libpq's values).
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// No TLS (the default here: a replica on loopback or a private network).
        case disable
        /// TLS when the server offers it, else in clear; the certificate is not checked.
        case allow, prefer
        /// TLS or no connection; the certificate is not checked (checked as `verify-ca` when
        /// `sslrootcert` is given, as libpq does).
        case require
        /// TLS with a certificate signed by a trusted root.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate that names the host.
        case verifyFull = "verify-full"
    }

    /// Parses `postgres://` or `postgresql://` URLs. Of the query parameters, `sslmode` (default
    /// `disable`) and `sslrootcert` are read; any other is refused rather than ignored, so that a
    /// setting meant for the connection (TLS, say) is never silently dropped.
    public init(_ text: String) throws(ReplicaError) {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw ReplicaError(.invalidURL, "not a postgres://user@host:port/database URL: \(text)")
        }
        self.host = host
        port = components.port ?? 5432
        // A port past 65535 would be cut to 16 bits on the way to the socket (99999 reached 34463).
        guard (1...65_535).contains(port) else {
            throw ReplicaError(.invalidURL, "the port \(port) is not a TCP port (1–65535): \(text)")
        }
        username = components.user ?? "postgres"
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: item.value ?? "") else {
                    throw ReplicaError(
                        .invalidURL,
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), "
                            + "not '\(item.value ?? "")'")
                }
                sslMode = mode
            case "sslrootcert":
                guard let file = item.value, !file.isEmpty else {
                    throw ReplicaError(.invalidURL, "sslrootcert names no file")
                }
                sslRootCertificate = file
            default:
                throw ReplicaError(
                    .invalidURL, "the URL parameter '\(item.name)' is not understood (only sslmode and sslrootcert are)"
                )
            }
        }
    }

    /// The TLS setting of a connection to this URL.
    func tls() throws(ReplicaError) -> PostgresConnection.Configuration.TLS {
        guard sslMode != .disable else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        let verifies =
            sslMode == .verifyCA || sslMode == .verifyFull || (sslMode == .require && sslRootCertificate != nil)
        configuration.certificateVerification =
            !verifies ? .none : sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
        if let file = sslRootCertificate { configuration.trustRoots = .file(file) }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ReplicaError(.invalidURL, "cannot set up TLS (sslmode=\(sslMode.rawValue)): \(error)")
        }
        return sslMode == .allow || sslMode == .prefer ? .prefer(context) : .require(context)
    }
}

/// A connection to a replica: schema migrations, the checkpoint, and raw SQL for the sink, the
/// verifier and the restorer.
final class ReplicaConnection: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    private init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    static func open(_ url: ReplicaURL) async throws(ReplicaError) -> ReplicaConnection {
        var logger = Logger(label: "grantledger.postgres")
        logger.logLevel = .critical
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: try url.tls())
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: 1, logger: logger)
            return ReplicaConnection(connection: connection, logger: logger)
        } catch {
            throw Self.wrap(error, "cannot connect to \(url.host):\(url.port)")
        }
    }

    func close() async {
        try? await connection.close()
    }

    /// A PostgreSQL error with the server's message (PSQLError's description hides it).
    static func wrap(_ error: any Error, _ context: String) -> ReplicaError {
        if let error = error as? ReplicaError { return error }
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            let detail = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return ReplicaError(.server, "\(context): \(message)\(detail)")
        }
        return ReplicaError(.server, "\(context): \(String(reflecting: error))")
    }

    /// Runs a statement, discarding rows.
    func run(_ query: PostgresQuery, _ context: String) async throws(ReplicaError) {
        do {
            try await connection.query(query, logger: logger)
        } catch {
            throw Self.wrap(error, context)
        }
    }

    /// Runs a query and collects its rows.
    func rows(_ query: PostgresQuery, _ context: String) async throws(ReplicaError) -> [PostgresRow] {
        do {
            return try await connection.query(query, logger: logger).collect()
        } catch {
            throw Self.wrap(error, context)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<R>(_ body: () async throws(ReplicaError) -> R) async throws(ReplicaError) -> R {
        try await run("BEGIN", "BEGIN")
        do {
            let value = try await body()
            try await run("COMMIT", "COMMIT")
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Rolls back the open transaction, if any (after a failed statement of a transaction run step by
    /// step).
    func rollback() async {
        _ = try? await connection.query("ROLLBACK", logger: logger)
    }

    /// `COPY grantledger.TABLE (columns) FROM STDIN` with rows in text format.
    func copy(_ table: String, columns: [String], rows: CopyRows) async throws(ReplicaError) {
        guard rows.count > 0 else { return }
        do {
            try await run("SET LOCAL search_path TO grantledger", "search_path")
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var offset = 0
                let chunk = 1 << 20
                while offset < rows.bytes.count {
                    let end = min(offset + chunk, rows.bytes.count)
                    try await writer.write(ByteBuffer(bytes: rows.bytes[offset..<end]))
                    offset = end
                }
            }
        } catch {
            throw Self.wrap(error, "COPY \(table)")
        }
    }

    /// `COPY SCHEMA.TABLE (columns) FROM STDIN (FORMAT binary)` with rows in binary format.
    ///
    /// postgres-nio 1.33's `copyFrom` writes `COPY "TABLE"(columns) FROM STDIN WITH (FORMAT text)`
    /// and offers no other format, but it inserts the table name as given (its documentation says so)
    /// and streams whatever bytes it is handed: PostgreSQL announces the format in its CopyInResponse,
    /// which postgres-nio does not read. So the statement is completed in the table name, with
    /// constant identifiers only, and the generated text option is left in a trailing comment.
    func copyBinary(
        _ table: String, schema: String = "grantledger", columns: [String], rows: BinaryCopyRows
    ) async throws(ReplicaError) {
        try await copyBinary(table, schema: schema, columns: columns, parts: [rows])
    }

    /// ``copyBinary(_:schema:columns:rows:)`` with the rows in parts, sent in order.
    func copyBinary(
        _ table: String, schema: String = "grantledger", columns: [String], parts: [BinaryCopyRows]
    ) async throws(ReplicaError) {
        guard parts.contains(where: { $0.count > 0 }) else { return }
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        // postgres-nio writes `COPY "` before the name.
        let statement = "\(schema)\".\"\(table)\" (\(list)) FROM STDIN WITH (FORMAT binary) --"
        do {
            try await connection.copyFrom(table: statement, logger: logger) { writer in
                try await writer.write(ByteBuffer(bytes: BinaryCopyRows.header))
                for rows in parts {
                    var offset = 0
                    let chunk = 1 << 20
                    while offset < rows.bytes.count {
                        let end = min(offset + chunk, rows.bytes.count)
                        try await writer.write(ByteBuffer(bytes: rows.bytes[offset..<end]))
                        offset = end
                    }
                }
                try await writer.write(ByteBuffer(bytes: BinaryCopyRows.trailer))
            }
        } catch {
            throw Self.wrap(error, "COPY \(schema).\(table) (binary)")
        }
    }

    // MARK: Schema

    /// Creates schema `grantledger` when missing and applies the migrations it has not seen yet;
    /// returns the schema version. Concurrent callers are serialised by an advisory lock.
    @discardableResult
    func migrate() async throws(ReplicaError) -> Int {
        try await transaction { () throws(ReplicaError) in
            try await run("SELECT pg_advisory_xact_lock(7361726)", "lock migrations")
            try await run("CREATE SCHEMA IF NOT EXISTS grantledger", "create schema")
            try await run(
                """
                CREATE TABLE IF NOT EXISTS grantledger.schema_migrations (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, "create schema_migrations")
            let rows = try await rows(
                "SELECT coalesce(max(version), 0) FROM grantledger.schema_migrations", "read schema version")
            var version = try Self.decode(rows.first, Int.self, "schema version")
            guard version <= ReplicaSchema.migrations.count else {
                throw ReplicaError(
                    .server,
                    "the replica's schema is at version \(version), newer than this grantledger's "
                        + "\(ReplicaSchema.migrations.count): use a newer grantledger")
            }
            while version < ReplicaSchema.migrations.count {
                let sql = ReplicaSchema.migrations[version]
                version += 1
                for statement in sql.split(separator: ";") {
                    let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    if text.isEmpty { continue }
                    try await run(PostgresQuery(unsafeSQL: text), "migration \(version)")
                }
                try await run(
                    "INSERT INTO grantledger.schema_migrations (version) VALUES (\(version))", "record migration")
            }
            return version
        }
    }

    /// Drops ``ReplicaSchema/deferredIndexes`` (a sink starting on an empty replica).
    func dropDeferredIndexes() async throws(ReplicaError) {
        try await transaction { () throws(ReplicaError) in
            for index in ReplicaSchema.deferredIndexes {
                try await run(
                    PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS grantledger.\(index.name)"), "drop \(index.name)")
            }
        }
    }

    /// Drops (`add` false) or adds back the primary key of `table` (schema-qualified) when it is one of
    /// ``ReplicaSchema/initialSyncPrimaryKeys``; otherwise does nothing. Inside the caller's transaction.
    func initialSyncPrimaryKey(of table: String, add: Bool) async throws(ReplicaError) {
        guard let key = ReplicaSchema.initialSyncPrimaryKeys.first(where: { $0.table == table }) else { return }
        let sql =
            add
            ? "ALTER TABLE \(key.table) ADD CONSTRAINT \(key.constraint) PRIMARY KEY (\(key.columns))"
            : "ALTER TABLE \(key.table) DROP CONSTRAINT IF EXISTS \(key.constraint)"
        try await run(PostgresQuery(unsafeSQL: sql), add ? "add \(key.constraint)" : "drop \(key.constraint)")
    }

    /// Creates whichever of ``ReplicaSchema/deferredIndexes`` is missing (only those on `table`, when
    /// given).
    func createDeferredIndexes(on table: String? = nil) async throws(ReplicaError) {
        for index in ReplicaSchema.deferredIndexes where table.map({ index.name.hasPrefix($0 + "_") }) ?? true {
            try await run(PostgresQuery(unsafeSQL: index.create), "create \(index.name)")
        }
    }

    /// Throws unless the database holds a replica (schema `grantledger` with its `events` table).
    func requireReplica() async throws(ReplicaError) {
        let rows = try await rows(
            "SELECT to_regclass('grantledger.events') IS NOT NULL", "look for the replica")
        guard try Self.decode(rows.first, Bool.self, "replica presence") else {
            throw ReplicaError(
                .server, "no replica at this URL: there is no grantledger.events table (run `sink postgres` first)")
        }
    }

    /// The checkpoint: position and digest of the newest event copied (0 and empty when none). With
    /// `lock`, inside a transaction, the row stays locked until it ends.
    func checkpoint(lock: Bool = false) async throws(ReplicaError) -> (position: UInt64, digest: [UInt8]) {
        let query: PostgresQuery =
            lock
            ? "SELECT position, digest FROM grantledger.checkpoint WHERE id = 1 FOR UPDATE"
            : "SELECT position, digest FROM grantledger.checkpoint WHERE id = 1"
        let rows = try await rows(query, "read checkpoint")
        guard let row = rows.first else { throw ReplicaError(.corrupted, "the checkpoint row is missing") }
        do {
            let (position, digest) = try row.decode((Int64, ByteBuffer).self)
            return (UInt64(position), Array(digest.readableBytesView))
        } catch {
            throw Self.wrap(error, "decode checkpoint")
        }
    }

    /// Every row of `grantledger_keys.subject_records`, in key order.
    func subjectRecords() async throws(ReplicaError) -> [(key: [UInt8], value: [UInt8])] {
        let rows = try await rows(
            "SELECT key, value FROM grantledger_keys.subject_records ORDER BY key", "read subject records")
        var records: [(key: [UInt8], value: [UInt8])] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            do {
                let (key, value) = try row.decode((ByteBuffer, ByteBuffer).self)
                records.append((Array(key.readableBytesView), Array(value.readableBytesView)))
            } catch {
                throw Self.wrap(error, "decode subject records")
            }
        }
        return records
    }

    /// ``subjectRecords()``, or none when the replica has no keys table (schema before version 3).
    func subjectRecordsIfAny() async throws(ReplicaError) -> [(key: [UInt8], value: [UInt8])] {
        let rows = try await rows(
            "SELECT to_regclass('grantledger_keys.subject_records') IS NOT NULL", "look for the subject keys")
        guard try Self.decode(rows.first, Bool.self, "subject keys presence") else { return [] }
        return try await subjectRecords()
    }

    /// Upserts `changed` and deletes `removed` in `grantledger_keys.subject_records`; with `intoEmpty`
    /// (the table holds no row: the first batch of a new replica), copies `changed` in instead.
    func writeSubjectRecords(
        changed: [(key: [UInt8], value: [UInt8])], removed: [[UInt8]], intoEmpty: Bool = false
    ) async throws(ReplicaError) {
        if intoEmpty && removed.isEmpty {
            var rows = BinaryCopyRows(reservingCapacity: changed.reduce(0) { $0 + 10 + $1.key.count + $1.value.count })
            for entry in changed {
                rows.row(fields: 2)
                rows.bytea(entry.key)
                rows.bytea(entry.value)
            }
            try await copyBinary("subject_records", schema: "grantledger_keys", columns: ["key", "value"], rows: rows)
            return
        }
        if !removed.isEmpty {
            var binds = PostgresBindings()
            binds.append(removed.map { ByteBuffer(bytes: $0) })
            try await run(
                PostgresQuery(
                    unsafeSQL: "DELETE FROM grantledger_keys.subject_records WHERE key = ANY($1::bytea[])",
                    binds: binds), "delete subject records")
        }
        var start = 0
        while start < changed.count {
            let part = changed[start..<min(start + 10_000, changed.count)]
            start += part.count
            var binds = PostgresBindings()
            binds.append(part.map { ByteBuffer(bytes: $0.key) })
            binds.append(part.map { ByteBuffer(bytes: $0.value) })
            try await run(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO grantledger_keys.subject_records (key, value)
                        SELECT * FROM unnest($1::bytea[], $2::bytea[])
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, binds: binds), "write subject records")
        }
    }

    static func decode<T: PostgresDecodable>(
        _ row: PostgresRow?, _ type: T.Type, _ what: String
    ) throws(ReplicaError)
        -> T
    {
        guard let row else { throw ReplicaError(.server, "no row for \(what)") }
        do {
            return try row.decode(T.self)
        } catch {
            throw wrap(error, "decode \(what)")
        }
    }
}
