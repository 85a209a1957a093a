import Contracts
import Relay

/// Gauges and counters for the metrics endpoint, read from one snapshot. Counts only: feed
/// latency histograms from `recentLatencies(since:)`.
public struct MetricsSnapshot: Sendable, Hashable {
    /// Requests not in a final state, per bank (nil: unroutable) and state.
    public struct OpenRequests: Sendable, Hashable {
        public var bankID: BankID?
        public var state: RequestState
        public var count: Int

        public init(bankID: BankID?, state: RequestState, count: Int) {
            self.bankID = bankID
            self.state = state
            self.count = count
        }
    }

    /// Escalations per bank (nil: none, as for unroutable requests), kind and level.
    public struct Escalations: Sendable, Hashable {
        public var bankID: BankID?
        public var kind: EscalationKind
        public var level: Int
        /// Not resolved yet.
        public var open: Int
        /// Ever raised at this level and still in the ledger (open and resolved).
        public var total: Int

        public init(bankID: BankID?, kind: EscalationKind, level: Int, open: Int, total: Int) {
            self.bankID = bankID
            self.kind = kind
            self.level = level
            self.open = open
            self.total = total
        }
    }

    /// Final answers of one bank, by whether they came by the freeze deadline.
    public struct Answers: Sendable, Hashable {
        public var bankID: BankID
        public var inTime: Int
        public var late: Int

        public init(bankID: BankID, inTime: Int, late: Int) {
            self.bankID = bankID
            self.inTime = inTime
            self.late = late
        }
    }

    /// The time ages are measured at.
    public var takenAt: Timestamp
    /// Sorted by bank (unroutable first), then state.
    public var openRequests: [OpenRequests]
    /// Timers not yet fired or cancelled.
    public var openDeadlines: Int
    /// Sorted by bank (none first), kind, level.
    public var escalations: [Escalations]
    /// Events waiting to be published (parked ones not included, as for readiness).
    public var outboxUnsent: Int
    /// Events set aside because the broker refuses them for good.
    public var outboxParked: Int
    /// Seconds since the oldest unsent event was queued; nil when none is waiting.
    public var outboxOldestAgeSeconds: Double?
    /// Sorted by bank. These only grow, except when `purge` removes old cases.
    public var answers: [Answers]

    public init(
        takenAt: Timestamp, openRequests: [OpenRequests], openDeadlines: Int, escalations: [Escalations],
        outboxUnsent: Int, outboxParked: Int = 0, outboxOldestAgeSeconds: Double?, answers: [Answers]
    ) {
        self.takenAt = takenAt
        self.openRequests = openRequests
        self.openDeadlines = openDeadlines
        self.escalations = escalations
        self.outboxUnsent = outboxUnsent
        self.outboxParked = outboxParked
        self.outboxOldestAgeSeconds = outboxOldestAgeSeconds
        self.answers = answers
    }
}

/// Answer latencies of one bank, in seconds, for histograms.
public struct BankLatencies: Sendable, Hashable {
    public var bankID: BankID
    /// From routing to the first answer, for requests first answered in the window.
    public var acknowledgeSeconds: [Double]
    /// From routing to the first freeze, for requests first frozen in the window.
    public var freezeSeconds: [Double]

    public init(bankID: BankID, acknowledgeSeconds: [Double] = [], freezeSeconds: [Double] = []) {
        self.bankID = bankID
        self.acknowledgeSeconds = acknowledgeSeconds
        self.freezeSeconds = freezeSeconds
    }
}

