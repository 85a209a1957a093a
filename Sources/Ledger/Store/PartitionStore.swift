import Contracts
import Foundation
import Relay

/// Where intake stands on one consumed partition, as the ledger recorded it in the same
/// transactions as the state changes.
public struct PartitionPosition: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The next offset to apply; records below it were applied. `-2` after a re-base to the
    /// beginning, until the first record is applied.
    public var nextOffset: Int64
    /// A digest of the record at `nextOffset - 1` (the last applied), when known.
    public var lastDigest: [UInt8]?
    /// Incremented by each operator re-base; part of every id derived from a record.
    public var epoch: Int64

    public init(topic: String, partition: Int32, nextOffset: Int64, lastDigest: [UInt8]? = nil, epoch: Int64 = 0) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
        self.lastDigest = lastDigest
        self.epoch = epoch
    }
}

/// A partition intake stopped reading, and why. It stays halted until an operator re-bases it.
public struct PartitionHalt: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var haltedAt: Timestamp
    public var code: IntakeNotice.HaltCode
    /// Plain words for operators (ids and offsets only).
    public var detail: String
    /// The ledger's position when it halted.
    public var position: Int64?
    /// The offset that revealed the problem.
    public var offset: Int64?
    /// The broker's first retained offset and end offset, when they were asked.
    public var logStart: Int64?
    public var logEnd: Int64?

    public init(
        topic: String, partition: Int32, haltedAt: Timestamp, code: IntakeNotice.HaltCode, detail: String,
        position: Int64? = nil, offset: Int64? = nil, logStart: Int64? = nil, logEnd: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.haltedAt = haltedAt
        self.code = code
        self.detail = detail
        self.position = position
        self.offset = offset
        self.logStart = logStart
        self.logEnd = logEnd
    }
}

/// An operator's request to move a partition's position, waiting for the daemon.
public struct RebaseRequest: Sendable, Hashable {
    public var sequence: Int64
    public var topic: String
    public var partition: Int32
    /// An offset, or `-2` for the first retained record.
    public var target: Int64
    public var note: String
    public var requestedAt: Timestamp
    /// Who asked: user and host, for the audit trail.
    public var requestedBy: String
}

/// What a re-base changed.
public struct RebaseResult: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The position before, when the ledger had one.
    public var previousPosition: Int64?
    public var newPosition: Int64
    /// The id epoch from now on.
    public var epoch: Int64
    /// The halt the re-base lifted, if the partition was halted.
    public var liftedHalt: PartitionHalt?
    /// The audit row recording it.
    public var auditSequence: Int64
}

enum PartitionRows {
    static func position(_ row: Row) throws -> PartitionPosition {
        let digest: Data? = try row["last_digest"]
        return PartitionPosition(
            topic: try row["topic"], partition: Int32(try row["partition"] as Int), nextOffset: try row["next_offset"],
            lastDigest: digest.map { [UInt8]($0) }, epoch: try row["epoch"])
    }

    static func halt(_ row: Row) throws -> PartitionHalt {
        PartitionHalt(
            topic: try row["topic"], partition: Int32(try row["partition"] as Int),
            haltedAt: Stored.timestamp(try row["halted_at"] as Int64),
            code: try Stored.enumeration(IntakeNotice.HaltCode.self, try row["code"], column: "partition_halts.code"),
            detail: try row["detail"], position: try row["position"], offset: try row["offset"],
            logStart: try row["low"], logEnd: try row["high"])
    }

    static func request(_ row: Row) throws -> RebaseRequest {
        RebaseRequest(
            sequence: try row["seq"], topic: try row["topic"], partition: Int32(try row["partition"] as Int),
            target: try row["target"], note: try row["note"],
            requestedAt: Stored.timestamp(try row["requested_at"] as Int64),
            requestedBy: try row["requested_by"])
    }
}

