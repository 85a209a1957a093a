/// Version 9: the metrics gauges counted as things happen, so a scrape reads a few small rows
/// instead of grouping the whole history (seconds on a ledger of a million requests).
///
/// Four tables, each filled from the rows already there and kept exact by triggers on every
/// insert, update and delete of the rows they count (the relay's writes and `purge` alike):
///
/// - `request_counts`: requests per bank and state, every state (final ones too, so the triggers
///   need no list of states; the snapshot picks the open ones). `bank` is `''` where `bank_id` is
///   NULL (unroutable): a NULL key would never match in an upsert, and no bank id is empty.
/// - `deadline_counts`: one row, the timers whose status is `open`.
/// - `escalation_counts`: escalations per bank (`''`: none), kind and level; `open` are those not
///   resolved, `total` all of them still in the ledger.
/// - `answer_counts`: answered requests of a bank (`answered_at` and `bank_id` set), split as the
///   SLA counts them: in time when there is no `freeze_by` or the answer came by it, else late.
///
/// Cost on the hot path: a new request is one upsert into `request_counts`. Intake rewrites every
/// state column of a request on each change, so `UPDATE OF` alone would fire on every write; the
/// WHEN clauses compare old and new values, and a trigger's body runs only when its group
/// changes. A row whose count falls to zero stays (the snapshot skips it): deleting it would
/// cost a write for a row the next request of that group would put back.
///
/// `requests_answered_by_bank` served only the answer counters' GROUP BY and goes: one index
/// write less per answered request.
enum MetricsCountsSchema {
    /// The triggers that keep `deadline_counts` exact; version 14 creates them again on its new
    /// `deadlines` table. The statements must stay as version 9 shipped them.
    static let deadlineCountTriggers = """
        CREATE TRIGGER deadline_counts_on_insert AFTER INSERT ON deadlines WHEN NEW.status = 'open'
        BEGIN
            UPDATE deadline_counts SET open = open + 1 WHERE id = 1;
        END;
        CREATE TRIGGER deadline_counts_on_delete AFTER DELETE ON deadlines WHEN OLD.status = 'open'
        BEGIN
            UPDATE deadline_counts SET open = open - 1 WHERE id = 1;
        END;
        CREATE TRIGGER deadline_counts_on_update AFTER UPDATE OF status ON deadlines
            WHEN (OLD.status = 'open') IS NOT (NEW.status = 'open')
        BEGIN
            UPDATE deadline_counts SET open = open + (NEW.status = 'open') - (OLD.status = 'open') WHERE id = 1;
        END;
        """

