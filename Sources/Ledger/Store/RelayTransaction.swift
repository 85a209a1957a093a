import Contracts
import Foundation
import Relay

extension Ledger {
    /// Runs `body` in one write transaction: everything it reads sees what it already wrote,
    /// and either all of it is committed or none of it. The runtime decides and applies a whole
    /// poll batch inside one call, then commits Kafka offsets only after this returns.
    public func write<Value>(_ body: (borrowing RelayTransaction) throws -> Value) throws -> Value {
        try transaction { db in
            // Bound to a local first: passing the temporary straight in crashes the 6.3 optimizer
            // (generic specialization of a borrowed ~Copyable argument).
            let transaction = RelayTransaction(
                db: Database(connection: db.connection, memory: db.memory), queued: QueuedOutbox(),
                schemaVersion: schemaVersion)
            return try body(transaction)
        }
    }
}

/// Typed reads and writes of the relay's state inside one write transaction. Cannot outlive
/// the transaction (it is `~Copyable` and only ever lent to the closure).
public struct RelayTransaction: ~Copyable {
    let db: Database
    /// The outbox rows this transaction inserted, so the caller can hand them to the publisher
    /// from memory once the transaction committed instead of reading them back.
    let queued: QueuedOutbox
    /// The ledger's schema version: how timers are keyed (``TimerKey``).
    let schemaVersion: Int

    /// The events this transaction queued so far, in outbox order, with their sequence numbers.
    /// Only meaningful once the transaction committed: return it from the `write` closure.
    public var queuedEvents: [PendingMessage] { queued.items }

    // MARK: Reads

    /// The request with this id, if the relay has it.
    public func request(_ id: UUID) throws -> RequestRecord? {
        let rows = try db.query(
            "SELECT \(RequestRows.stateColumns) FROM requests WHERE request_id = ?", [Stored.text(id)])
        guard !rows.isEmpty else {
            db.requests?.noteAbsent(id)
            return nil
        }
        return try RequestRows.records(rows, db: db).first
    }

    /// Unresolved escalations of a request.
    public func openEscalations(of requestID: UUID) throws -> [EscalationRecord] {
        try db.query(
            "SELECT * FROM escalations WHERE request_id = ? AND resolved_at IS NULL ORDER BY raised_at",
            [Stored.text(requestID)], map: EscalationRows.record)
    }

    /// The open escalation of a group of security refusals (``SecurityEscalationGroup/key``), with
    /// the refusals counted on it; nil when the group has none open (never raised, or closed).
    public func openEscalation(securityGroup group: String) throws -> OpenSecurityEscalation? {
        try db.query(
            "SELECT * FROM escalations WHERE security_group = ? AND resolved_at IS NULL ORDER BY raised_at, escalation_id LIMIT 1",
            [group]
        ) { row in
            OpenSecurityEscalation(record: try EscalationRows.record(row), refusals: try row["refusals"] as Int? ?? 1)
        }.first
    }

    /// Everything known about a case: its requests and its money-flow edges. The requests come
    /// from the writer's cache of decoded requests where it has them.
    public func caseContext(_ caseID: String) throws -> CaseContext {
        let rows = try db.query(
            "SELECT \(RequestRows.stateColumns) FROM requests WHERE case_id = ? ORDER BY received_at, request_id",
            [caseID])
        return CaseContext(
            caseID: caseID,
            requests: try RequestRows.records(rows, db: db),
            edges: try db.query(
                "SELECT * FROM chain_edges WHERE case_id = ? ORDER BY recorded_at, from_request_id, transfer_reference",
                [caseID], map: EdgeRows.edge))
    }

    /// A bank answer already taken into account under this response id.
    public func response(bank: BankID, responseID: String) throws -> ResponseSeen? {
        try db.query("SELECT * FROM responses WHERE bank_id = ? AND response_id = ?", [bank.rawValue, responseID]) {
            row in
            ResponseSeen(
                bankID: bank, responseID: responseID,
                requestID: try Stored.uuid(try row["request_id"], column: "responses.request_id"),
                fingerprint: ContentFingerprint(stored: [UInt8](try row["fingerprint"] as Data)))
        }.first
    }

    /// Open timers due at or before `time`, earliest first.
    public func dueDeadlines(at time: Timestamp, limit: Int) throws -> [Deadline] {
        try db.query(
            "SELECT * FROM deadlines WHERE status = 'open' AND due_at <= ? ORDER BY due_at, request_id, deadline_id LIMIT ?",
            [Stored.millis(time), limit], map: DeadlineRows.deadline(schemaVersion: schemaVersion))
    }

    /// Requests kept as unroutable.
    public func unroutableRequests() throws -> [RequestRecord] {
        try RequestRows.records(
            try db.query(
                "SELECT \(RequestRows.stateColumns) FROM requests WHERE state = 'unroutable' ORDER BY received_at, request_id"
            ), db: db)
    }

    /// What the relay judged of the police order of a request waiting to be routed, kept since the
    /// order was read; nil when the ledger keeps none (the request is routed, or no police order
    /// stands behind it).
    public func pendingJudgement(of requestID: UUID) throws -> PoliceJudgement? {
        try db.query(
            "SELECT * FROM pending_judgements WHERE request_id = ?", [Stored.text(requestID)],
            map: PendingJudgementRows.judgement
        ).first
    }

    // MARK: Writes

