import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

/// The operator queries run while the daemon writes: they must go through indexes, not scan
/// the big tables.
@Suite struct QueryPlanTests {
    private static func plan(_ sql: String, _ arguments: SQLArguments, on ledger: Ledger) throws -> [String] {
        try ledger.sql { db in
            try db.query("EXPLAIN QUERY PLAN " + sql, arguments) { row in try row["detail"] as String }
        }
    }

    /// A full scan of `table`: "SCAN requests" without an index (a scan of a covering index is
    /// reported as "SCAN requests USING COVERING INDEX …" and reads far less).
    private static func scans(_ table: String, in plan: [String]) -> Bool {
        plan.contains { $0 == "SCAN \(table)" || $0.hasPrefix("SCAN \(table) ") && !$0.contains("INDEX") }
    }

    /// Whether any step of `plan` reads `table` (by a scan, a search or one of its indexes).
    private static func reads(_ table: String, in plan: [String]) -> Bool {
        plan.contains { $0.split(separator: " ").contains(Substring(table)) }
    }

    /// A scrape reads the count tables and the outbox's unsent and parked rows, never the history.
    @Test func theMetricsSnapshotReadsOnlyTheCountTablesAndTheOutboxBacklog() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            for sql in MetricsCounts.snapshotStatements {
                let plan = try Self.plan(sql, [], on: ledger)
                for table in ["requests", "deadlines", "escalations", "audit"] {
                    #expect(!Self.reads(table, in: plan), "\(sql): \(plan)")
                }
                #expect(!Self.scans("outbox", in: plan), "\(sql): \(plan)")
            }
        }
    }

    /// The latencies fed to the histograms at a scrape come from the requests changed since the
    /// last one, found by their update time: never a pass over every routed request.
    @Test func recentLatenciesReadOnlyTheRequestsChangedSince() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let plan = try Self.plan(
                MetricsCounts.recentLatenciesSQL,
                [Stored.millis(QueryDataset.now), Stored.millis(QueryDataset.now) + 1000], on: ledger)
            #expect(
                plan == ["SEARCH requests USING INDEX requests_by_updated (updated_at>? AND updated_at<?)"], "\(plan)")
        }
    }

    /// Linking a new request to other cases runs on intake's hot path: one index search by IBAN.
    @Test func accountSightingsSearchTheIBANIndex() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let plan = try Self.plan(
                AccountSightingRows.sql, [Fixture.iban("601", "1").electronicFormat, 500], on: ledger)
            #expect(plan.first == "SEARCH requests USING INDEX requests_by_iban (iban=?)", "\(plan)")
            #expect(!Self.scans("requests", in: plan), "\(plan)")
        }
    }

    @Test func listingCasesByBankUsesTheBankIndex() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let (sql, arguments) = CaseListQuery.caseIDQuery(CaseFilter(bank: Fixture.kaspi, now: QueryDataset.now))
            let plan = try Self.plan(sql, arguments, on: ledger)
            #expect(plan.contains { $0.contains("requests_by_bank") }, "\(plan)")
            #expect(!Self.scans("requests", in: plan), "\(plan)")
            #expect(!Self.scans("audit", in: plan), "\(plan)")
        }
    }

    @Test func everyCaseFilterAvoidsFullScans() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let filters = [
                CaseFilter(now: QueryDataset.now),
                CaseFilter(state: .routed, now: QueryDataset.now),
                CaseFilter(since: Fixture.time(100), now: QueryDataset.now),
                CaseFilter(overdueOnly: true, now: QueryDataset.now),
                CaseFilter(
                    overdueOnly: true, bank: Fixture.jusan, state: .routed, since: Fixture.time(1),
                    now: QueryDataset.now),
            ]
            for filter in filters {
                let (sql, arguments) = CaseListQuery.caseIDQuery(filter)
                let plan = try Self.plan(sql, arguments, on: ledger)
                for table in ["requests", "deadlines", "escalations", "audit"] {
                    #expect(!Self.scans(table, in: plan), "\(table): \(plan)")
                }
            }
        }
    }

    @Test func openEscalationsComeFromThePartialIndex() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let plan = try Self.plan(openEscalationsSQL, [10], on: ledger)
            #expect(plan.contains { $0.contains("escalations_open_by_raised") }, "\(plan)")
            #expect(!Self.scans("escalations", in: plan), "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "sorted by the index itself: \(plan)")
        }
    }

    @Test func deadLettersAreTrimmedAndPurgedThroughTheirPartialIndexes() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let trim = try Self.plan(
                DeadLetterRows.withContentSQL(sent: true), [DeadLetterRows.typeName, 0], on: ledger)
            #expect(trim.contains { $0.contains("outbox_dead_letters_with_content") }, "\(trim)")
            #expect(!trim.contains { $0.contains("TEMP B-TREE") }, "in queue order from the index itself: \(trim)")
            let retention = try Self.plan(
                "SELECT count(*) FROM outbox WHERE " + DeadLetterRows.sentBeforeCondition,
                [DeadLetterRows.typeName, 1000], on: ledger)
            #expect(retention.contains { $0.contains("outbox_sent_dead_letters_by_created") }, "\(retention)")
            #expect(!Self.scans("outbox", in: trim + retention))
        }
    }
}
