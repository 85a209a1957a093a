import Relay

extension LedgerReader {
    /// All unresolved escalations, oldest raised first (ties by id), at most `limit`; 0 or less
    /// gives none. Read through a partial index of open escalations, so the cost follows the
    /// number of open escalations, not the history.
    public func openEscalations(limit: Int) throws -> [EscalationRecord] {
        guard limit > 0 else { return [] }
        return try read { db in
            try db.query(openEscalationsSQL, [limit], map: EscalationRows.record)
        }
    }
}

/// All open escalations, oldest first; one argument, the limit.
let openEscalationsSQL = "SELECT * FROM escalations WHERE resolved_at IS NULL ORDER BY raised_at, escalation_id LIMIT ?"
