import Contracts
import Foundation
import Relay

/// How far behind the publisher is.
public struct OutboxBacklog: Sendable, Hashable {
    public var unsent: Int
    /// When the oldest unsent event was queued.
    public var oldestCreatedAt: Timestamp?
}

extension Ledger {
    /// Unsent events in queue order, up to `limit`.
    public func pendingOutbox(limit: Int) throws -> [PendingMessage] {
        try read { db in
            try db.query("SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?", [limit]) { row in
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
        }
    }

    /// Records broker acknowledgements: each event is marked sent with where it was stored.
    public func markSent(_ deliveries: [(sequence: Int64, partition: Int32, offset: Int64)], at time: Timestamp) throws {
        guard !deliveries.isEmpty else { return }
        try transaction { db in
            for delivery in deliveries {
                try db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, partition = ?, offset = ?, last_error = NULL WHERE seq = ? AND sent_at IS NULL",
                               [Stored.millis(time), Int(delivery.partition), delivery.offset, delivery.sequence])
            }
        }
    }

    /// Records a failed publication attempt; the event stays queued and is retried.
    public func markAttemptFailed(_ sequence: Int64, error: String) throws {
        try transaction { db in
            // A late failure report for an event already acknowledged must not pin an error on it.
            try db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL", [String(error.prefix(500)), sequence])
        }
    }

    /// Unsent events and the age of the oldest.
    public func outboxBacklog() throws -> OutboxBacklog {
        try read { db in
            let row = try db.queryFirst("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL")
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
