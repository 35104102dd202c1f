/// The replica's tables in schema `grantledger`, as numbered migrations the sink applies in order.
///
/// Each migration runs once, in its own transaction, and is recorded in `grantledger.schema_migrations`;
/// a migration is never edited once released: a change is a new migration at the end.
public enum ReplicaSchema {
    /// The schema every table lives in.
    public static let name = "grantledger"

    /// The migrations, oldest first; the version of each is its index plus one.
    public static let migrations: [String] = [
        // 1: the log and the checkpoint.
        """
        CREATE TABLE grantledger.events (
            position bigint PRIMARY KEY,
            stream text NOT NULL,
            stream_version bigint NOT NULL,
            type text NOT NULL,
            schema_version integer NOT NULL,
            time timestamptz NOT NULL,
            command_id text,
            actor text,
            causation_id text,
            correlation_id text,
            payload jsonb NOT NULL,
            record bytea NOT NULL,
            digest bytea NOT NULL,
            copied_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE UNIQUE INDEX events_stream_version ON grantledger.events (stream, stream_version);
        CREATE INDEX events_type ON grantledger.events (type);
        CREATE TABLE grantledger.checkpoint (
            id integer PRIMARY KEY CHECK (id = 1),
            position bigint NOT NULL,
            digest bytea NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        INSERT INTO grantledger.checkpoint (id, position, digest) VALUES (1, 0, '\\x');
        """,
        // 2: the read tables, kept from the events.
        """
        CREATE TABLE grantledger.provinces (
            province_id text PRIMARY KEY,
            name text
        );
        CREATE TABLE grantledger.units (
            unit_id text PRIMARY KEY,
            name text,
            province_id text
        );
        CREATE TABLE grantledger.accounts (
            account_id text PRIMARY KEY,
            role text,
            username text,
            name text,
            email text,
            id_type text,
            id_number text,
            unit_id text,
            province_id text,
            registration text,
            enabled boolean NOT NULL,
            rejection_reason text,
            created_at timestamptz NOT NULL,
            profile jsonb
        );
        CREATE TABLE grantledger.projects (
            project_no text PRIMARY KEY,
            title text,
            category text,
            discipline text,
            unit_id text,
            province_id text,
            leader_name text,
            leader_id_type text,
            leader_id_number text,
            approved_on date NOT NULL,
            planned_end_date date NOT NULL,
            deliverable_form text,
            status text,
            extension_count integer NOT NULL,
            closeout_under_review boolean NOT NULL,
            overdue_listed_for date,
            grade text,
            certificate_no text,
            budget_direct bigint NOT NULL,
            budget_indirect bigint NOT NULL,
            budget_total bigint NOT NULL,
            budget jsonb NOT NULL,
            content_adjustments jsonb NOT NULL
        );
        CREATE INDEX projects_unit ON grantledger.projects (unit_id);
        CREATE INDEX projects_province_status ON grantledger.projects (province_id, status);
        CREATE TABLE grantledger.project_members (
            project_no text,
            ordinal integer NOT NULL,
            name text,
            id_type text,
            id_number text,
            unit text,
            title text,
            role text,
            PRIMARY KEY (project_no, ordinal)
        );
        CREATE TABLE grantledger.change_requests (
            request_id text PRIMARY KEY,
            project_no text,
            kind text,
            status text,
            awaiting text,
            reason text,
            created_by text,
            created_at timestamptz NOT NULL,
            submitted_at timestamptz,
            first_submitted_at timestamptz,
            effective_at timestamptz,
            filed boolean NOT NULL,
            closed_reason text,
            details jsonb NOT NULL,
            changes jsonb NOT NULL
        );
        CREATE INDEX change_requests_project ON grantledger.change_requests (project_no);
        CREATE TABLE grantledger.decisions (
            item_kind text,
            item_id text,
            ordinal integer NOT NULL,
            project_no text,
            level text,
            decision text,
            opinion text,
            decided_by text,
            decided_at timestamptz NOT NULL,
            PRIMARY KEY (item_kind, item_id, ordinal)
        );
        CREATE TABLE grantledger.closeouts (
            closeout_id text PRIMARY KEY,
            project_no text,
            status text,
            awaiting text,
            grade text,
            certificate_no text,
            grade_override_reason text,
            revision_notes_required boolean NOT NULL,
            created_by text,
            created_at timestamptz NOT NULL,
            submitted_at timestamptz,
            closed_reason text,
            experts jsonb NOT NULL,
            appraisals jsonb NOT NULL,
            sections jsonb NOT NULL
        );
        CREATE INDEX closeouts_project ON grantledger.closeouts (project_no);
        CREATE TABLE grantledger.budget_adjustments (
            adjustment_id text PRIMARY KEY,
            project_no text,
            status text,
            awaiting text,
            reason text,
            needs_national boolean NOT NULL,
            new_total bigint,
            created_by text,
            created_at timestamptz NOT NULL,
            submitted_at timestamptz,
            effective_at timestamptz,
            filed boolean NOT NULL,
            closed_reason text,
            proposed jsonb NOT NULL
        );
        CREATE INDEX budget_adjustments_project ON grantledger.budget_adjustments (project_no);
        CREATE TABLE grantledger.filings (
            item_kind text,
            item_id text,
            project_no text,
            filed_at timestamptz,
            PRIMARY KEY (item_kind, item_id)
        );
        """,
        // 3: the subject keys database (R-LOG-6), raw, apart from the reporting schema: without it a
        // restored store could not open its personal fields. Grant it to no reporting role.
        """
        CREATE SCHEMA IF NOT EXISTS grantledger_keys;
        CREATE TABLE grantledger_keys.subject_records (
            key bytea PRIMARY KEY,
            value bytea NOT NULL
        );
        """,
        // 4: event rows up to a page stay in the heap uncompressed: most rows are 1-3 kB, and
        // PostgreSQL spent a tenth of an initial sync trying to compress their record bytes (mostly
        // ciphertext) and payload past the default 2 kB threshold (docs/decisions.md).
        """
        ALTER TABLE grantledger.events SET (toast_tuple_target = 8160);
        """,
        // 5: `copied_at` is when the COPY statement that wrote the row started (`statement_timestamp()`,
        // stable) rather than the clock at each row (`clock_timestamp()`, volatile): with a volatile
        // default PostgreSQL's COPY inserts row by row instead of a page at a time (docs/decisions.md).
        """
        ALTER TABLE grantledger.events ALTER COLUMN copied_at SET DEFAULT statement_timestamp();
        """,
        // 6: an erased person's further profile fields are rendered erased (`{"erased": true}` in an
        // event's payload, null in the accounts table, as the other erased fields), not as an empty
        // set (docs/decisions.md, round 21). Rows rendered before are brought to the new form: the
        // gender is sealed under the same subject, so an erased gender marks an erased profile.
        """
        UPDATE grantledger.events
            SET payload = jsonb_set(payload, '{profile,extra}', '{"erased":true}'::jsonb)
            WHERE type = 'ProfileCompleted' AND payload #> '{profile,gender}' = '{"erased":true}'::jsonb
                AND payload #> '{profile,extra}' = '{}'::jsonb;
        UPDATE grantledger.accounts
            SET profile = jsonb_set(profile, '{extra}', 'null'::jsonb)
            WHERE profile -> 'gender' = 'null'::jsonb AND profile -> 'extra' = '{}'::jsonb;
        """,
    ]

