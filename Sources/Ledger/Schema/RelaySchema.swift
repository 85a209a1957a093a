/// Version 2: the relay's own tables. Times are INTEGER milliseconds since the Unix epoch;
/// ids are canonical lower-case UUID text; amounts are decimal strings, never floats.
enum RelaySchema {
    static let migration = Migration(version: 2, name: "relay tables: requests, deadlines, escalations, outbox, audit")
    { db, _ in
        try db.executeScript(
            """
            -- One row per freeze request (from police or created by chain following).
            CREATE TABLE requests (
                request_id        TEXT PRIMARY KEY NOT NULL,
                case_id           TEXT NOT NULL,
                bank_id           TEXT,
                state             TEXT NOT NULL,
                priority          TEXT NOT NULL,
                hop               INTEGER NOT NULL,
                parent_request_id TEXT,
                iban              TEXT NOT NULL,
                amount            TEXT NOT NULL,
                currency          TEXT NOT NULL,
                received_at       INTEGER NOT NULL,
                routed_at         INTEGER,
                acknowledged_at   INTEGER,
                answered_at       INTEGER,
                frozen_at         INTEGER,
                closed_at         INTEGER,
                acknowledge_by    INTEGER,
                freeze_by         INTEGER,
                frozen_amount     TEXT,
                hold_until        INTEGER,
                reason            TEXT,
                fingerprint       BLOB NOT NULL,
                request_json      BLOB NOT NULL,
                updated_at        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX requests_by_case ON requests (case_id, received_at);
            CREATE INDEX requests_by_state ON requests (state, bank_id);
            CREATE INDEX requests_by_received ON requests (received_at);

            -- Durable timers. Open ones are read in due order through a partial index, so finding
            -- the next due timer costs O(log n) however many are open.
            CREATE TABLE deadlines (
                deadline_id TEXT PRIMARY KEY NOT NULL,
                request_id  TEXT NOT NULL,
                kind        TEXT NOT NULL,
                level       INTEGER NOT NULL,
                deadline_at INTEGER NOT NULL,
                due_at      INTEGER NOT NULL,
                status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fired', 'cancelled')),
                settled_at  INTEGER
            ) STRICT;
            CREATE INDEX deadlines_open_by_due ON deadlines (due_at, deadline_id) WHERE status = 'open';
            CREATE INDEX deadlines_open_by_request ON deadlines (request_id, kind) WHERE status = 'open';

            CREATE TABLE escalations (
                escalation_id   TEXT PRIMARY KEY NOT NULL,
                kind            TEXT NOT NULL,
                level           INTEGER NOT NULL,
                request_id      TEXT NOT NULL,
                case_id         TEXT,
                bank_id         TEXT,
                raised_at       INTEGER NOT NULL,
                level_raised_at INTEGER NOT NULL,
                deadline_at     INTEGER,
                detail          TEXT NOT NULL,
                resolved_at     INTEGER,
                resolution      TEXT
            ) STRICT;
            CREATE INDEX escalations_open_by_request ON escalations (request_id) WHERE resolved_at IS NULL;
            CREATE INDEX escalations_by_bank ON escalations (bank_id, kind);

            -- Bank answers already taken into account, to recognise re-sends.
            CREATE TABLE responses (
                bank_id     TEXT NOT NULL,
                response_id TEXT NOT NULL,
                request_id  TEXT NOT NULL,
                fingerprint BLOB NOT NULL,
                received_at INTEGER NOT NULL,
                PRIMARY KEY (bank_id, response_id)
            ) STRICT;

            -- The money flow of each case: every onward transfer a bank reported and what came of it.
            CREATE TABLE chain_edges (
                from_request_id    TEXT NOT NULL,
                transfer_reference TEXT NOT NULL,
                case_id            TEXT NOT NULL,
                reported_by        TEXT NOT NULL,
                outcome            TEXT NOT NULL,
                target_request_id  TEXT,
                amount             TEXT NOT NULL,
                currency           TEXT NOT NULL,
                occurred_at        INTEGER NOT NULL,
                transfer_json      BLOB NOT NULL,
                recorded_at        INTEGER NOT NULL,
                PRIMARY KEY (from_request_id, transfer_reference)
            ) STRICT;
            CREATE INDEX chain_edges_by_case ON chain_edges (case_id);

            -- Append-only audit trail.
            CREATE TABLE audit (
                seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                at         INTEGER NOT NULL,
                request_id TEXT,
                case_id    TEXT,
                bank_id    TEXT,
                cause      TEXT NOT NULL,
                old_state  TEXT,
                new_state  TEXT,
                detail     TEXT NOT NULL,
                security   INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            CREATE INDEX audit_by_case ON audit (case_id, seq);
            CREATE INDEX audit_by_request ON audit (request_id, seq);
            CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

            -- The next offset to process per consumed partition: a record below it was already
            -- applied, so a re-delivery after a crash is skipped instead of applied twice.
            CREATE TABLE consumer_positions (
                topic       TEXT NOT NULL,
                partition   INTEGER NOT NULL,
                next_offset INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL,
                PRIMARY KEY (topic, partition)
            ) STRICT;

            -- Events waiting to be published, written in the same transaction as the state change.
            CREATE TABLE outbox (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id     TEXT NOT NULL UNIQUE,
                event_type   TEXT NOT NULL,
                topic        TEXT NOT NULL,
                message_key  BLOB,
                payload      BLOB NOT NULL,
                headers      BLOB NOT NULL,
                created_at   INTEGER NOT NULL,
                sent_at      INTEGER,
                attempts     INTEGER NOT NULL DEFAULT 0,
                last_error   TEXT,
                partition    INTEGER,
                offset       INTEGER
            ) STRICT;
            CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
            """)
    }
}
