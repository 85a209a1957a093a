/// Version 10: what the relay judged of a police order, kept while its request waits to be routed.
///
/// A request routed at once takes the judgement to its bank on the routed request (`verification`,
/// `verification_reason`, `authorization`: the order's exact bytes and police signature), and the
/// ledger need not keep it. A request kept unrouted (unroutable) is routed later by an operator's
/// retry, long after the order was read: its routed request must say the same as if it had been
/// routed at once, so the judgement waits here, written with the decision that leaves the request
/// unrouted and deleted with the one that routes or cancels it (and by `purge`). Rows exist only for
/// waiting requests, so the table stays small although an order may be up to 256 KiB.
///
/// `WITHOUT ROWID`: one B-tree keyed by request id, no second index. Rows are rare and written
/// twice in their life, so that large orders spill to overflow pages costs nothing that matters.
/// The CHECK constraints are the consistency rules of the routed request's fields.
enum PendingJudgementSchema {
    static let migration = Migration(
        version: 10, name: "pending police judgements of requests not yet routed",
        sql: """
            CREATE TABLE pending_judgements (
                request_id   TEXT PRIMARY KEY NOT NULL,
                verification TEXT NOT NULL CHECK (verification IN ('verified', 'unverified', 'unchecked')),
                reason       TEXT CHECK ((reason IS NOT NULL) = (verification = 'unverified')),
                issuer_id    TEXT,
                key_id       TEXT,
                signature    TEXT,
                order_bytes  BLOB,
                kept_at      INTEGER NOT NULL,
                CHECK ((verification = 'verified') = (issuer_id IS NOT NULL AND key_id IS NOT NULL AND signature IS NOT NULL AND order_bytes IS NOT NULL)),
                CHECK (verification = 'verified' OR coalesce(issuer_id, key_id, signature, order_bytes) IS NULL)
            ) STRICT, WITHOUT ROWID;
            """)
}
