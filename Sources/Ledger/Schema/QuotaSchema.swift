/// Intake quotas (see `IntakeQuotas` in the Relay target).
///
/// - `issuer_intake`: requests admitted per issuer and fixed window (UTC minute, UTC day), one
///   row per window, bumped in the transaction that admits the request. Old windows are dropped
///   when a new one opens, so the table holds about two days per issuer.
/// - `requests_by_iban`: an account's requests in time order, for its open and repeated requests.
///   An index on the account number costs one more index page per new request; it is the only
///   way to count across cases without a second copy of the account number.
/// - `operator_orders`: operators' orders while the daemon runs (release or refuse held requests,
///   close escalations): the command cannot take the writer lock, so it leaves the order here, as
///   `rebase` does, and the daemon carries it out and records the outcome in the same transaction
///   as its decisions. `targets` holds request or escalation ids.
enum QuotaSchema {
    static let migration = Migration(
        version: 11,
        name:
            "intake quotas: admitted requests per issuer window, requests by account, operator orders (held requests, escalations)",
        sql: """
            CREATE TABLE issuer_intake (
                issuer       TEXT NOT NULL,
                window       TEXT NOT NULL CHECK (window IN ('minute', 'day')),
                window_index INTEGER NOT NULL,
                admitted     INTEGER NOT NULL,
                PRIMARY KEY (issuer, window, window_index)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX requests_by_iban ON requests (iban, received_at);
            CREATE TABLE operator_orders (
                seq          INTEGER PRIMARY KEY,
                order_id     TEXT NOT NULL UNIQUE,
                action       TEXT NOT NULL CHECK (action IN ('release', 'refuse', 'close_escalation')),
                targets      TEXT,
                agency       TEXT,
                operator     TEXT NOT NULL,
                reason       TEXT NOT NULL,
                requested_at INTEGER NOT NULL,
                done_at      INTEGER,
                outcome      TEXT,
                CHECK (targets IS NULL OR agency IS NULL)
            ) STRICT;
            CREATE INDEX operator_orders_pending ON operator_orders (seq) WHERE done_at IS NULL;
            """)
}
