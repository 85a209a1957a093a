/// Version 3: what the operator queries and the purge need, plus a column that makes request
/// records round-trip exactly.
///
/// - `requests.frozen_currency`: the currency of `frozen_amount`. Version 2 stored only the
///   amount and read it back in the request's currency, which silently changed a bank's answer
///   given in another currency. NULL on rows written before version 3 (read as the request's
///   currency, which is all those rows could have meant).
///
/// Indexes (each named after the query that needs it):
/// - `requests_by_bank`: `cases --bank`.
/// - `requests_by_updated`: recent answer latencies for metrics histograms.
/// - `requests_answered_by_bank`: answered in time / late counters, read from the index alone.
/// - `escalations_by_case`: a case's escalations and its open-escalation count.
/// - `escalations_open_by_raised`: the list of open escalations, oldest first.
/// - `escalations_by_bank_kind_level`: escalation gauges per bank, kind and level, read from the
///   index alone. It starts with `escalations_by_bank`'s columns, which is therefore dropped.
/// - `deadlines_by_request`, `responses_by_request`: deleting a purged request's timers and
///   remembered answers without scanning those tables.
/// - `outbox_sent_by_key`: deleting a purged case's sent events by message key.
enum RelaySchemaV3 {
    static let migration = Migration(
        version: 3, name: "operator query indexes; frozen amount currency",
        sql: """
            ALTER TABLE requests ADD COLUMN frozen_currency TEXT;

            CREATE INDEX requests_by_bank ON requests (bank_id, case_id);
            CREATE INDEX requests_by_updated ON requests (updated_at);
            CREATE INDEX requests_answered_by_bank ON requests (bank_id, answered_at, freeze_by) WHERE answered_at IS NOT NULL;

            CREATE INDEX escalations_by_case ON escalations (case_id, raised_at);
            CREATE INDEX escalations_open_by_raised ON escalations (raised_at, escalation_id) WHERE resolved_at IS NULL;
            CREATE INDEX escalations_by_bank_kind_level ON escalations (bank_id, kind, level, resolved_at);
            DROP INDEX escalations_by_bank;

            CREATE INDEX deadlines_by_request ON deadlines (request_id);
            CREATE INDEX responses_by_request ON responses (request_id);
            CREATE INDEX outbox_sent_by_key ON outbox (message_key) WHERE sent_at IS NOT NULL;
            """)
}