extension Ledger {
    /// Every partition position the ledger holds.
    public func partitionPositions() throws -> [PartitionPosition] {
        try read { db in
            try db.query("SELECT * FROM consumer_positions ORDER BY topic, partition", map: PartitionRows.position)
        }
    }

    /// Partitions intake stopped reading.
    public func partitionHalts() throws -> [PartitionHalt] {
        try reader.partitionHalts()
    }

    /// Re-bases operators asked for that the daemon has not carried out yet, oldest first.
    public func pendingRebaseRequests() throws -> [RebaseRequest] {
        try read { db in
            try db.query("SELECT * FROM rebase_requests WHERE done_at IS NULL ORDER BY seq", map: PartitionRows.request)
        }
    }

    /// Leaves a re-base request for the daemon that holds the ledger (an operator command cannot
    /// take the writer lock while it runs). Opens its own short-lived connection: it touches
    /// nothing but `rebase_requests`, which only the daemon reads. Returns the request's number.
    public static func submitRebaseRequest(
        at path: String, topic: String, partition: Int32, target: Int64, note: String,
        requestedBy: String, at time: Timestamp,
        configuration: LedgerConfiguration = LedgerConfiguration()
    ) throws -> Int64 {
        try insertOperatorRow(at: path, configuration: configuration) { db in
            try db.execute(
                """
                INSERT INTO rebase_requests (topic, partition, target, note, requested_at, requested_by) VALUES (?, ?, ?, ?, ?, ?)
                """, [topic, Int(partition), target, note, Stored.millis(time), requestedBy])
        }
    }

    /// Inserts one row for the daemon through a short-lived connection of the command's own, in
    /// one transaction, and returns its rowid. Probes first, so that a missing ledger is not
    /// created and an old schema is not written. Only for tables the daemon alone reads.
    static func insertOperatorRow(
        at path: String, configuration: LedgerConfiguration,
        _ insert: (borrowing Database) throws -> Void
    ) throws -> Int64 {
        let probe = try LedgerReader.open(at: path, configuration: configuration)
        probe.close()
        let connection = try Connection.open(
            path: FileSystem.absolute(path), mode: .writer, busyTimeout: configuration.busyTimeout)
        defer { connection.close() }
        try connection.runScript("BEGIN IMMEDIATE")
        do {
            let db = Database(connection: connection)
            try insert(db)
            let sequence = db.lastInsertRowID
            try connection.runScript("COMMIT")
            return sequence
        } catch {
            connection.rollbackIfInTransaction()
            throw error
        }
    }
}

extension LedgerReader {
    /// Partitions intake stopped reading.
    public func partitionHalts() throws -> [PartitionHalt] {
        try read { db in
            try db.query("SELECT * FROM partition_halts ORDER BY topic, partition", map: PartitionRows.halt)
        }
    }

    /// Every partition position the ledger holds.
    public func partitionPositions() throws -> [PartitionPosition] {
        try read { db in
            try db.query("SELECT * FROM consumer_positions ORDER BY topic, partition", map: PartitionRows.position)
        }
    }

    /// What became of a re-base request: `nil` while it waits, else when and the outcome.
    public func rebaseRequestOutcome(_ sequence: Int64) throws -> (doneAt: Timestamp, outcome: String)? {
        try read { db in
            guard let row = try db.queryFirst("SELECT done_at, outcome FROM rebase_requests WHERE seq = ?", [sequence]),
                let done: Int64 = try row["done_at"]
            else { return nil }
            return (Stored.timestamp(done), try row["outcome"] ?? "")
        }
    }
}

extension RelayTransaction {
    /// The partition's recorded position and id epoch, if the ledger has one.
    public func partitionPosition(topic: String, partition: Int32) throws -> PartitionPosition? {
        try db.query(
            "SELECT * FROM consumer_positions WHERE topic = ? AND partition = ?", [topic, Int(partition)],
            map: PartitionRows.position
        ).first
    }