    /// Primary keys the first batch of an initial sync (from position 0, every table empty) drops inside
    /// its own transaction and adds back once its rows are in (docs/decisions.md): one index build from
    /// the loaded rows costs the server less than inserting every row into it. A batch that fails or is
    /// killed rolls the drop back with everything else.
    static let initialSyncPrimaryKeys: [(table: String, constraint: String, columns: String)] = [
        ("grantledger.events", "events_pkey", "position"),
        ("grantledger_keys.subject_records", "subject_records_pkey", "key"),
        ("grantledger.projects", "projects_pkey", "project_no"),
        ("grantledger.project_members", "project_members_pkey", "project_no, ordinal"),
    ]

    /// Secondary indexes an initial sync builds once at the end instead of maintaining row by row
    /// (docs/decisions.md): dropped when a sink starts on an empty replica, created (if missing)
    /// whenever a sink has caught up. No statement of the sink reads through them.
    static let deferredIndexes: [(name: String, create: String)] = [
        (
            "events_stream_version",
            "CREATE UNIQUE INDEX IF NOT EXISTS events_stream_version ON grantledger.events (stream, stream_version)"
        ),
        ("events_type", "CREATE INDEX IF NOT EXISTS events_type ON grantledger.events (type)"),
        ("projects_unit", "CREATE INDEX IF NOT EXISTS projects_unit ON grantledger.projects (unit_id)"),
        (
            "projects_province_status",
            "CREATE INDEX IF NOT EXISTS projects_province_status ON grantledger.projects (province_id, status)"
        ),
    ]
}
