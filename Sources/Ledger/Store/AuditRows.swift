import Contracts
import Foundation
import Relay

/// One row of the audit trail as stored: the entry and its position in the trail.
public struct AuditRecord: Sendable, Hashable {
    /// The row's place in the append-only trail; later rows have higher numbers.
    public var sequence: Int64
    public var entry: AuditEntry

    public init(sequence: Int64, entry: AuditEntry) {
        self.sequence = sequence
        self.entry = entry
    }
}

/// Row mapping for `audit`.
enum AuditRows {
    static func insert(_ entry: AuditEntry, db: borrowing Database) throws {
        try db.execute(
            """
            INSERT INTO audit (at, request_id, case_id, bank_id, cause, old_state, new_state, detail, security)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                Stored.millis(entry.at), entry.requestID.map(Stored.text), entry.caseID, entry.bankID?.rawValue,
                entry.cause,
                entry.oldState?.rawValue, entry.newState?.rawValue, entry.detail, entry.isSecurityEvent,
            ])
    }

    static func record(_ row: Row) throws -> AuditRecord {
        let request: String? = try row["request_id"]
        let bank: String? = try row["bank_id"]
        let old: String? = try row["old_state"]
        let new: String? = try row["new_state"]
        return AuditRecord(
            sequence: try row["seq"],
            entry: AuditEntry(
                at: Stored.timestamp(try row["at"] as Int64),
                requestID: try request.map { text throws(LedgerError) in
                    try Stored.uuid(text, column: "audit.request_id")
                },
                caseID: try row["case_id"],
                bankID: try bank.map { text throws(LedgerError) in try Stored.bank(text, column: "audit.bank_id") },
                cause: try row["cause"],
                oldState: try old.map { text throws(LedgerError) in
                    try Stored.enumeration(RequestState.self, text, column: "audit.old_state")
                },
                newState: try new.map { text throws(LedgerError) in
                    try Stored.enumeration(RequestState.self, text, column: "audit.new_state")
                },
                detail: try row["detail"],
                isSecurityEvent: try row["security"]))
    }
}
