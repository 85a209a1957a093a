import Contracts
import Foundation
import Relay

/// How far behind the publisher is.
public struct OutboxBacklog: Sendable, Hashable {
    public var unsent: Int
    /// When the oldest unsent event was queued.
    public var oldestCreatedAt: Timestamp?
}

/// Row mapping for `outbox`.
enum OutboxRows {
    static func pending(_ row: Row) throws -> PendingMessage {
        let key: Data? = try row["message_key"]
        return PendingMessage(
            sequence: try row["seq"],
            message: OutboxMessage(
                eventID: try Stored.uuid(try row["event_id"], column: "outbox.event_id"),
                eventType: try row["event_type"], topic: try row["topic"], key: key.map { [UInt8]($0) },
                payload: [UInt8](try row["payload"] as Data), headers: try HeaderBlob.decode(try row["headers"])),
            createdAt: Stored.timestamp(try row["created_at"] as Int64).date,
            attempts: try row["attempts"])
    }

    /// The conflict between the queued row and `refused` (whose encoded headers are
    /// `refusedHeaders`), or nil when they are the same event. A compacted row no longer has its
    /// payload and headers: their digests are compared instead.
    static func conflict(queued row: Row, refused: OutboxMessage, refusedHeaders: Data) throws -> OutboxConflict? {
        // Before schema 10 there is no such column, and nothing is compacted.
        let compactedAt: Int64? = row.columnNames.contains("compacted_at") ? try row["compacted_at"] : nil
        guard compactedAt != nil else { return OutboxConflict(queued: try pending(row).message, refused: refused) }
        let key: Data? = try row["message_key"]
        let digest = [UInt8]((try row["content_digest"] as Data?) ?? Data())
        let expected = OutboxDigest.of(payload: refused.payload, headers: refusedHeaders)
        var differences: [String] = []
        if try row["event_type"] as String != refused.eventType { differences.append("event type") }
        if try row["topic"] as String != refused.topic { differences.append("topic") }
        if key.map({ [UInt8]($0) }) != refused.key { differences.append("key") }
        if digest.count != expected.count || digest.prefix(20) != expected.prefix(20) { differences.append("payload") }
        if digest.count != expected.count || digest.suffix(20) != expected.suffix(20) { differences.append("headers") }
        return differences.isEmpty ? nil : OutboxConflict(eventID: refused.eventID, eventType: refused.eventType, differences: differences)
    }
}

/// What a compacted event keeps of its content (see `OutboxCompactionSchema`): SHA-1 of the
/// payload, then SHA-1 of the encoded headers. Not a security measure: it tells the relay's own
/// events apart, so that an id derived twice for different events is caught after compaction too.
enum OutboxDigest {
    static func of(payload: [UInt8], headers: Data) -> [UInt8] {
        SHA1.hash(payload) + SHA1.hash([UInt8](headers))
    }
}

extension Ledger {
    /// Unsent events in queue order, up to `limit`.
    public func pendingOutbox(limit: Int) throws -> [PendingMessage] {
        try pendingOutbox(after: 0, limit: limit)
    }

    /// Unsent events queued after sequence number `sequence`, in queue order, up to `limit`.
    public func pendingOutbox(after sequence: Int64, limit: Int) throws -> [PendingMessage] {
        try read { db in
            try db.query("SELECT * FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                         [sequence, limit], map: OutboxRows.pending)
        }
    }

    /// What one publishing round learnt about the events it handed to the producer.
    public struct PublishingOutcome: Sendable {
        /// Acknowledged by the broker: where each was stored.
        public var sent: [(sequence: Int64, partition: Int32, offset: Int64)] = []
        /// Not delivered this time; retried later.
        public var failed: [(sequence: Int64, error: String)] = []
        /// Refused for good (too large, invalid): set aside so later events can go out.
        public var parked: [(sequence: Int64, error: String)] = []

        public init() {}
    }

    /// Records a whole publishing round in one transaction. The commit does not sync the WAL of
    /// its own: losing the last deliveries written down in a power cut only means those events
    /// are sent again, with the same ids and bytes (at least once); the next commit that syncs
    /// (intake's, a deadline's) makes them durable with it. A sent event is compacted (see
    /// `OutboxCompactionSchema`) unless it is a dead letter or was queued before digests existed.
    public func record(_ outcome: PublishingOutcome, at time: Timestamp) throws {
        guard !outcome.sent.isEmpty || !outcome.failed.isEmpty || !outcome.parked.isEmpty else { return }
        let markSent = schemaVersion >= OutboxCompactionSchema.migration.version ? Self.markSentAndCompact : Self.markSentOnly
        try transaction(syncing: false) { db in
            for delivery in outcome.sent {
                try db.execute(markSent, [Stored.millis(time), Int(delivery.partition), delivery.offset, delivery.sequence])
            }
            // A late failure report for an event already acknowledged must not pin an error on it.
            for failure in outcome.failed {
                try db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL",
                               [String(failure.error.prefix(500)), failure.sequence])
            }
            for parked in outcome.parked {
                try db.execute("UPDATE outbox SET parked_at = ?, attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL",
                               [Stored.millis(time), String(parked.error.prefix(500)), parked.sequence])
            }
        }
    }

