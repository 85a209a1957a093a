import Contracts
import Foundation

@testable import Ledger

/// What the crash harness checks in the ledger, read through a read-only connection once the
/// daemon has stopped.
struct LedgerSnapshot: Sendable {
    /// `PRAGMA integrity_check` findings; empty when it said ok.
    var integrityProblems: [String] = []
    /// Every stored request: state and bank.
    var requests: [UUID: ExpectedRequest] = [:]
    /// Audit entries moving each request to `routed` (not those that only note something about a routed request).
    var routingAudits: [UUID: Int] = [:]
    /// `routed_request` events still in the outbox (an acknowledged event leaves it), by request
    /// id: event id and payload.
    var outboxRoutings: [UUID: [(eventID: UUID, payload: [UInt8])]] = [:]
    /// Outbox events never published.
    var unsent = 0
    /// `bank/response_id` of every answer recorded.
    var responses: Set<String> = []
    /// Chain edges recorded.
    var edges = 0

    /// An empty ledger (tests of the verdict fill it in).
    init() {}

    init(path: String) throws {
        let reader = try LedgerReader.open(at: path)
        defer { reader.close() }
        integrityProblems = try reader.integrityCheck().problems
        try reader.read { db in
            for row in try db.query("SELECT request_id, state, bank_id FROM requests") {
                let bank: String? = try row["bank_id"]
                requests[try Self.uuid(row["request_id"])] = ExpectedRequest(
                    bank: try bank.map { try BankID($0) }, state: try row["state"])
            }
            for row in try db.query(
                "SELECT request_id, count(*) AS n FROM audit WHERE new_state = 'routed' AND old_state IS NOT 'routed' GROUP BY request_id"
            ) {
                routingAudits[try Self.uuid(row["request_id"])] = try row["n"]
            }
            for row in try db.query(
                "SELECT event_id, message_key, payload FROM outbox WHERE event_type = 'routed_request'")
            {
                let key: [UInt8] = try row["message_key"]
                outboxRoutings[try Self.uuid(String(decoding: key, as: UTF8.self)), default: []]
                    .append((try Self.uuid(row["event_id"]), try row["payload"]))
            }
            unsent = try db.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") ?? 0
            for row in try db.query("SELECT bank_id, response_id FROM responses") {
                let bank: String = try row["bank_id"]
                let response: String = try row["response_id"]
                responses.insert("\(bank)/\(response)")
            }
            edges = try db.scalar("SELECT count(*) FROM chain_edges") ?? 0
        }
    }

    private static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw HarnessError(description: "the ledger holds \(text) where a UUID belongs")
        }
        return id
    }
}
