import Contracts
import Foundation
import Relay

/// Which cases `cases(filter:)` lists (`freeze-relay cases [--overdue] [--bank B] [--state S] [--since T]`).
/// Conditions combine with AND; each is about the case as a whole.
public struct CaseFilter: Sendable, Hashable {
    /// Only cases with an overdue request (see `CaseSummary.isOverdue`).
    public var overdueOnly: Bool
    /// Only cases with at least one request routed to this bank.
    public var bank: BankID?
    /// Only cases with at least one request in this state.
    public var state: RequestState?
    /// Only cases whose first request was received at or after this time.
    public var since: Timestamp?
    /// At most this many cases (the newest); 0 or less gives none.
    public var limit: Int
    /// The time "overdue" is judged at.
    public var now: Timestamp

    public init(
        overdueOnly: Bool = false, bank: BankID? = nil, state: RequestState? = nil, since: Timestamp? = nil,
        limit: Int = 100, now: Timestamp = .now()
    ) {
        self.overdueOnly = overdueOnly
        self.bank = bank
        self.state = state
        self.since = since
        self.limit = limit
        self.now = now
    }
}

/// One line of `freeze-relay cases`: a case at a glance.
public struct CaseSummary: Sendable, Hashable {
    public var caseID: String
    /// Requests in the case: the police's and those created by following money.
    public var requestCount: Int
    /// The deepest hop reached (0 when money was not followed).
    public var maxHop: Int
    /// Banks the case's requests were routed to, sorted.
    public var banks: [BankID]
    /// How many of the case's requests are in each state (states with none are absent).
    public var stateCounts: [RequestState: Int]
    /// When the case's first request was received.
    public var firstReceivedAt: Timestamp
    /// When a request of the case last changed.
    public var lastUpdatedAt: Timestamp
    /// Unresolved escalations of any kind.
    public var openEscalations: Int
    /// A request of the case has missed its acknowledgement or freeze deadline: an open timer of
    /// that kind is due (even if the daemon has not fired it yet), or such an escalation is open.
    public var isOverdue: Bool
    /// What police reported stolen: the amounts of the hop-0 requests, one sum per currency.
    public var reportedAmounts: [Money]
    /// What banks report blocked under requests that hold funds now (frozen, partially frozen),
    /// one sum per currency.
    public var frozenAmounts: [Money]

    public init(
        caseID: String, requestCount: Int, maxHop: Int, banks: [BankID], stateCounts: [RequestState: Int],
        firstReceivedAt: Timestamp, lastUpdatedAt: Timestamp, openEscalations: Int, isOverdue: Bool,
        reportedAmounts: [Money], frozenAmounts: [Money]
    ) {
        self.caseID = caseID
        self.requestCount = requestCount
        self.maxHop = maxHop
        self.banks = banks
        self.stateCounts = stateCounts
        self.firstReceivedAt = firstReceivedAt
        self.lastUpdatedAt = lastUpdatedAt
        self.openEscalations = openEscalations
        self.isOverdue = isOverdue
        self.reportedAmounts = reportedAmounts
        self.frozenAmounts = frozenAmounts
    }
}

extension LedgerReader {
    /// The cases matching `filter`, newest first (by first received request, then case id), at
    /// most `filter.limit` of them, read from one snapshot.
    ///
    /// Cost: the matching case ids come from indexes (by bank, state, receive time, open
    /// timers, open escalations); without any filter, from a scan of the `requests_by_case`
    /// index alone. Then a few indexed look-ups per listed case.
    public func cases(filter: CaseFilter) throws -> [CaseSummary] {
        guard filter.limit > 0 else { return [] }
        return try read { db in
            try CaseListQuery.caseIDs(filter, db: db).map { caseID in
                try CaseListQuery.summary(caseID, now: Stored.millis(filter.now), db: db)
            }
        }
    }
}

enum CaseListQuery {
    static let overdueKinds = "'\(DeadlineKind.acknowledge.rawValue)', '\(DeadlineKind.freeze.rawValue)'"
    static let overdueEscalationKinds =
        "'\(EscalationKind.ackOverdue.rawValue)', '\(EscalationKind.freezeOverdue.rawValue)'"

    /// The ids of the cases to list, in listing order.
    static func caseIDs(_ filter: CaseFilter, db: borrowing Database) throws -> [String] {
        let (sql, arguments) = caseIDQuery(filter)
        return try db.query(sql, arguments) { row in try row["case_id"] as String }
    }