    /// Writes a heartbeat row: proves the ledger accepts writes (readiness checks call this).
    public func recordHeartbeat(at time: Timestamp) throws {
        try db.execute(
            "INSERT INTO ledger_meta (key, value) VALUES ('heartbeat', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [Stored.millis(time)])
    }

    /// Marks a timer as spent, whatever the decision was.
    public func markFired(_ deadline: Deadline, at time: Timestamp) throws {
        try db.execute(
            "UPDATE deadlines SET status = 'fired', settled_at = ? WHERE request_id = ? AND deadline_id = ? AND status = 'open'",
            [
                Stored.millis(time), Stored.text(deadline.requestID),
                TimerKey.stored(deadline, schemaVersion: schemaVersion),
            ])
    }

    /// Applies a decision's state changes and queues its encoded events, all in this transaction.
    /// Throws ``OutboxConflict`` when an event's id is already queued for a different event, with
    /// nothing of the decision left written, so the caller can record something else in its place
    /// in the same transaction; the same event queued again is ignored.
    public func apply(_ effects: Effects, outbox: [OutboxMessage], at time: Timestamp) throws {
        let now = Stored.millis(time)
        // The events first: they are the only writes that can be refused (an id queued for another
        // event), and refusing them before anything else keeps the decision all or nothing.
        let queuedNow = try queue(outbox, at: time, now: now)
        for record in effects.requests {
            try RequestRows.upsert(record, db: db, now: now, schemaVersion: schemaVersion)
        }
        for cancellation in effects.cancelDeadlines {
            for kind in cancellation.kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
                try db.execute(
                    "UPDATE deadlines SET status = 'cancelled', settled_at = ? WHERE request_id = ? AND kind = ? AND status = 'open'",
                    [now, Stored.text(cancellation.requestID), kind.rawValue])
            }
        }
        // Scheduling an id that is open or fired changes nothing (a timer fires once). Scheduling
        // one that was cancelled opens it again: the same decision may stop a request's timers of
        // a kind and start one whose id is the same (a hold moved within the same second), and the
        // timer it asks for must not stay cancelled. (No conflict target: the key is (request_id,
        // deadline_id) from schema 8 on, deadline_id alone before, and tests write older ledgers;
        // from schema 14 deadline_id is the id without its request id, see TimerKey.)
        for deadline in effects.schedule {
            try db.execute(
                """
                INSERT INTO deadlines (deadline_id, request_id, kind, level, deadline_at, due_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET status = 'open', settled_at = NULL,
                    deadline_at = excluded.deadline_at, due_at = excluded.due_at
                WHERE status = 'cancelled'
                """,
                [
                    TimerKey.stored(deadline, schemaVersion: schemaVersion), Stored.text(deadline.requestID),
                    deadline.kind.rawValue, deadline.level,
                    Stored.millis(deadline.deadline), Stored.millis(deadline.dueAt),
                ])
        }
        for escalation in effects.escalations { try EscalationRows.upsert(escalation, db: db) }
        for closure in effects.resolved {
            try db.execute(
                "UPDATE escalations SET resolved_at = ?, resolution = ? WHERE escalation_id = ? AND resolved_at IS NULL",
                [Stored.millis(closure.resolvedAt), closure.resolution.rawValue, Stored.text(closure.escalationID)])
        }
        // After the upserts: the refusal that opens a group's escalation is counted on its new row.
        for tally in effects.tallies {
            try db.execute(
                "UPDATE escalations SET security_group = ?, refusals = ? WHERE escalation_id = ?",
                [tally.group, tally.refusals, Stored.text(tally.escalationID)])
        }
        for response in effects.responses {
            try db.execute(
                "INSERT INTO responses (bank_id, response_id, request_id, fingerprint, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    response.bankID.rawValue, response.responseID, Stored.text(response.requestID),
                    Data(response.fingerprint.digest), now,
                ])
        }
        for edge in effects.edges { try EdgeRows.insert(edge, db: db) }
        for requestID in effects.settledJudgements { try PendingJudgementRows.delete(requestID, db: db) }
        for pending in effects.pendingJudgements { try PendingJudgementRows.upsert(pending, db: db, now: now) }
        for quotaCharge in effects.quotaCharges { try charge(quotaCharge) }
        for entry in effects.audit { try AuditRows.insert(entry, db: db) }
        queued.items.append(contentsOf: queuedNow)
    }

    /// Inserts `outbox`'s events, returning those newly queued. An id already queued inserts
    /// nothing when it is the same event (it is published from the outbox as it was, not queued
    /// twice); when it is a different event, the events this call inserted are taken out again
    /// and ``OutboxConflict`` is thrown, so nothing of the decision stays written. The queued row
    /// is read only on such a collision, not for every event.
    private func queue(_ outbox: [OutboxMessage], at time: Timestamp, now: Int64) throws -> [PendingMessage] {
        var inserted: [PendingMessage] = []
        for message in outbox {
            try db.execute(
                """
                INSERT INTO outbox (event_id, event_type, topic, message_key, payload, headers, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
                """,
                [
                    Stored.text(message.eventID), message.eventType, message.topic, message.key.map { Data($0) },
                    Data(message.payload), HeaderBlob.encode(message.headers), now,
                ])
            if db.changes == 1 {
                inserted.append(
                    PendingMessage(sequence: db.lastInsertRowID, message: message, createdAt: time.date, attempts: 0))
                continue
            }
            let earlier = try db.query("SELECT * FROM outbox WHERE event_id = ?", [Stored.text(message.eventID)]) {
                try OutboxRows.pending($0).message
            }.first
            if let earlier, let conflict = OutboxConflict(queued: earlier, refused: message) {
                for undo in inserted { try db.execute("DELETE FROM outbox WHERE seq = ?", [undo.sequence]) }
                throw conflict
            }
        }
        return inserted
    }
}

/// What a transaction queued in the outbox (see `RelayTransaction.queuedEvents`). A class so that
/// the borrowed transaction can add to it; it never leaves the transaction's thread before commit.
final class QueuedOutbox {
    var items: [PendingMessage] = []
}
