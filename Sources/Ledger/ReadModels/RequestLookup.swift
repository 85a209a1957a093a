import Foundation

extension LedgerReader {
    /// The case a request belongs to, for searching by request id; nil when the ledger has no
    /// such request.
    public func caseID(ofRequest requestID: UUID) throws -> String? {
        try read { db in
            try db.queryFirst("SELECT case_id FROM requests WHERE request_id = ?", [Stored.text(requestID)]).map {
                try $0["case_id"] as String
            }
        }
    }
}
