/// Version 10: sent events keep their identity, not their content.
///
/// An event was kept whole after the broker acknowledged it: about 1.3 KB per event, two per
/// routed request, half of the ledger, and for the routed requests the account and name the bank
/// needed, kept long after they were delivered. Now, when an event (other than a dead letter,
/// whose content is the operators' evidence and has a budget of its own) is acknowledged, its
/// payload and headers are emptied and `compacted_at` is set. What stays is what the outbox's
/// guarantees need: the id (an event queued again under it is recognised, not published twice),
/// its type, topic and key, where the broker stored it, and `content_digest` — SHA-1 of the
/// payload followed by SHA-1 of the encoded headers, 40 bytes written when the event is queued —
/// so that a different event under a sent id is still refused as an `OutboxConflict` naming
/// what differs.
///
/// Rows written before this version have no digest and are never compacted.
enum OutboxCompactionSchema {
    static let migration = Migration(version: 10, name: "sent events compacted: content emptied, digest kept", sql: """
        ALTER TABLE outbox ADD COLUMN content_digest BLOB;
        ALTER TABLE outbox ADD COLUMN compacted_at INTEGER;
        """)
}
