import Contracts
import Foundation
import Relay

/// An operator's order as the ledger keeps it until the daemon carries it out.
public struct StoredOperatorOrder: Sendable {
    public var sequence: Int64
    /// The order, or why the stored row is not one (then the daemon records that as its outcome).
    public var order: Result<OperatorOrder, LedgerError>
}

/// What became of an order the daemon carried out.
public struct OperatorOrderResult: Sendable, Hashable {
    public var doneAt: Timestamp
    public var outcomes: [OperatorOrderOutcome]
    /// Why the order was not carried out; nil when it was.
    public var error: String?
}

extension Ledger {
    /// Leaves an order (release, refuse, close escalations) for the daemon that holds the ledger (an operator command cannot take the
    /// writer lock while it runs). Opens its own short-lived connection and touches nothing but
    /// `operator_orders`, which only the daemon reads. Returns the order's number.
    public static func submitOperatorOrder(
        _ order: OperatorOrder, at path: String,
        configuration: LedgerConfiguration = LedgerConfiguration()
    ) throws -> Int64 {
        let (ids, agency): (String?, String?) =
            switch order.selection {
            case .ids(let ids): (ids.map(CanonicalUUID.string).joined(separator: " "), nil)
            case .allHeld(let agency): (nil, agency)
            }
        return try insertOperatorRow(at: path, configuration: configuration) { db in
            try db.execute(
                """
                INSERT INTO operator_orders (order_id, action, targets, agency, operator, reason, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    Stored.text(order.orderID), order.action.rawValue, ids, agency, order.decision.operatorID,
                    order.decision.reason,
                    Stored.millis(order.requestedAt),
                ])
        }
    }

    /// Orders the daemon has not carried out yet, oldest first (through `operator_orders_pending`).
    public func pendingOperatorOrders() throws -> [StoredOperatorOrder] {
        try read { db in
            try db.query(
                "SELECT * FROM operator_orders WHERE done_at IS NULL ORDER BY seq", map: OperatorOrderRows.stored)
        }
    }
}

extension RelayTransaction {
    /// Records what an order did, in the transaction that did it: carried out exactly once.
    public func finishOperatorOrder(
        _ sequence: Int64, outcomes: [OperatorOrderOutcome], error: String?, at time: Timestamp
    ) throws {
        let text: String
        if let error {
            text = "error: \(error)"
        } else {
            text = String(decoding: try OperatorOrderRows.encoder.encode(outcomes), as: UTF8.self)
        }
        try db.execute(
            "UPDATE operator_orders SET done_at = ?, outcome = ? WHERE seq = ? AND done_at IS NULL",
            [Stored.millis(time), text, sequence])
    }
}

extension LedgerReader {
    /// What became of an order: nil while it waits.
    public func operatorOrderResult(_ sequence: Int64) throws -> OperatorOrderResult? {
        try read { db in
            guard let row = try db.queryFirst("SELECT done_at, outcome FROM operator_orders WHERE seq = ?", [sequence]),
                let done: Int64 = try row["done_at"]
            else { return nil }
            let text: String = try row["outcome"] ?? ""
            if text.hasPrefix("error: ") {
                return OperatorOrderResult(
                    doneAt: Stored.timestamp(done), outcomes: [], error: String(text.dropFirst(7)))
            }
            let outcomes = (try? OperatorOrderRows.decoder.decode([OperatorOrderOutcome].self, from: Data(text.utf8)))
            return OperatorOrderResult(
                doneAt: Stored.timestamp(done), outcomes: outcomes ?? [],
                error: outcomes == nil ? "the recorded outcome cannot be read" : nil)
        }
    }
}

enum OperatorOrderRows {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder = JSONDecoder()

    static func stored(_ row: Row) throws -> StoredOperatorOrder {
        let sequence: Int64 = try row["seq"]
        do {
            let action = try OperatorOrder.Action(rawValue: row["action"] as String)
            guard let action else {
                throw LedgerError.corruptValue(column: "operator_orders.action", value: "not an order's action")
            }
            let selection: OperatorOrder.Selection
            if let ids: String = try row["targets"] {
                selection = .ids(
                    try ids.split(separator: " ").map { text throws(LedgerError) in
                        try Stored.uuid(String(text), column: "operator_orders.targets")
                    })
            } else {
                selection = .allHeld(agency: try row["agency"])
            }
            let order = OperatorOrder(
                orderID: try Stored.uuid(try row["order_id"], column: "operator_orders.order_id"), action: action,
                selection: selection,
                decision: OperatorDecision(operatorID: try row["operator"], reason: try row["reason"]),
                requestedAt: Stored.timestamp(try row["requested_at"]))
            return StoredOperatorOrder(sequence: sequence, order: .success(order))
        } catch let error as LedgerError {
            return StoredOperatorOrder(sequence: sequence, order: .failure(error))
        }
    }
}

extension RelayTransaction {
    /// The escalation with this id, open or resolved.
    public func escalation(_ id: UUID) throws -> StoredEscalation? {
        try db.query("SELECT * FROM escalations WHERE escalation_id = ?", [Stored.text(id)], map: EscalationRows.stored)
            .first
    }
}
