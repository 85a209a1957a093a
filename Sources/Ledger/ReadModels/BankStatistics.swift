import Contracts
import Relay

/// How one bank keeps its service levels, for `freeze-relay banks` and the metrics.
///
/// "Answered" means a final answer (frozen, partially frozen, rejected, account not found, funds
/// moved); it is in time when it came at or before the request's freeze deadline. A request
/// still waiting for its final answer (not cancelled or otherwise closed) is open: overdue once
/// the freeze deadline has passed, within the deadline until then. Requests closed without a
/// final answer (cancelled by police first) count as routed only.
public struct BankStatistics: Sendable, Hashable {
    public var bankID: BankID
    /// Requests routed to the bank.
    public var routed: Int
    public var answeredInTime: Int
    public var answeredLate: Int
    public var openOverdue: Int
    public var openWithinDeadline: Int
    /// Answered in time ÷ (answered + open overdue): the share of requests whose deadline has
    /// come that the bank met. Nil while no deadline has come.
    public var slaCompliance: Double?
    /// From routing to the bank's first answer.
    public var timeToAcknowledge: LatencySummary?
    /// From routing to the first freeze reported.
    public var timeToFreeze: LatencySummary?
    /// Unresolved escalations about this bank, by kind (kinds with none are absent).
    public var openEscalations: [EscalationKind: Int]

    public init(
        bankID: BankID, routed: Int = 0, answeredInTime: Int = 0, answeredLate: Int = 0, openOverdue: Int = 0,
        openWithinDeadline: Int = 0, slaCompliance: Double? = nil, timeToAcknowledge: LatencySummary? = nil,
        timeToFreeze: LatencySummary? = nil, openEscalations: [EscalationKind: Int] = [:]
    ) {
        self.bankID = bankID
        self.routed = routed
        self.answeredInTime = answeredInTime
        self.answeredLate = answeredLate
        self.openOverdue = openOverdue
        self.openWithinDeadline = openWithinDeadline
        self.slaCompliance = slaCompliance
        self.timeToAcknowledge = timeToAcknowledge
        self.timeToFreeze = timeToFreeze
        self.openEscalations = openEscalations
    }
}

extension LedgerReader {
    /// Service-level statistics of every bank that was routed a request or has an open
    /// escalation, sorted by bank id, judged at `now`, read from one snapshot.
    ///
    /// Cost: one pass over the routed requests (the statistics cover all of them) and the open
    /// escalations from a covering index.
    public func bankStatistics(now: Timestamp) throws -> [BankStatistics] {
        let nowMillis = Stored.millis(now)
        return try read { db in
            var banks: [BankID: BankStatistics] = [:]
            var acknowledge: [BankID: [Double]] = [:]
            var freeze: [BankID: [Double]] = [:]
            let rows = try db.query(
                """
                SELECT bank_id, routed_at, acknowledged_at, answered_at, frozen_at, closed_at, freeze_by
                FROM requests WHERE bank_id IS NOT NULL AND routed_at IS NOT NULL
                """)
            for row in rows {
                let bank = try Stored.bank(try row["bank_id"], column: "requests.bank_id")
                var stats = banks[bank] ?? BankStatistics(bankID: bank)
                let routedAt: Int64 = try row["routed_at"]
                let freezeBy: Int64? = try row["freeze_by"]
                stats.routed += 1
                if let answeredAt: Int64 = try row["answered_at"] {
                    if freezeBy.map({ answeredAt <= $0 }) ?? true {
                        stats.answeredInTime += 1
                    } else {
                        stats.answeredLate += 1
                    }
                } else if (try row["closed_at"] as Int64?) == nil {
                    if let freezeBy, nowMillis > freezeBy {
                        stats.openOverdue += 1
                    } else {
                        stats.openWithinDeadline += 1
                    }
                }
                if let at: Int64 = try row["acknowledged_at"] {
                    acknowledge[bank, default: []].append(Stored.seconds(from: routedAt, to: at))
                }
                if let at: Int64 = try row["frozen_at"] {
                    freeze[bank, default: []].append(Stored.seconds(from: routedAt, to: at))
                }
                banks[bank] = stats
            }
            let open = try db.query(
                """
                SELECT bank_id, kind, count(*) AS n FROM escalations
                WHERE resolved_at IS NULL AND bank_id IS NOT NULL GROUP BY bank_id, kind
                """)
            for row in open {
                let bank = try Stored.bank(try row["bank_id"], column: "escalations.bank_id")
                let kind = try Stored.enumeration(EscalationKind.self, try row["kind"], column: "escalations.kind")
                banks[bank, default: BankStatistics(bankID: bank)].openEscalations[kind] = try row["n"]
            }
            return banks.keys.sorted().map { bank in
                var stats = banks[bank]!
                let due = stats.answeredInTime + stats.answeredLate + stats.openOverdue
                stats.slaCompliance = due == 0 ? nil : Double(stats.answeredInTime) / Double(due)
                stats.timeToAcknowledge = LatencySummary(seconds: acknowledge[bank] ?? [])
                stats.timeToFreeze = LatencySummary(seconds: freeze[bank] ?? [])
                return stats
            }
        }
    }
}