    /// Records that a partition has been applied up to (not including) `nextOffset`, and the
    /// digest of the record at `nextOffset - 1`. Positions never move backwards here; only a
    /// re-base moves them back.
    public func recordPosition(
        topic: String, partition: Int32, nextOffset: Int64, lastDigest: [UInt8]? = nil, at time: Timestamp
    ) throws {
        try db.execute(
            """
            INSERT INTO consumer_positions (topic, partition, next_offset, updated_at, last_digest) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET
                last_digest = CASE WHEN excluded.next_offset >= next_offset THEN excluded.last_digest ELSE last_digest END,
                next_offset = max(next_offset, excluded.next_offset), updated_at = excluded.updated_at
            """, [topic, Int(partition), nextOffset, Stored.millis(time), lastDigest.map { Data($0) }])
    }

    /// Records that intake stopped reading a partition. A partition already halted keeps its
    /// first reason (that is the one that explains what happened). Returns whether it is new.
    @discardableResult
    public func recordHalt(_ halt: PartitionHalt) throws -> Bool {
        try db.execute(
            """
            INSERT INTO partition_halts (topic, partition, halted_at, code, detail, position, offset, low, high)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic, partition) DO NOTHING
            """,
            [
                halt.topic, Int(halt.partition), Stored.millis(halt.haltedAt), halt.code.rawValue, halt.detail,
                halt.position, halt.offset, halt.logStart, halt.logEnd,
            ])
        return db.changes > 0
    }

    /// Moves a partition's position to `target` (an offset, or `-2` for the first retained
    /// record), starts a new id epoch, lifts any halt and writes the audit row — the explicit
    /// operator decision that replaces "skip" or "re-apply" when offsets went backwards.
    public func rebase(
        topic: String, partition: Int32, to target: Int64, note: String, by who: String, at time: Timestamp
    ) throws -> RebaseResult {
        let before = try partitionPosition(topic: topic, partition: partition)
        let halt = try db.query(
            "SELECT * FROM partition_halts WHERE topic = ? AND partition = ?", [topic, Int(partition)],
            map: PartitionRows.halt
        ).first
        let epoch = (before?.epoch ?? 0) + 1
        try db.execute(
            """
            INSERT INTO consumer_positions (topic, partition, next_offset, updated_at, last_digest, epoch) VALUES (?, ?, ?, ?, NULL, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at,
                last_digest = NULL, epoch = excluded.epoch
            """, [topic, Int(partition), target, Stored.millis(time), epoch])
        try db.execute("DELETE FROM partition_halts WHERE topic = ? AND partition = ?", [topic, Int(partition)])
        let from = before.map { "\($0.nextOffset)" } ?? "no recorded position"
        let to = target == IntakeNotice.fromBeginning ? "the first retained record" : "offset \(target)"
        let lifted = halt.map { " (lifting the halt \($0.code.rawValue) of \($0.haltedAt.rfc3339))" } ?? ""
        try AuditRows.insert(
            AuditEntry(
                at: time, requestID: nil, caseID: nil, bankID: nil, cause: "rebase",
                oldState: nil, newState: nil,
                detail: ContractText.fitted(
                    "\(topic)[\(partition)] re-based by \(who) from \(from) to \(to), id epoch \(epoch)\(lifted); note: \(note)"
                ),
                isSecurityEvent: true), db: db)
        return RebaseResult(
            topic: topic, partition: partition, previousPosition: before?.nextOffset, newPosition: target, epoch: epoch,
            liftedHalt: halt, auditSequence: db.lastInsertRowID)
    }

    /// Marks a re-base request as carried out (or refused), with what happened.
    public func finishRebaseRequest(_ sequence: Int64, outcome: String, at time: Timestamp) throws {
        try db.execute(
            "UPDATE rebase_requests SET done_at = ?, outcome = ? WHERE seq = ? AND done_at IS NULL",
            [Stored.millis(time), outcome, sequence])
    }
}
