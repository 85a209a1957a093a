/// Version 5: what intake needs to notice that a partition's offsets went backwards (a topic
/// deleted and re-created, a broker that lost its data, a ledger moved to another cluster) and to
/// stop that partition until an operator decides, instead of skipping "already applied" records.
///
/// - `consumer_positions.last_digest`: a digest of the record at `next_offset - 1`, the last one
///   applied, so that after a restart the relay can re-read it and check it is still the same
///   record (same offset, same bytes). `NULL` where nothing has been applied since this version.
/// - `consumer_positions.epoch`: incremented each time an operator re-bases the partition; it
///   goes into the ids of everything derived from a record, so records at re-used offsets of a
///   re-created topic get new ids. `next_offset` is -2 ("from the first retained record") after
///   a re-base to the beginning, until the first record is applied.
/// - `partition_halts`: partitions intake stopped reading, with why; one row per partition until
///   an operator re-bases it.
/// - `rebase_requests`: re-bases asked for by an operator while the daemon runs (the command
///   cannot take the writer lock then); the daemon applies them and fills in `done_at`/`outcome`.
enum PartitionSchema {
    static let migration = Migration(
        version: 5, name: "partition continuity: record digests, epochs, halts, re-base requests",
        sql: """
            ALTER TABLE consumer_positions ADD COLUMN last_digest BLOB;
            ALTER TABLE consumer_positions ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;

            CREATE TABLE partition_halts (
                topic       TEXT NOT NULL,
                partition   INTEGER NOT NULL,
                halted_at   INTEGER NOT NULL,
                code        TEXT NOT NULL,
                detail      TEXT NOT NULL,
                position    INTEGER,
                offset      INTEGER,
                low         INTEGER,
                high        INTEGER,
                PRIMARY KEY (topic, partition)
            ) STRICT;

            CREATE TABLE rebase_requests (
                seq          INTEGER PRIMARY KEY,
                topic        TEXT NOT NULL,
                partition    INTEGER NOT NULL,
                target       INTEGER NOT NULL,
                note         TEXT NOT NULL,
                requested_at INTEGER NOT NULL,
                requested_by TEXT NOT NULL,
                done_at      INTEGER,
                outcome      TEXT
            ) STRICT;
            CREATE INDEX rebase_requests_pending ON rebase_requests (seq) WHERE done_at IS NULL;
            """)
}