    static let migration = Migration(
        version: 9, name: "metrics counted at event time: requests, timers, escalations, answers",
        sql: """
            CREATE TABLE request_counts (
                bank     TEXT NOT NULL,
                state    TEXT NOT NULL,
                requests INTEGER NOT NULL,
                PRIMARY KEY (bank, state)
            ) STRICT, WITHOUT ROWID;
            INSERT INTO request_counts (bank, state, requests)
                SELECT coalesce(bank_id, ''), state, count(*) FROM requests GROUP BY 1, 2;

            CREATE TRIGGER request_counts_on_insert AFTER INSERT ON requests
            BEGIN
                INSERT INTO request_counts (bank, state, requests) VALUES (coalesce(NEW.bank_id, ''), NEW.state, 1)
                    ON CONFLICT (bank, state) DO UPDATE SET requests = requests + 1;
            END;
            CREATE TRIGGER request_counts_on_delete AFTER DELETE ON requests
            BEGIN
                UPDATE request_counts SET requests = requests - 1 WHERE bank = coalesce(OLD.bank_id, '') AND state = OLD.state;
            END;
            CREATE TRIGGER request_counts_on_update AFTER UPDATE OF bank_id, state ON requests
                WHEN OLD.state IS NOT NEW.state OR OLD.bank_id IS NOT NEW.bank_id
            BEGIN
                UPDATE request_counts SET requests = requests - 1 WHERE bank = coalesce(OLD.bank_id, '') AND state = OLD.state;
                INSERT INTO request_counts (bank, state, requests) VALUES (coalesce(NEW.bank_id, ''), NEW.state, 1)
                    ON CONFLICT (bank, state) DO UPDATE SET requests = requests + 1;
            END;

            CREATE TABLE answer_counts (
                bank    TEXT PRIMARY KEY NOT NULL,
                in_time INTEGER NOT NULL,
                late    INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID;
            INSERT INTO answer_counts (bank, in_time, late)
                SELECT bank_id, sum(freeze_by IS NULL OR answered_at <= freeze_by), sum((answered_at > freeze_by) IS 1)
                FROM requests WHERE answered_at IS NOT NULL AND bank_id IS NOT NULL GROUP BY bank_id;

            CREATE TRIGGER answer_counts_on_insert AFTER INSERT ON requests
                WHEN NEW.answered_at IS NOT NULL AND NEW.bank_id IS NOT NULL
            BEGIN
                INSERT INTO answer_counts (bank, in_time, late)
                    VALUES (NEW.bank_id, NEW.freeze_by IS NULL OR NEW.answered_at <= NEW.freeze_by, (NEW.answered_at > NEW.freeze_by) IS 1)
                    ON CONFLICT (bank) DO UPDATE SET in_time = in_time + excluded.in_time, late = late + excluded.late;
            END;
            CREATE TRIGGER answer_counts_on_delete AFTER DELETE ON requests
                WHEN OLD.answered_at IS NOT NULL AND OLD.bank_id IS NOT NULL
            BEGIN
                UPDATE answer_counts SET in_time = in_time - (OLD.freeze_by IS NULL OR OLD.answered_at <= OLD.freeze_by),
                    late = late - ((OLD.answered_at > OLD.freeze_by) IS 1)
                WHERE bank = OLD.bank_id;
            END;
            CREATE TRIGGER answer_counts_on_update AFTER UPDATE OF bank_id, answered_at, freeze_by ON requests
                WHEN (OLD.answered_at IS NOT NEW.answered_at OR OLD.freeze_by IS NOT NEW.freeze_by OR OLD.bank_id IS NOT NEW.bank_id)
                    AND (OLD.answered_at IS NOT NULL AND OLD.bank_id IS NOT NULL OR NEW.answered_at IS NOT NULL AND NEW.bank_id IS NOT NULL)
            BEGIN
                UPDATE answer_counts SET in_time = in_time - (OLD.freeze_by IS NULL OR OLD.answered_at <= OLD.freeze_by),
                    late = late - ((OLD.answered_at > OLD.freeze_by) IS 1)
                WHERE bank = OLD.bank_id AND OLD.answered_at IS NOT NULL;
                INSERT INTO answer_counts (bank, in_time, late)
                    SELECT NEW.bank_id, NEW.freeze_by IS NULL OR NEW.answered_at <= NEW.freeze_by, (NEW.answered_at > NEW.freeze_by) IS 1
                    WHERE NEW.answered_at IS NOT NULL AND NEW.bank_id IS NOT NULL
                    ON CONFLICT (bank) DO UPDATE SET in_time = in_time + excluded.in_time, late = late + excluded.late;
            END;
            DROP INDEX requests_answered_by_bank;

            CREATE TABLE deadline_counts (
                id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                open INTEGER NOT NULL
            ) STRICT;
            INSERT INTO deadline_counts (id, open) SELECT 1, count(*) FROM deadlines WHERE status = 'open';

            \(deadlineCountTriggers)

            CREATE TABLE escalation_counts (
                bank  TEXT NOT NULL,
                kind  TEXT NOT NULL,
                level INTEGER NOT NULL,
                open  INTEGER NOT NULL,
                total INTEGER NOT NULL,
                PRIMARY KEY (bank, kind, level)
            ) STRICT, WITHOUT ROWID;
            INSERT INTO escalation_counts (bank, kind, level, open, total)
                SELECT coalesce(bank_id, ''), kind, level, sum(resolved_at IS NULL), count(*) FROM escalations GROUP BY 1, 2, 3;

            CREATE TRIGGER escalation_counts_on_insert AFTER INSERT ON escalations
            BEGIN
                INSERT INTO escalation_counts (bank, kind, level, open, total)
                    VALUES (coalesce(NEW.bank_id, ''), NEW.kind, NEW.level, NEW.resolved_at IS NULL, 1)
                    ON CONFLICT (bank, kind, level) DO UPDATE SET open = open + excluded.open, total = total + 1;
            END;
            CREATE TRIGGER escalation_counts_on_delete AFTER DELETE ON escalations
            BEGIN
                UPDATE escalation_counts SET open = open - (OLD.resolved_at IS NULL), total = total - 1
                WHERE bank = coalesce(OLD.bank_id, '') AND kind = OLD.kind AND level = OLD.level;
            END;
            CREATE TRIGGER escalation_counts_on_update AFTER UPDATE OF bank_id, kind, level, resolved_at ON escalations
                WHEN OLD.bank_id IS NOT NEW.bank_id OR OLD.kind IS NOT NEW.kind OR OLD.level IS NOT NEW.level
                    OR (OLD.resolved_at IS NULL) IS NOT (NEW.resolved_at IS NULL)
            BEGIN
                UPDATE escalation_counts SET open = open - (OLD.resolved_at IS NULL), total = total - 1
                WHERE bank = coalesce(OLD.bank_id, '') AND kind = OLD.kind AND level = OLD.level;
                INSERT INTO escalation_counts (bank, kind, level, open, total)
                    VALUES (coalesce(NEW.bank_id, ''), NEW.kind, NEW.level, NEW.resolved_at IS NULL, 1)
                    ON CONFLICT (bank, kind, level) DO UPDATE SET open = open + excluded.open, total = total + 1;
            END;
            """)
}
