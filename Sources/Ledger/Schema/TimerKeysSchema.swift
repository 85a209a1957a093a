/// Version 14: a timer is keyed under its request by the part of its id after the request id.
///
/// A deadline id is "<request id>/<kind>/<level>/<time>", about 70 bytes, and schema 8 keyed the
/// timers by (request_id, deadline_id): the request id twice in every key, and again in every
/// entry of `deadlines_open_by_due` (due_at, deadline_id, then the key). Timers were the largest
/// part of the ledger after the requests themselves (565 bytes per request in a bench ledger).
///
/// From this version `deadline_id` holds what follows "<request id>/" ("acknowledge/1/1796204415.541");
/// the whole id is the request id, a slash and that. An id that does not begin with its request id
/// (no release ever wrote one) is kept whole behind a "=" so that nothing is lost. The scheduler's
/// index becomes (due_at, request_id, deadline_id): the same order as (due_at, whole id), because
/// every request id has the same length. The timer-count triggers of version 9 go with the old
/// table and are created again.
enum TimerKeysSchema {
    static let version = 14

    static let migration = Migration(
        version: version, name: "timers keyed without their request id",
        sql: """
            CREATE TABLE deadlines_keyed (
                request_id  TEXT NOT NULL,
                deadline_id TEXT NOT NULL,
                kind        TEXT NOT NULL,
                level       INTEGER NOT NULL,
                deadline_at INTEGER NOT NULL,
                due_at      INTEGER NOT NULL,
                status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fired', 'cancelled')),
                settled_at  INTEGER,
                PRIMARY KEY (request_id, deadline_id)
            ) STRICT, WITHOUT ROWID;
            INSERT INTO deadlines_keyed (request_id, deadline_id, kind, level, deadline_at, due_at, status, settled_at)
                SELECT request_id,
                    CASE WHEN substr(deadline_id, 1, length(request_id) + 1) = request_id || '/'
                        THEN substr(deadline_id, length(request_id) + 2) ELSE '=' || deadline_id END,
                    kind, level, deadline_at, due_at, status, settled_at
                FROM deadlines;
            DROP TABLE deadlines;
            ALTER TABLE deadlines_keyed RENAME TO deadlines;
            CREATE INDEX deadlines_open_by_due ON deadlines (due_at, request_id, deadline_id) WHERE status = 'open';
            \(MetricsCountsSchema.deadlineCountTriggers)
            """)
}
