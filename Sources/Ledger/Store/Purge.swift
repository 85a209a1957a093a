import Contracts
import Foundation
import Relay

/// What `purge(closedBefore:note:at:)` removed.
public struct PurgeResult: Sendable, Hashable {
    /// Purged cases, sorted.
    public var caseIDs: [String]
    public var requests: Int
    public var deadlines: Int
    public var escalations: Int
    public var responses: Int
    public var edges: Int
    public var auditRows: Int
    /// Sent events keyed by a purged case or request.
    public var outboxRows: Int
    /// Sent dead letters created before `deadLetterCutoff`, removed, per reason code.
    public var deadLetters: [String: Int]
    /// The dead letters' cutoff (now minus their retention), when dead letters were purged.
    public var deadLetterCutoff: Timestamp?
    /// The sequence number of the audit row recording the purge.
    public var auditSequence: Int64

    public var cases: Int { caseIDs.count }
    /// All dead letters removed.
    public var deadLetterCount: Int { deadLetters.values.reduce(0, +) }

    public init(
        caseIDs: [String], requests: Int, deadlines: Int, escalations: Int, responses: Int, edges: Int,
        auditRows: Int, outboxRows: Int, deadLetters: [String: Int] = [:], deadLetterCutoff: Timestamp? = nil,
        auditSequence: Int64
    ) {
        self.caseIDs = caseIDs
        self.requests = requests
        self.deadlines = deadlines
        self.escalations = escalations
        self.responses = responses
        self.edges = edges
        self.auditRows = auditRows
        self.outboxRows = outboxRows
        self.deadLetters = deadLetters
        self.deadLetterCutoff = deadLetterCutoff
        self.auditSequence = auditSequence
    }
}

extension Ledger {
    /// Deletes finished cases: those all of whose requests are closed (final), the last of them
    /// before `cutoff`. With each case go its requests, timers, escalations (open ones too),
    /// remembered bank answers, money-flow edges, audit rows, and the *sent* dead letters keyed
    /// by the case or one of its requests (every other event left the outbox when it was sent;
    /// unsent events are never deleted). With
    /// `deadLettersBefore`, the *sent* dead letters created before it go too (their retention;
    /// unsent ones never), counted per reason code. Then one audit row (no request, no case,
    /// cause `purge`) records the cutoffs, the counts and `note`. All in one transaction.
    /// Consumer positions are left alone.
    ///
    /// Cost: finding the cases reads the whole `requests` table (a maintenance command, run
    /// rarely); every delete goes through an index. Counting dead letters per reason reads the
    /// payloads of those purged.
    public func purge(
        closedBefore cutoff: Timestamp, deadLettersBefore deadLetterCutoff: Timestamp? = nil,
        note: String, at time: Timestamp
    ) throws -> PurgeResult {
        try transaction { db in
            // The writer's cached requests would outlive their rows; whether or not the purge
            // commits, forgetting them is always right (they are read again on demand).
            db.requests?.removeAll()
            let caseIDs = try db.query(
                """
                SELECT case_id FROM requests GROUP BY case_id
                HAVING count(closed_at) = count(*) AND max(closed_at) < ?
                ORDER BY case_id
                """, [Stored.millis(cutoff)]
            ) { row in try row["case_id"] as String }
            var result = PurgeResult(
                caseIDs: caseIDs, requests: 0, deadlines: 0, escalations: 0, responses: 0, edges: 0,
                auditRows: 0, outboxRows: 0, auditSequence: 0)
            // Dead letters first: those past their retention are counted as dead letters (as the
            // dry run counts them) even when a purged case's request id is their key.
            if let deadLetterCutoff {
                result.deadLetterCutoff = deadLetterCutoff
                result.deadLetters = try DeadLetterRows.sentCountsByReason(before: deadLetterCutoff, db: db)
                let deleted = try DeadLetterRows.deleteSent(before: deadLetterCutoff, db: db)
                guard deleted == result.deadLetterCount else {
                    throw LedgerError.misuse(
                        "purge counted \(result.deadLetterCount) dead letter(s) but deleted \(deleted)")
                }
            }
            for caseID in caseIDs { try PurgeCase.delete(caseID, db: db, into: &result) }
            var detail =
                "purged \(result.cases) case(s) with \(result.requests) request(s), all closed before \(cutoff.rfc3339)"
                + " (\(result.deadlines) timer(s), \(result.escalations) escalation(s), \(result.responses) answer(s),"
                + " \(result.edges) edge(s), \(result.auditRows) audit row(s), \(result.outboxRows) sent dead letter(s) keyed by them)"
            if let deadLetterCutoff {
                detail +=
                    "; \(result.deadLetterCount) sent dead letter(s) created before \(deadLetterCutoff.rfc3339)"
                    + PurgeResult.reasonList(result.deadLetters)
            }
            detail += "; note: \(note)"
            try AuditRows.insert(
                AuditEntry(
                    at: time, requestID: nil, caseID: nil, bankID: nil, cause: "purge",
                    oldState: nil, newState: nil, detail: detail), db: db)
            result.auditSequence = db.lastInsertRowID
            return result
        }
    }
}

extension PurgeResult {
    /// ` (invalid_json 3, too_large 1)`, by code; empty when there are none.
    public static func reasonList(_ counts: [String: Int]) -> String {
        counts.isEmpty
            ? ""
            : " (" + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
    }
}

enum PurgeCase {
    static func delete(_ caseID: String, db: borrowing Database, into result: inout PurgeResult) throws {
        let requestIDs = try db.query("SELECT request_id FROM requests WHERE case_id = ?", [caseID]) { row in
            try row["request_id"] as String
        }
        for requestID in requestIDs {
            try db.execute("DELETE FROM deadlines WHERE request_id = ?", [requestID])
            result.deadlines += db.changes
            try db.execute("DELETE FROM responses WHERE request_id = ?", [requestID])
            result.responses += db.changes
            try db.execute("DELETE FROM audit WHERE request_id = ?", [requestID])
            result.auditRows += db.changes
            try db.execute("DELETE FROM outbox WHERE message_key = ? AND sent_at IS NOT NULL", [Data(requestID.utf8)])
            result.outboxRows += db.changes
            // A closed request's judgement was deleted when it was routed or cancelled; should one
            // have stayed, it goes with its request (not counted: it is not a row a user sees).
            try db.execute("DELETE FROM pending_judgements WHERE request_id = ?", [requestID])
        }
        try db.execute("DELETE FROM escalations WHERE case_id = ?", [caseID])
        result.escalations += db.changes
        try db.execute("DELETE FROM chain_edges WHERE case_id = ?", [caseID])
        result.edges += db.changes
        try db.execute("DELETE FROM audit WHERE case_id = ?", [caseID])
        result.auditRows += db.changes
        try db.execute("DELETE FROM outbox WHERE message_key = ? AND sent_at IS NOT NULL", [Data(caseID.utf8)])
        result.outboxRows += db.changes
        try db.execute("DELETE FROM requests WHERE case_id = ?", [caseID])
        result.requests += db.changes
    }
}
