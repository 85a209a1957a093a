/// Version 4: events that can never be published (the broker refuses them for good, e.g. too
/// large) are *parked* instead of blocking every event queued behind them. A parked event stays
/// in the outbox with its error; the daemon offers it once more at each start, so raising the
/// broker's limit and restarting publishes it.
enum RelaySchemaV4 {
    static let migration = Migration(
        version: 4, name: "park unpublishable outbox events",
        sql: """
            ALTER TABLE outbox ADD COLUMN parked_at INTEGER;
            DROP INDEX outbox_unsent;
            CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL AND parked_at IS NULL;
            CREATE INDEX outbox_parked ON outbox (seq) WHERE parked_at IS NOT NULL AND sent_at IS NULL;
            """)
}
