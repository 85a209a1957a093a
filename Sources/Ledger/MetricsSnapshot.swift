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

    public init(takenAt: Timestamp, openRequests: [OpenRequests], openDeadlines: Int, escalations: [Escalations],
                outboxUnsent: Int, outboxParked: Int = 0, outboxOldestAgeSeconds: Double?, answers: [Answers]) {
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
    /// Counts for the metrics endpoint at `now`. Every part is read from an index alone or
    /// through the outbox's partial indexes of unsent and parked rows, so it stays cheap as the
    /// ledger grows.
    public func metricsSnapshot(now: Timestamp) throws -> MetricsSnapshot {
        try read { db in
            let openStates = RequestState.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            let openRequests = try db.query("""
                SELECT bank_id, state, count(*) AS n FROM requests WHERE state IN (\(openStates)) GROUP BY state, bank_id
                """) { row in
                MetricsSnapshot.OpenRequests(
                    bankID: try optionalBank(try row["bank_id"], column: "requests.bank_id"),
                    state: try Stored.enumeration(RequestState.self, try row["state"], column: "requests.state"),
                    count: try row["n"])
            }
            let openDeadlines: Int = try db.scalar("SELECT count(*) FROM deadlines WHERE status = 'open'") ?? 0
            let escalations = try db.query("""
                SELECT bank_id, kind, level, sum(resolved_at IS NULL) AS open, count(*) AS total
                FROM escalations GROUP BY bank_id, kind, level
                """) { row in
                MetricsSnapshot.Escalations(
                    bankID: try optionalBank(try row["bank_id"], column: "escalations.bank_id"),
                    kind: try Stored.enumeration(EscalationKind.self, try row["kind"], column: "escalations.kind"),
                    level: try row["level"], open: try row["open"], total: try row["total"])
            }
            // Both read through the outbox's partial indexes (unsent, parked), never the sent rows.
            let outbox = try db.queryFirst("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL")
            let parked: Int = try db.scalar("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL") ?? 0
            let oldest: Int64? = try outbox?["oldest"]
            let answers = try db.query("""
                SELECT bank_id, sum(freeze_by IS NULL OR answered_at <= freeze_by) AS in_time, coalesce(sum(answered_at > freeze_by), 0) AS late
                FROM requests WHERE answered_at IS NOT NULL AND bank_id IS NOT NULL GROUP BY bank_id
                """) { row in
                MetricsSnapshot.Answers(bankID: try Stored.bank(try row["bank_id"], column: "requests.bank_id"),
                                        inTime: try row["in_time"], late: try row["late"])
            }
            return MetricsSnapshot(
                takenAt: now,
                openRequests: openRequests.sorted { ($0.bankID?.rawValue ?? "", $0.state.rawValue) < ($1.bankID?.rawValue ?? "", $1.state.rawValue) },
                openDeadlines: openDeadlines,
                escalations: escalations.sorted {
                    ($0.bankID?.rawValue ?? "", $0.kind.rawValue, $0.level) < ($1.bankID?.rawValue ?? "", $1.kind.rawValue, $1.level)
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
    public func recentLatencies(since: Timestamp) throws -> [BankLatencies] {
        let start = Stored.millis(since)
        return try read { db in
            var banks: [BankID: BankLatencies] = [:]
            let rows = try db.query("""
                SELECT bank_id, routed_at, acknowledged_at, frozen_at FROM requests
                WHERE updated_at >= ? AND routed_at IS NOT NULL AND bank_id IS NOT NULL
                """, [start])
            for row in rows {
                let bank = try Stored.bank(try row["bank_id"], column: "requests.bank_id")
                let routedAt: Int64 = try row["routed_at"]
                if let at: Int64 = try row["acknowledged_at"], at >= start {
                    banks[bank, default: BankLatencies(bankID: bank)].acknowledgeSeconds.append(Stored.seconds(from: routedAt, to: at))
                }
                if let at: Int64 = try row["frozen_at"], at >= start {
                    banks[bank, default: BankLatencies(bankID: bank)].freezeSeconds.append(Stored.seconds(from: routedAt, to: at))
                }
            }
            return banks.keys.sorted().map { banks[$0]! }
        }
    }
}

private func optionalBank(_ text: String?, column: String) throws -> BankID? {
    try text.map { value throws(LedgerError) in try Stored.bank(value, column: column) }
}
