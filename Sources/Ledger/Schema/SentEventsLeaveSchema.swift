/// Version 13: an event leaves the outbox once the broker has acknowledged it.
///
/// Until version 12 every event stayed in the outbox for good, marked sent: its payload (a routed
/// request is most of a kilobyte), its headers and an entry in the `event_id` index, for each of
/// the three or more events a request causes. That was most of the ledger's bytes per request,
/// and the `event_id` index, keyed by random ids, grew with every event ever published, so each
/// new event dirtied a page of its own once the index outgrew the cache.
///
/// From now on the outbox is a queue and a crash log: rows wait there until the broker
/// acknowledges them and are then deleted (`Ledger.record`). What stays:
/// - **dead letters**, which are the record of refused input (`dead-letters`, `purge`'s
///   retention, `ledger.max_dead_letter_bytes`): they are marked sent as before;
/// - **parked** events (refused for good by the broker), until they are sent.
///
/// Consequences, on purpose:
/// - the `event_id` uniqueness check sees the events still queued, not those already published. Ids
///   are derived from what caused the event, so a decision taken again emits the same id and
///   bytes; consumers de-duplicate by id (the at-least-once contract), as they already must;
/// - where a sent event landed (partition, offset) is no longer kept; Kafka has it.
///
/// This migration deletes the sent rows of an older ledger. SQLite reuses the freed pages for new
/// rows; `VACUUM` (while the daemon is stopped) gives the space back to the file system.
enum SentEventsLeaveSchema {
    static let migration = Migration(
        version: 13, name: "sent events leave the outbox (dead letters stay)",
        sql: """
            DELETE FROM outbox WHERE sent_at IS NOT NULL AND event_type <> 'dead_letter';
            """)
}
