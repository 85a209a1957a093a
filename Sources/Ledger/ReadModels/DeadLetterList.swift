import Contracts
import Foundation

/// One dead letter as the outbox keeps it, for the web console's list.
public struct DeadLetterEntry: Sendable, Hashable {
    /// The outbox sequence number: newer dead letters have larger ones.
    public var sequence: Int64
    public var eventID: String
    public var createdAt: Timestamp
    /// When it was published to the dead-letter topic; nil while it waits in the outbox.
    public var sentAt: Timestamp?
    /// The `dead_letter` event as JSON (its minimal form when the content was dropped).
    public var payload: [UInt8]

    public init(sequence: Int64, eventID: String, createdAt: Timestamp, sentAt: Timestamp?, payload: [UInt8]) {
        self.sequence = sequence
        self.eventID = eventID
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.payload = payload
    }
}

extension LedgerReader {
    /// The newest dead letters first, at most `limit` (0 or less gives none). Dead letters stay
    /// in the outbox after publishing (they are the record of refused input) until purged, so
    /// the outbox is where they are listed from.
    public func deadLetters(limit: Int) throws -> [DeadLetterEntry] {
        guard limit > 0 else { return [] }
        return try read { db in
            try db.query(
                """
                SELECT seq, event_id, created_at, sent_at, payload FROM outbox
                WHERE event_type = ? ORDER BY seq DESC LIMIT ?
                """, [DeadLetterRows.typeName, limit]
            ) { row in
                DeadLetterEntry(
                    sequence: try row["seq"], eventID: try row["event_id"],
                    createdAt: Stored.timestamp(try row["created_at"] as Int64),
                    sentAt: Stored.timestamp(try row["sent_at"] as Int64?),
                    payload: [UInt8](try row["payload"] as Data))
            }
        }
    }
}