    /// Which sent events give up their content: not dead letters, and only those with a digest.
    static let compactable = "event_type <> 'dead_letter' AND content_digest IS NOT NULL"
    private static let markSentAndCompact = """
        UPDATE outbox SET sent_at = ?1, attempts = attempts + 1, partition = ?2, offset = ?3, last_error = NULL,
            payload = CASE WHEN \(compactable) THEN X'' ELSE payload END,
            headers = CASE WHEN \(compactable) THEN X'' ELSE headers END,
            compacted_at = CASE WHEN \(compactable) THEN ?1 END
        WHERE seq = ?4 AND sent_at IS NULL
        """
    /// For a ledger opened at a schema before 10 (see `RelayTransaction.digestsEvents`).
    private static let markSentOnly = """
        UPDATE outbox SET sent_at = ?1, attempts = attempts + 1, partition = ?2, offset = ?3, last_error = NULL WHERE seq = ?4 AND sent_at IS NULL
        """

    /// Records broker acknowledgements: each event is marked sent with where it was stored.
    public func markSent(_ deliveries: [(sequence: Int64, partition: Int32, offset: Int64)], at time: Timestamp) throws {
        var outcome = PublishingOutcome()
        outcome.sent = deliveries
        try record(outcome, at: time)
    }

    /// Records a failed publication attempt; the event stays queued and is retried.
    public func markAttemptFailed(_ sequence: Int64, error: String) throws {
        var outcome = PublishingOutcome()
        outcome.failed = [(sequence, error)]
        try record(outcome, at: Timestamp(secondsSinceEpoch: 0))  // the time is kept only for sent and parked events
    }

    /// Sets aside an event the broker refuses for good (too large, invalid), so the events queued
    /// after it can go out. It stays in the outbox, with the error, for operators.
    public func park(_ sequence: Int64, error: String, at time: Timestamp) throws {
        var outcome = PublishingOutcome()
        outcome.parked = [(sequence, error)]
        try record(outcome, at: time)
    }

    /// How many events are parked.
    public func parkedCount() throws -> Int {
        try read { db in try db.scalar("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL", as: Int.self) ?? 0 }
    }

    /// Offers every parked event to the publisher again (at start: a limit may have been raised).
    /// Returns how many were parked.
    @discardableResult
    public func unparkOutbox() throws -> Int {
        try transaction { db in
            try db.execute("UPDATE outbox SET parked_at = NULL WHERE parked_at IS NOT NULL AND sent_at IS NULL")
            return db.changes
        }
    }

    /// Unsent events and the age of the oldest.
    public func outboxBacklog() throws -> OutboxBacklog {
        try read { db in
            let row = try db.queryFirst("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL")
            return OutboxBacklog(unsent: try row?["n"] ?? 0, oldestCreatedAt: Stored.timestamp(try row?["oldest"] as Int64?))
        }
    }

    /// When the earliest open timer is due, if any.
    public func nextDeadlineDue() throws -> Timestamp? {
        try read { db in
            Stored.timestamp(try db.scalar("SELECT due_at FROM deadlines WHERE status = 'open' ORDER BY due_at LIMIT 1", as: Int64.self))
        }
    }
}
