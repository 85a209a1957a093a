import Contracts
import Foundation
import Relay

/// Row mapping for `pending_judgements` (see `PendingJudgementSchema`).
enum PendingJudgementRows {
    static func upsert(_ pending: PendingJudgement, db: borrowing Database, now: Int64) throws {
        let judgement = pending.judgement
        let authorization = judgement.authorization
        try db.execute(
            """
            INSERT OR REPLACE INTO pending_judgements (request_id, verification, reason, issuer_id, key_id, signature, order_bytes, kept_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                Stored.text(pending.requestID), judgement.verification.rawValue, judgement.reason?.rawValue,
                authorization?.issuerID,
                authorization?.keyID, authorization?.signature, authorization.map { Data($0.order) }, now,
            ])
    }

    static func delete(_ requestID: UUID, db: borrowing Database) throws {
        try db.execute("DELETE FROM pending_judgements WHERE request_id = ?", [Stored.text(requestID)])
    }

    static func judgement(_ row: Row) throws -> PoliceJudgement {
        let verification = try Stored.enumeration(
            OrderVerification.self, try row["verification"], column: "pending_judgements.verification")
        let reason: String? = try row["reason"]
        let issuerID: String? = try row["issuer_id"]
        let keyID: String? = try row["key_id"]
        let signature: String? = try row["signature"]
        let order: Data? = try row["order_bytes"]
        var authorization: OrderAuthorization?
        if let issuerID, let keyID, let signature, let order {
            authorization = OrderAuthorization(
                issuerID: issuerID, keyID: keyID, signature: signature, order: [UInt8](order))
        }
        guard
            let judgement = PoliceJudgement(
                verification: verification, reasonCode: reason, authorization: authorization)
        else {
            throw LedgerError.corruptValue(
                column: "pending_judgements.reason",
                value:
                    "\(verification.rawValue) with reason \(reason ?? "none") and \(authorization == nil ? "no " : "an ")authorization"
            )
        }
        return judgement
    }
}
