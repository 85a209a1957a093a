import Contracts
import Foundation

/// The dead letters in the ledger, as `dead_letter_stats` keeps them (exact, read in one row).
public struct DeadLetterStats: Sendable, Hashable {
    /// Dead letters in the outbox, sent or not.
    public var stored: Int
    /// Their payloads' total size in bytes.
    public var payloadBytes: Int64
    /// How many of them hold only their minimal form (content dropped to bound the ledger).
    public var contentDropped: Int

    public init(stored: Int, payloadBytes: Int64, contentDropped: Int) {
        self.stored = stored
        self.payloadBytes = payloadBytes
        self.contentDropped = contentDropped
    }
}

/// What `dropDeadLetterContent(toFit:at:minimalForm:)` did.
public struct DeadLetterTrim: Sendable, Hashable {
    /// Dead letters whose payload was replaced by its minimal form.
    public var dropped: Int
    /// Dead letters whose payload the minimal-form builder could not read; left as they are.
    public var unreadable: Int
    /// The dead letters' payload bytes before and after.
    public var bytesBefore: Int64
    public var bytesAfter: Int64
}

/// A dead letter's minimal form: the outbox payload and Kafka key that replace the full ones.
public struct MinimalDeadLetter: Sendable, Hashable {
    public var payload: [UInt8]
    public var key: [UInt8]?

    public init(payload: [UInt8], key: [UInt8]?) {
        self.payload = payload
        self.key = key
    }
}

/// SQL shared by the writer's purge and the dry run's read.
enum DeadLetterRows {
    static let typeName = EventType.deadLetter.rawValue

    /// The oldest dead letters still holding their content after a sequence number, a few at a
    /// time (each may be most of a megabyte), published ones or not yet published ones; through
    /// `outbox_dead_letters_with_content`.
    static func withContentSQL(sent: Bool) -> String {
        """
        SELECT seq, payload FROM outbox
        WHERE event_type = ? AND content_dropped_at IS NULL AND seq > ? AND sent_at IS \(sent ? "NOT NULL" : "NULL") ORDER BY seq LIMIT 16
        """
    }

    /// Sent dead letters created before a time; through `outbox_sent_dead_letters_by_created`.
    static let sentBeforeCondition = "event_type = ? AND sent_at IS NOT NULL AND created_at < ?"

    /// The sent dead letters created before `cutoff`, counted per `reason.code`. Every payload
    /// the relay writes is JSON; one that is not would count under `"unreadable"` rather than
    /// fail the purge.
    static func sentCountsByReason(before cutoff: Timestamp, db: borrowing Database) throws -> [String: Int] {
        let rows = try db.query(
            """
            SELECT CASE WHEN json_valid(CAST(payload AS TEXT))
                        THEN json_extract(CAST(payload AS TEXT), '$.reason.code') END AS code,
                   count(*) AS n
            FROM outbox WHERE \(sentBeforeCondition)
            GROUP BY 1
            """, [typeName, Stored.millis(cutoff)]
        ) { row in ((try row["code"] as String?) ?? "unreadable", try row["n"] as Int) }
        return Dictionary(rows, uniquingKeysWith: +)
    }

    /// Deletes what `sentCountsByReason` counts; returns how many rows went.
    static func deleteSent(before cutoff: Timestamp, db: borrowing Database) throws -> Int {
        try db.execute(
            "DELETE FROM outbox WHERE \(sentBeforeCondition)",
            [typeName, Stored.millis(cutoff)])
        return db.changes
    }

    static func stats(db: borrowing Database) throws -> DeadLetterStats {
        let row = try db.queryFirst("SELECT stored, payload_bytes, content_dropped FROM dead_letter_stats WHERE id = 1")
        return DeadLetterStats(
            stored: try row?["stored"] ?? 0, payloadBytes: try row?["payload_bytes"] ?? 0,
            contentDropped: try row?["content_dropped"] ?? 0)
    }
}

extension LedgerReader {
    /// The dead letters' count and payload bytes, read from one row.
    public func deadLetterStats() throws -> DeadLetterStats {
        try read { db in try DeadLetterRows.stats(db: db) }
    }

    /// What `purge` would remove of the dead letters: the sent ones created before `cutoff`,
    /// counted per reason code.
    public func sentDeadLetters(createdBefore cutoff: Timestamp) throws -> [String: Int] {
        try read { db in try DeadLetterRows.sentCountsByReason(before: cutoff, db: db) }
    }
}

extension Ledger {
    /// Keeps the dead letters' payloads within `budget` bytes: while they total more, the oldest
    /// dead letter still holding its content gets the payload `minimalForm` makes of its payload,
    /// and `content_dropped_at = time`. Published ones go first (the broker has their content; the
    /// minimal form also replaces their Kafka key); only when that is not enough, not yet
    /// published ones (in a broker outage under a flood), which keep their Kafka key and are then
    /// published in the minimal form — the only case where an event id can reach the broker with
    /// two different payloads (when an earlier delivery landed unrecorded). Rows, ids and counts
    /// stay. One transaction.
    ///
    /// The minimal forms themselves still count, so a budget smaller than they add up to is
    /// met only as far as dropping content can: then every dead letter is minimal, and purging
    /// old ones (retention) is what shrinks the ledger further.
    ///
    /// Cost: one row read when within budget; otherwise the dropped rows only, oldest first
    /// through a partial index.
    public func dropDeadLetterContent(
        toFit budget: Int64, at time: Timestamp,
        minimalForm: ([UInt8]) -> MinimalDeadLetter?
    ) throws -> DeadLetterTrim {
        try transaction { db in
            let before = try DeadLetterRows.stats(db: db).payloadBytes
            var trim = DeadLetterTrim(dropped: 0, unreadable: 0, bytesBefore: before, bytesAfter: before)
            for sent in [true, false] {
                var after = Int64(0)
                while trim.bytesAfter > budget {
                    let rows = try db.query(
                        DeadLetterRows.withContentSQL(sent: sent), [DeadLetterRows.typeName, after]
                    ) { row in
                        (try row["seq"] as Int64, [UInt8](try row["payload"] as Data))
                    }
                    guard !rows.isEmpty else { break }
                    for (sequence, payload) in rows where trim.bytesAfter > budget {
                        after = sequence
                        guard let minimal = minimalForm(payload) else {
                            trim.unreadable += 1
                            continue
                        }
                        if sent {
                            try db.execute(
                                "UPDATE outbox SET payload = ?, message_key = ?, content_dropped_at = ? WHERE seq = ?",
                                [Data(minimal.payload), minimal.key.map { Data($0) }, Stored.millis(time), sequence])
                        } else {
                            try db.execute(
                                "UPDATE outbox SET payload = ?, content_dropped_at = ? WHERE seq = ?",
                                [Data(minimal.payload), Stored.millis(time), sequence])
                        }
                        trim.dropped += 1
                        trim.bytesAfter -= Int64(payload.count - minimal.payload.count)
                    }
                }
            }
            // The triggers kept the exact figure; it agrees with the arithmetic above.
            trim.bytesAfter = try DeadLetterRows.stats(db: db).payloadBytes
            return trim
        }
    }

    /// The dead letters' count and payload bytes, read from one row.
    public func deadLetterStats() throws -> DeadLetterStats {
        try reader.deadLetterStats()
    }
}
