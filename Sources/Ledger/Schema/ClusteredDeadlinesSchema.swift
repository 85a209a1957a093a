/// Version 8: a request's timers stored together.
///
/// A routed request starts two timers. With `deadlines` as a rowid table, each timer inserted
/// into three B-trees keyed by random values (the table's `deadline_id` key, `deadlines_by_request`),
/// so every new request dirtied four pages of its own, each written to the WAL at commit and
/// again by the checkpoint. Stored `WITHOUT ROWID` under the primary key (request_id,
/// deadline_id), a request's timers sit side by side in the table itself: one page for both, and
/// finding a request's timers (to cancel them, or for `purge`) needs no second index. A
/// deadline id begins with its request id, so the key is as unique as the id alone was.
///
/// `deadlines_open_by_due` stays: the scheduler reads open timers by due time through it (in a
/// table without rowid, its entries end with the primary key instead of a rowid).
enum ClusteredDeadlinesSchema {
    static let migration = Migration(
        version: 8, name: "deadlines clustered by request (without rowid)",
        sql: """
            CREATE TABLE deadlines_clustered (
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
            INSERT INTO deadlines_clustered (request_id, deadline_id, kind, level, deadline_at, due_at, status, settled_at)
                SELECT request_id, deadline_id, kind, level, deadline_at, due_at, status, settled_at FROM deadlines;
            DROP TABLE deadlines;
            ALTER TABLE deadlines_clustered RENAME TO deadlines;
            CREATE INDEX deadlines_open_by_due ON deadlines (due_at, deadline_id) WHERE status = 'open';
            """)
}