    /// The statement behind `caseIDs` (separate so tests can ask SQLite for its query plan).
    static func caseIDQuery(_ filter: CaseFilter) -> (sql: String, arguments: SQLArguments) {
        var conditions: [String] = []
        var arguments: SQLArguments = []
        if let bank = filter.bank {
            conditions.append("case_id IN (SELECT case_id FROM requests WHERE bank_id = ?)")
            arguments.append(bank.rawValue)
        }
        if let state = filter.state {
            conditions.append("case_id IN (SELECT case_id FROM requests WHERE state = ?)")
            arguments.append(state.rawValue)
        }
        if let since = filter.since {
            // Narrows to cases with any request since then; HAVING below checks the first one.
            conditions.append("case_id IN (SELECT case_id FROM requests WHERE received_at >= ?)")
            arguments.append(Stored.millis(since))
        }
        if filter.overdueOnly {
            conditions.append(
                """
                case_id IN (
                    SELECT r.case_id FROM deadlines AS d JOIN requests AS r ON r.request_id = d.request_id
                    WHERE d.status = 'open' AND d.kind IN (\(overdueKinds)) AND d.due_at <= ?
                    UNION ALL
                    SELECT case_id FROM escalations WHERE resolved_at IS NULL AND kind IN (\(overdueEscalationKinds)))
                """)
            arguments.append(Stored.millis(filter.now))
        }
        var sql = "SELECT case_id, min(received_at) AS first_received FROM requests"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " GROUP BY case_id"
        if let since = filter.since {
            sql += " HAVING min(received_at) >= ?"
            arguments.append(Stored.millis(since))
        }
        sql += " ORDER BY first_received DESC, case_id LIMIT ?"
        arguments.append(filter.limit)
        return (sql, arguments)
    }

    static func summary(_ caseID: String, now: Int64, db: borrowing Database) throws -> CaseSummary {
        let rows = try db.query(
            """
            SELECT bank_id, state, hop, received_at, updated_at, amount, currency, frozen_amount, frozen_currency
            FROM requests WHERE case_id = ?
            """, [caseID])
        var banks: Set<BankID> = []
        var states: [RequestState: Int] = [:]
        var maxHop = 0
        var first = Int64.max
        var last = Int64.min
        var reported: [Money] = []
        var frozen: [Money] = []
        for row in rows {
            let state = try Stored.enumeration(RequestState.self, try row["state"], column: "requests.state")
            states[state, default: 0] += 1
            if let bank: String = try row["bank_id"] { banks.insert(try Stored.bank(bank, column: "requests.bank_id")) }
            let hop: Int = try row["hop"]
            maxHop = max(maxHop, hop)
            first = min(first, try row["received_at"])
            last = max(last, try row["updated_at"])
            let currency: String = try row["currency"]
            if hop == 0 { reported.append(try Stored.money(try row["amount"], currency, column: "requests.amount")) }
            if state.holdsFunds, let amount: String = try row["frozen_amount"] {
                let frozenCurrency: String? = try row["frozen_currency"]
                frozen.append(try Stored.money(amount, frozenCurrency ?? currency, column: "requests.frozen_amount"))
            }
        }
        let openEscalations: Int =
            try db.scalar(
                "SELECT count(*) FROM escalations WHERE case_id = ? AND resolved_at IS NULL", [caseID]) ?? 0
        let overdue: Bool =
            try db.scalar(
                """
                SELECT EXISTS (
                    SELECT 1 FROM deadlines
                    WHERE status = 'open' AND kind IN (\(overdueKinds)) AND due_at <= ?
                      AND request_id IN (SELECT request_id FROM requests WHERE case_id = ?))
                OR EXISTS (
                    SELECT 1 FROM escalations
                    WHERE case_id = ? AND resolved_at IS NULL AND kind IN (\(overdueEscalationKinds)))
                """, [now, caseID, caseID]) ?? false
        return CaseSummary(
            caseID: caseID, requestCount: rows.count, maxHop: maxHop, banks: banks.sorted(), stateCounts: states,
            firstReceivedAt: Stored.timestamp(rows.isEmpty ? 0 : first),
            lastUpdatedAt: Stored.timestamp(rows.isEmpty ? 0 : last),
            openEscalations: openEscalations, isOverdue: overdue,
            reportedAmounts: try MoneyTotals.byCurrency(reported), frozenAmounts: try MoneyTotals.byCurrency(frozen))
    }
}
