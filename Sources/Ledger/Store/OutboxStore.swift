import Contracts
import Foundation
import Relay

/// How far behind the publisher is.
public struct OutboxBacklog: Sendable, Hashable {
    public var unsent: Int
    /// When the oldest unsent event was queued.
    public var oldestCreatedAt: Timestamp?
}

/// Acknowledged events leave the outbox in runs of consecutive sequence numbers.
enum OutboxRuns {
    /// Deletes the acknowledged events of a run, except dead letters (kept, marked sent).
    static let deleteSentSQL = "DELETE FROM outbox WHERE seq BETWEEN ? AND ? AND event_type <> 'dead_letter'"

    /// `sequences` as ascending runs of consecutive numbers: [1, 2, 3, 7, 9, 8] → 1...3, 7...9.
    static func of(_ sequences: some Sequence<Int64>) -> [ClosedRange<Int64>] {
        var runs: [ClosedRange<Int64>] = []
        for sequence in Set(sequences).sorted() {
            if let last = runs.last, last.upperBound &+ 1 == sequence {
                runs[runs.count - 1] = last.lowerBound...sequence
            } else {
                runs.append(sequence...sequence)
            }
        }
        return runs
    }
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
}

extension Ledger {
    /// Unsent events in queue order, up to `limit`.
    public func pendingOutbox(limit: Int) throws -> [PendingMessage] {
        try pendingOutbox(after: 0, limit: limit)
    }

    /// Unsent events queued after sequence number `sequence`, in queue order, up to `limit`.
    public func pendingOutbox(after sequence: Int64, limit: Int) throws -> [PendingMessage] {
        try read { db in
            try db.query(
                "SELECT * FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
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

    /// Records a whole publishing round in one transaction. An acknowledged event leaves the
    /// outbox (schema version 13); a dead letter stays, marked sent with where it went, because
    /// it is the record of refused input. The commit does not sync the WAL of its own: losing
    /// the last deliveries written down in a power cut only means those events are sent again,
    /// with the same ids and bytes (at least once); the next commit that syncs (intake's, a
    /// deadline's) makes them durable with it.
    public func record(_ outcome: PublishingOutcome, at time: Timestamp) throws {
        guard !outcome.sent.isEmpty || !outcome.failed.isEmpty || !outcome.parked.isEmpty else { return }
        try transaction(syncing: false) { db in
            let sent = Dictionary(
                outcome.sent.map { ($0.sequence, (partition: $0.partition, offset: $0.offset)) },
                uniquingKeysWith: { first, _ in first })
            for run in OutboxRuns.of(sent.keys) {
                // One range delete per run of consecutive acknowledgements (every row in it was
                // acknowledged in this round), through the rowid.
                try db.execute(OutboxRuns.deleteSentSQL, [run.lowerBound, run.upperBound])
                guard db.changes < run.count else { continue }
                // Some rows of the run stayed: dead letters (or rows already gone). Mark each sent.
                for sequence in run {
                    guard let place = sent[sequence] else { continue }
                    try db.execute(
                        "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, partition = ?, offset = ?, last_error = NULL WHERE seq = ? AND sent_at IS NULL",
                        [Stored.millis(time), Int(place.partition), place.offset, sequence])
                }
            }
            // A late failure report for an event already acknowledged must not pin an error on it.
            for failure in outcome.failed {
                try db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL",
                    [String(failure.error.prefix(500)), failure.sequence])
            }
            for parked in outcome.parked {
                try db.execute(
                    "UPDATE outbox SET parked_at = ?, attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL",
                    [Stored.millis(time), String(parked.error.prefix(500)), parked.sequence])
            }
        }
    }

    /// Records broker acknowledgements: each event is marked sent with where it was stored.
    public func markSent(_ deliveries: [(sequence: Int64, partition: Int32, offset: Int64)], at time: Timestamp) throws
    {
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
        try read { db in
            try db.scalar("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL", as: Int.self)
                ?? 0
        }
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
            let row = try db.queryFirst(
                "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL"
            )
            return OutboxBacklog(
                unsent: try row?["n"] ?? 0, oldestCreatedAt: Stored.timestamp(try row?["oldest"] as Int64?))
        }
    }

    /// When the earliest open timer is due, if any.
    public func nextDeadlineDue() throws -> Timestamp? {
        try read { db in
            Stored.timestamp(
                try db.scalar(
                    "SELECT due_at FROM deadlines WHERE status = 'open' ORDER BY due_at LIMIT 1", as: Int64.self))
        }
    }
}
