import Contracts
import Foundation
import Relay

/// Reads and writes of intake quotas (schema `QuotaSchema`).
extension RelayTransaction {
    /// What counts against a new police request for `iban` from `issuer` at `time`: the issuer's
    /// admitted requests in the current minute and day, and the account's open and recent
    /// requests (held and refused ones excepted: they are what the limits produced).
    public func quotaUsage(issuer: QuotaIssuer, iban: IBAN, at time: Timestamp, repeatWindow: Duration) throws
        -> QuotaUsage
    {
        func admitted(_ window: QuotaWindow) throws -> Int {
            try db.scalar(
                "SELECT admitted FROM issuer_intake WHERE issuer = ? AND window = ? AND window_index = ?",
                [issuer.key, window.rawValue, window.index(of: time)], as: Int.self) ?? 0
        }
        let account = iban.electronicFormat
        let open = try db.scalar(QuotaRows.accountOpenSQL, [account], as: Int.self) ?? 0
        let since = Stored.millis(time) - Int64(repeatWindow.components.seconds) * 1000
        let recent = try db.scalar(QuotaRows.accountRecentSQL, [account, since], as: Int.self) ?? 0
        return QuotaUsage(
            issuer: issuer, issuerThisMinute: try admitted(.minute), issuerToday: try admitted(.day),
            accountOpen: open, accountRecent: recent)
    }

    /// Requests kept as held, oldest first.
    public func heldRequests() throws -> [RequestRecord] {
        try RequestRows.records(
            try db.query(
                "SELECT \(RequestRows.stateColumns) FROM requests WHERE state = 'held' ORDER BY received_at, request_id"
            ), db: db)
    }

    /// Counts an admitted request in its issuer's current minute and day. Opening a new window
    /// drops that issuer's windows of the same kind older than `QuotaRows.kept` of them.
    func charge(_ charge: QuotaCharge) throws {
        for window in QuotaWindow.allCases {
            let index = window.index(of: charge.at)
            let admitted = try db.scalar(
                """
                INSERT INTO issuer_intake (issuer, window, window_index, admitted) VALUES (?, ?, ?, 1)
                ON CONFLICT DO UPDATE SET admitted = admitted + 1 RETURNING admitted
                """, [charge.issuerKey, window.rawValue, index], as: Int.self)
            if admitted == 1 {
                try db.execute(
                    "DELETE FROM issuer_intake WHERE issuer = ? AND window = ? AND window_index < ?",
                    [charge.issuerKey, window.rawValue, index - QuotaRows.kept(window)])
            }
        }
    }
}

enum QuotaRows {
    /// Not final and not held: the states an account's open requests are counted in.
    static let countedOpenStates = RequestState.allCases.filter { !$0.isFinal && $0 != .held }.map {
        "'\($0.rawValue)'"
    }.joined(separator: ", ")
    /// An account's open requests (through `requests_by_iban`).
    static let accountOpenSQL = "SELECT count(*) FROM requests WHERE iban = ? AND state IN (\(countedOpenStates))"
    /// An account's requests received after a time, held and refused ones excepted (through `requests_by_iban`).
    static let accountRecentSQL =
        "SELECT count(*) FROM requests WHERE iban = ? AND received_at > ? AND state NOT IN ('held', 'refused')"

    /// Windows kept per issuer and kind (two days of minutes, a week of days), for operators
    /// who look at recent intake; only the current one is ever counted against.
    static func kept(_ window: QuotaWindow) -> Int64 { window == .minute ? 2 * 1440 : 7 }
}

extension LedgerReader {
    /// Requests kept as held, oldest first, at most `limit` (through `requests_by_state`).
    public func heldRequests(limit: Int = 1000) throws -> [RequestRecord] {
        try read { db in
            try RequestRows.records(
                try db.query(
                    "SELECT \(RequestRows.stateColumns) FROM requests WHERE state = 'held' ORDER BY received_at, request_id LIMIT ?",
                    [limit]), db: db)
        }
    }
}
