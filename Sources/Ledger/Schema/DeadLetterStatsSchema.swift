/// Version 6: dead letters with a bounded footprint.
///
/// A dead letter keeps the refused record's bytes (up to 512 KiB of value, base64, plus key and
/// headers): names and account numbers, and under a flood of junk, hundreds of megabytes. So:
///
/// - `outbox.content_dropped_at`: when the ledger replaced the dead letter's payload by its
///   minimal form (same id, source and reason; no key, value or headers) to stay within
///   `ledger.max_dead_letter_bytes`. NULL while the full content is kept; the row, its id and
///   the counts stay either way.
/// - `dead_letter_stats`: one row with the dead letters' count, their payload bytes and how many
///   had their content dropped, kept exact by triggers on every insert, update and delete of a
///   dead letter, so enforcing the bound and the `freeze_relay_dead_letter_bytes` gauge read one
///   row instead of scanning the outbox. The publisher's `UPDATE … SET sent_at` touches none of
///   the watched columns, so it does not fire them.
/// - `outbox_dead_letters_with_content`: the oldest dead letters still holding their content,
///   in queue order (whose content goes first).
/// - `outbox_sent_dead_letters_by_created`: sent dead letters by age, for `purge`'s retention.
enum DeadLetterStatsSchema {
    static let migration = Migration(
        version: 6, name: "dead letters: running size, dropped content, retention index",
        sql: """
            ALTER TABLE outbox ADD COLUMN content_dropped_at INTEGER;

            CREATE TABLE dead_letter_stats (
                id              INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                stored          INTEGER NOT NULL,
                payload_bytes   INTEGER NOT NULL,
                content_dropped INTEGER NOT NULL
            ) STRICT;
            INSERT INTO dead_letter_stats (id, stored, payload_bytes, content_dropped)
                SELECT 1, count(*), coalesce(sum(length(payload)), 0), 0 FROM outbox WHERE event_type = 'dead_letter';

            -- payload is a STRICT BLOB column, so length() counts bytes.
            CREATE TRIGGER dead_letter_stats_on_insert AFTER INSERT ON outbox WHEN NEW.event_type = 'dead_letter'
            BEGIN
                UPDATE dead_letter_stats SET stored = stored + 1, payload_bytes = payload_bytes + length(NEW.payload),
                    content_dropped = content_dropped + (NEW.content_dropped_at IS NOT NULL)
                WHERE id = 1;
            END;
            CREATE TRIGGER dead_letter_stats_on_delete AFTER DELETE ON outbox WHEN OLD.event_type = 'dead_letter'
            BEGIN
                UPDATE dead_letter_stats SET stored = stored - 1, payload_bytes = payload_bytes - length(OLD.payload),
                    content_dropped = content_dropped - (OLD.content_dropped_at IS NOT NULL)
                WHERE id = 1;
            END;
            CREATE TRIGGER dead_letter_stats_on_update AFTER UPDATE OF event_type, payload, content_dropped_at ON outbox
                WHEN OLD.event_type = 'dead_letter' OR NEW.event_type = 'dead_letter'
            BEGIN
                UPDATE dead_letter_stats SET
                    stored = stored + (NEW.event_type = 'dead_letter') - (OLD.event_type = 'dead_letter'),
                    payload_bytes = payload_bytes
                        + (CASE WHEN NEW.event_type = 'dead_letter' THEN length(NEW.payload) ELSE 0 END)
                        - (CASE WHEN OLD.event_type = 'dead_letter' THEN length(OLD.payload) ELSE 0 END),
                    content_dropped = content_dropped
                        + (NEW.event_type = 'dead_letter' AND NEW.content_dropped_at IS NOT NULL)
                        - (OLD.event_type = 'dead_letter' AND OLD.content_dropped_at IS NOT NULL)
                WHERE id = 1;
            END;

            CREATE INDEX outbox_dead_letters_with_content ON outbox (seq)
                WHERE event_type = 'dead_letter' AND content_dropped_at IS NULL;
            CREATE INDEX outbox_sent_dead_letters_by_created ON outbox (created_at)
                WHERE event_type = 'dead_letter' AND sent_at IS NOT NULL;
            """)
}