extension LedgerReader {
    /// Counts for the metrics endpoint at `now`. The request, timer, escalation and answer
    /// counts are read from the small tables triggers keep exact (schema version 9), the outbox
    /// counts through its partial indexes of unsent and parked rows: nothing here grows with the
    /// ledger's history.
    public func metricsSnapshot(now: Timestamp) throws -> MetricsSnapshot {
        try read { db in
            let openRequests = try db.query(MetricsCounts.openRequestsSQL) { row in
                MetricsSnapshot.OpenRequests(
                    bankID: try MetricsCounts.bank(try row["bank"], column: "request_counts.bank"),
                    state: try Stored.enumeration(RequestState.self, try row["state"], column: "request_counts.state"),
                    count: try row["requests"])
            }
            let openDeadlines: Int = try db.scalar(MetricsCounts.openDeadlinesSQL) ?? 0
            let escalations = try db.query(MetricsCounts.escalationsSQL) { row in
                MetricsSnapshot.Escalations(
                    bankID: try MetricsCounts.bank(try row["bank"], column: "escalation_counts.bank"),
                    kind: try Stored.enumeration(
                        EscalationKind.self, try row["kind"], column: "escalation_counts.kind"),
                    level: try row["level"], open: try row["open"], total: try row["total"])
            }
            let outbox = try db.queryFirst(MetricsCounts.outboxUnsentSQL)
            let parked: Int = try db.scalar(MetricsCounts.outboxParkedSQL) ?? 0
            let oldest: Int64? = try outbox?["oldest"]
            let answers = try db.query(MetricsCounts.answersSQL) { row in
                MetricsSnapshot.Answers(
                    bankID: try Stored.bank(try row["bank"], column: "answer_counts.bank"),
                    inTime: try row["in_time"], late: try row["late"])
            }
            return MetricsSnapshot(
                takenAt: now,
                openRequests: openRequests.sorted {
                    ($0.bankID?.rawValue ?? "", $0.state.rawValue) < ($1.bankID?.rawValue ?? "", $1.state.rawValue)
                },
                openDeadlines: openDeadlines,
                escalations: escalations.sorted {
                    ($0.bankID?.rawValue ?? "", $0.kind.rawValue, $0.level) < (
                        $1.bankID?.rawValue ?? "", $1.kind.rawValue, $1.level
                    )
                },
                outboxUnsent: try outbox?["n"] ?? 0,
                outboxParked: parked,
                outboxOldestAgeSeconds: oldest.map { Stored.seconds(from: $0, to: Stored.millis(now)) },
                answers: answers.sorted { $0.bankID < $1.bankID })
        }
    }

    /// Acknowledgement and freeze latencies of requests first acknowledged or first frozen at or
    /// after `since`, per bank (sorted; banks with neither are absent). Call it with the time of
    /// the previous call to observe each latency once. Reads only requests changed since then.
    ///
    /// `until` (exclusive) closes the window, so that calls with consecutive windows observe each
    /// latency once; pass the time the next call starts from. Rows stamped after it (a clock set
    /// back, a ledger written ahead of time) are left for the window they fall in, not read on
    /// every call.
    public func recentLatencies(since: Timestamp, until: Timestamp? = nil) throws -> [BankLatencies] {
        let start = Stored.millis(since)
        let end = until.map(Stored.millis) ?? Int64.max
        return try read { db in
            var banks: [BankID: BankLatencies] = [:]
            let rows = try db.query(MetricsCounts.recentLatenciesSQL, [start, end])
            for row in rows {
                let bank = try Stored.bank(try row["bank_id"], column: "requests.bank_id")
                let routedAt: Int64 = try row["routed_at"]
                if let at: Int64 = try row["acknowledged_at"], at >= start, at < end {
                    banks[bank, default: BankLatencies(bankID: bank)].acknowledgeSeconds.append(
                        Stored.seconds(from: routedAt, to: at))
                }
                if let at: Int64 = try row["frozen_at"], at >= start, at < end {
                    banks[bank, default: BankLatencies(bankID: bank)].freezeSeconds.append(
                        Stored.seconds(from: routedAt, to: at))
                }
            }
            return banks.keys.sorted().map { banks[$0]! }
        }
    }
}

/// What a metrics scrape reads, and how the count tables of schema version 9 (`MetricsCountsSchema`)
/// store what they count.
enum MetricsCounts {
    /// The states the open-request gauge reports, as an SQL list.
    private static let openStates = RequestState.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(
        separator: ", ")

    static let openRequestsSQL =
        "SELECT bank, state, requests FROM request_counts WHERE requests > 0 AND state IN (\(openStates))"
    static let openDeadlinesSQL = "SELECT open FROM deadline_counts WHERE id = 1"
    static let escalationsSQL = "SELECT bank, kind, level, open, total FROM escalation_counts WHERE total > 0"
    static let answersSQL = "SELECT bank, in_time, late FROM answer_counts WHERE in_time + late > 0"
    // Both read through the outbox's partial indexes (unsent, parked), never the sent rows.
    static let outboxUnsentSQL =
        "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL"
    static let outboxParkedSQL = "SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL"

    /// `recentLatencies(since:until:)`: through `requests_by_updated`, only the requests changed in the window.
    static let recentLatenciesSQL = """
        SELECT bank_id, routed_at, acknowledged_at, frozen_at FROM requests
        WHERE updated_at >= ? AND updated_at < ? AND routed_at IS NOT NULL AND bank_id IS NOT NULL
        """

    /// Every statement `metricsSnapshot` runs (for query-plan tests).
    static let snapshotStatements = [
        openRequestsSQL, openDeadlinesSQL, escalationsSQL, answersSQL, outboxUnsentSQL, outboxParkedSQL,
    ]

    /// A count table's bank: `''` stands for none (an unroutable request, an escalation without a bank).
    static func bank(_ text: String, column: String) throws -> BankID? {
        text.isEmpty ? nil : try Stored.bank(text, column: column)
    }
}
