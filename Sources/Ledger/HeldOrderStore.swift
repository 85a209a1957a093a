import Contracts
import Foundation
import Relay

/// An operator's order about held requests as the ledger keeps it until the daemon carries it out.
public struct StoredHeldOrder: Sendable {
    public var sequence: Int64
    /// The order, or why the stored row is not one (then the daemon records that as its outcome).
    public var order: Result<HeldRequestOrder, LedgerError>
}

/// What became of an order the daemon carried out.
public struct HeldOrderResult: Sendable, Hashable {
    public var doneAt: Timestamp
    public var outcomes: [HeldRequestOutcome]
    /// Why the order was not carried out; nil when it was.
    public var error: String?
}

extension Ledger {
    /// Leaves an order for the daemon that holds the ledger (an operator command cannot take the
    /// writer lock while it runs). Opens its own short-lived connection and touches nothing but
    /// `held_orders`, which only the daemon reads. Returns the order's number.
    public static func submitHeldOrder(_ order: HeldRequestOrder, at path: String,
                                       configuration: LedgerConfiguration = LedgerConfiguration()) throws -> Int64 {
        let (ids, agency): (String?, String?) = switch order.selection {
        case .requests(let ids): (ids.map(CanonicalUUID.string).joined(separator: " "), nil)
        case .allHeld(let agency): (nil, agency)
        }
        return try insertOperatorRow(at: path, configuration: configuration) { db in
            try db.execute("""
                INSERT INTO held_orders (order_id, action, request_ids, agency, operator, reason, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [Stored.text(order.orderID), order.action.rawValue, ids, agency, order.decision.operatorID, order.decision.reason,
                      Stored.millis(order.requestedAt)])
        }
    }

    /// Orders the daemon has not carried out yet, oldest first (through `held_orders_pending`).
    public func pendingHeldOrders() throws -> [StoredHeldOrder] {
        try read { db in try db.query("SELECT * FROM held_orders WHERE done_at IS NULL ORDER BY seq", map: HeldOrderRows.stored) }
    }
}

extension RelayTransaction {
    /// Records what an order did, in the transaction that did it: carried out exactly once.
    public func finishHeldOrder(_ sequence: Int64, outcomes: [HeldRequestOutcome], error: String?, at time: Timestamp) throws {
        let text: String
        if let error { text = "error: \(error)" } else { text = String(decoding: try HeldOrderRows.encoder.encode(outcomes), as: UTF8.self) }
        try db.execute("UPDATE held_orders SET done_at = ?, outcome = ? WHERE seq = ? AND done_at IS NULL", [Stored.millis(time), text, sequence])
    }
}

extension LedgerReader {
    /// What became of an order: nil while it waits.
    public func heldOrderResult(_ sequence: Int64) throws -> HeldOrderResult? {
        try read { db in
            guard let row = try db.queryFirst("SELECT done_at, outcome FROM held_orders WHERE seq = ?", [sequence]),
                  let done: Int64 = try row["done_at"] else { return nil }
            let text: String = try row["outcome"] ?? ""
            if text.hasPrefix("error: ") { return HeldOrderResult(doneAt: Stored.timestamp(done), outcomes: [], error: String(text.dropFirst(7))) }
            let outcomes = (try? HeldOrderRows.decoder.decode([HeldRequestOutcome].self, from: Data(text.utf8)))
            return HeldOrderResult(doneAt: Stored.timestamp(done), outcomes: outcomes ?? [],
                                   error: outcomes == nil ? "the recorded outcome cannot be read" : nil)
        }
    }
}

enum HeldOrderRows {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder = JSONDecoder()

    static func stored(_ row: Row) throws -> StoredHeldOrder {
        let sequence: Int64 = try row["seq"]
        do {
            let action = try HeldRequestOrder.Action(rawValue: row["action"] as String)
            guard let action else { throw LedgerError.corruptValue(column: "held_orders.action", value: "not release or refuse") }
            let selection: HeldRequestOrder.Selection
            if let ids: String = try row["request_ids"] {
                selection = .requests(try ids.split(separator: " ").map { text throws(LedgerError) in
                    try Stored.uuid(String(text), column: "held_orders.request_ids")
                })
            } else {
                selection = .allHeld(agency: try row["agency"])
            }
            let order = HeldRequestOrder(orderID: try Stored.uuid(try row["order_id"], column: "held_orders.order_id"), action: action, selection: selection,
                                         decision: OperatorDecision(operatorID: try row["operator"], reason: try row["reason"]),
                                         requestedAt: Stored.timestamp(try row["requested_at"]))
            return StoredHeldOrder(sequence: sequence, order: .success(order))
        } catch let error as LedgerError {
            return StoredHeldOrder(sequence: sequence, order: .failure(error))
        }
    }
}
