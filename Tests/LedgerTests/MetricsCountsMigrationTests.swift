import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// Schema version 9 on a ledger that version 8 wrote: the count tables start from the rows
/// already there, and stay exact as the upgraded ledger is written.
@Suite struct MetricsCountsMigrationTests {
    @Test func aVersion8LedgerGetsTheCountsItsRowsHold() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v8.sqlite")
            let before: MetricsOracle.Counts
            do {
                let old = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(8)))
                defer { old.close() }
                #expect(old.schemaVersion == 8)
                let dataset = try QueryDataset.build(old)
                // Escalations at levels 2 and 3, timers fired: every count has something to start from.
                while try !dataset.driver.fireDue(at: QueryDataset.now).isEmpty {}
                before = try MetricsOracle.counts(old)
            }
            #expect(before.openRequests.contains { $0.bankID == nil } && before.openDeadlines > 0)
            #expect(before.escalations.contains { $0.level > 1 } && before.escalations.contains { $0.bankID == nil })
            #expect(before.answers.contains { $0.late > 0 } && before.answers.contains { $0.inTime > 0 })

            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(durability: .normal))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            #expect(try ledger.appliedMigrations().contains { $0.version == 9 })
            #expect(try ledger.integrityCheck().isOK)
            #expect(try ledger.metricsSnapshot(now: QueryDataset.now).counts == before)
            let indexes = try ledger.sql { db in
                try db.query("SELECT name FROM sqlite_schema WHERE type = 'index'") { row in try row["name"] as String }
            }
            #expect(!indexes.contains("requests_answered_by_bank"))

            // Written after the upgrade: a cancel, timers a day later, and a purge of the finished case.
            let driver = LedgerRelayDriver(ledger: ledger)
            let later = QueryDataset.now.adding(seconds: 86_400)
            try driver.cancel(Fixture.cancel(1, requestID: Fixture.uuid(20), caseID: "C-LATE", at: later), at: later)
            while try !driver.fireDue(at: later).isEmpty {}
            #expect(try ledger.purge(closedBefore: later, note: "after the upgrade", at: later).requests > 0)
            let after = try MetricsOracle.counts(ledger)
            #expect(after != before)
            #expect(try ledger.metricsSnapshot(now: later).counts == after)
        }
    }
}
