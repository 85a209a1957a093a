import Contracts
import Foundation
import Relay

/// Everything the ledger holds about one case, for `freeze-relay case <id>`.
public struct CaseDetail: Sendable, Hashable {
    public var caseID: String
    /// The case's requests, by hop, then by when they were received.
    public var requests: [RequestRecord]
    /// The money flow: every onward transfer reported in the case and what came of it.
    public var edges: [ChainEdge]
    /// Escalations of the case, open and resolved, oldest first.
    public var escalations: [StoredEscalation]
    /// The case's audit trail, in order.
    public var audit: [AuditRecord]

    public init(
        caseID: String, requests: [RequestRecord], edges: [ChainEdge], escalations: [StoredEscalation],
        audit: [AuditRecord]
    ) {
        self.caseID = caseID
        self.requests = requests
        self.edges = edges
        self.escalations = escalations
        self.audit = audit
    }
}

extension LedgerReader {
    /// The case's requests, edges, escalations and audit trail, read from one snapshot; nil when
    /// no request, escalation or audit row names this case.
    public func caseDetail(_ caseID: String) throws -> CaseDetail? {
        try read { db in
            let requests = try db.query(
                "SELECT * FROM requests WHERE case_id = ? ORDER BY hop, received_at, request_id",
                [caseID], map: RequestRows.record)
            let edges = try db.query(
                "SELECT * FROM chain_edges WHERE case_id = ? ORDER BY recorded_at, from_request_id, transfer_reference",
                [caseID], map: EdgeRows.edge)
            let escalations = try db.query(
                "SELECT * FROM escalations WHERE case_id = ? ORDER BY raised_at, escalation_id",
                [caseID], map: EscalationRows.stored)
            let audit = try db.query(
                "SELECT * FROM audit WHERE case_id = ? ORDER BY seq", [caseID], map: AuditRows.record)
            if requests.isEmpty && escalations.isEmpty && audit.isEmpty { return nil }
            return CaseDetail(caseID: caseID, requests: requests, edges: edges, escalations: escalations, audit: audit)
        }
    }

    /// The audit trail of one request, in order (empty when the request has none).
    public func requestAudit(_ requestID: UUID) throws -> [AuditRecord] {
        try read { db in
            try db.query(
                "SELECT * FROM audit WHERE request_id = ? ORDER BY seq", [Stored.text(requestID)], map: AuditRows.record
            )
        }
    }
}
