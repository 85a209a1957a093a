/// The relay's schema, as migrations. Append new migrations at the end, with the next version;
/// never edit or reorder one that has shipped, because ledgers in the field already ran it.
public enum LedgerSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "create ledger_meta") { db, environment in
            try db.executeScript(
                """
                CREATE TABLE ledger_meta (
                    key   TEXT PRIMARY KEY NOT NULL,
                    value ANY NOT NULL
                ) STRICT;
                """)
            try db.execute(
                "INSERT INTO ledger_meta (key, value) VALUES ('created_at', ?), ('created_by', ?)",
                [environment.now, environment.appliedBy]
            )
        },
        RelaySchema.migration,
        RelaySchemaV3.migration,
        RelaySchemaV4.migration,
        PartitionSchema.migration,
        DeadLetterStatsSchema.migration,
        LeanIndexesSchema.migration,
        ClusteredDeadlinesSchema.migration,
        MetricsCountsSchema.migration,
        PendingJudgementSchema.migration,
        QuotaSchema.migration,
        SecurityTallySchema.migration,
        SentEventsLeaveSchema.migration,
        TimerKeysSchema.migration,
        StoredRequestFormSchema.migration,
    ]

    /// The highest schema version this binary knows.
    public static var currentVersion: Int { migrations.last?.version ?? 0 }
}
