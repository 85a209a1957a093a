import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// Schema version 14 on a ledger that version 13 wrote: every timer keeps its whole id, state and
/// due order, keyed under its request by the rest of its id, and the upgraded ledger goes on
/// scheduling, firing and counting timers as before.
@Suite struct TimerKeysMigrationTests {
    private static func timers(on ledger: Ledger) throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try ledger.sql { db in
                try db.query("SELECT * FROM deadlines") { row in
                    (
                        try DeadlineRows.deadline(row, schemaVersion: ledger.schemaVersion).id,
                        try row["status"] as String
                    )
                }
            })
    }

    private static func storedKeys(on ledger: Ledger) throws -> [(request: String, key: String)] {
        try ledger.sql { db in
            try db.query("SELECT request_id, deadline_id FROM deadlines") {
                (try $0["request_id"] as String, try $0["deadline_id"] as String)
            }
        }
    }

    @Test func aVersion13LedgerKeepsEveryTimerUnderAShorterKey() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v13.sqlite")
            let before: [String: String]
            let dueBefore: [String]
            let countsBefore: MetricsOracle.Counts
            // Not a key any release wrote, but one the migration must not lose.
            let odd = "odd-timer-id"
            do {
                let old = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(13)))
                defer { old.close() }
                #expect(old.schemaVersion == 13)
                let dataset = try QueryDataset.build(old)
                _ = try dataset.driver.fireDue(at: QueryDataset.now)
                try old.sql { db in
                    try db.execute(
                        "INSERT INTO deadlines (request_id, deadline_id, kind, level, deadline_at, due_at) VALUES (?, ?, 'freeze', 1, 5, 5)",
                        [Stored.text(Fixture.uuid(4242)), odd])
                }
                before = try Self.timers(on: old)
                dueBefore = try old.write { tx in try tx.dueDeadlines(at: Timestamp(Date.distantFuture), limit: 10_000)
                }
                .map(\.id)
                countsBefore = try MetricsOracle.counts(old)
                #expect(try Self.storedKeys(on: old).allSatisfy { $0.key == odd || $0.key.hasPrefix($0.request + "/") })
            }
            #expect(Set(before.values) == ["open", "fired", "cancelled"], "\(before.values)")
            #expect(dueBefore.count >= 5)

            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(durability: .normal))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            #expect(try ledger.integrityCheck().isOK)
            #expect(try Self.timers(on: ledger) == before)
            let keys = try Self.storedKeys(on: ledger)
            #expect(keys.contains { $0.key == "=" + odd })
            #expect(keys.allSatisfy { $0.key == "=" + odd || !$0.key.contains($0.request) }, "\(keys.prefix(3))")
            let dueAfter = try ledger.write { tx in
                try tx.dueDeadlines(at: Timestamp(Date.distantFuture), limit: 10_000)
            }.map(\.id)
            #expect(dueAfter == dueBefore, "the scheduler sees the same timers in the same order")
            #expect(try ledger.metricsSnapshot(now: QueryDataset.now).counts == countsBefore)

            // Written after the upgrade: short keys, fired once, counted.
            let driver = LedgerRelayDriver(ledger: ledger)
            let fresh = Fixture.request(
                77, caseID: "C-V14", iban: Fixture.iban("722", "77"), amount: "900", at: QueryDataset.now)
            try driver.receive(fresh, at: QueryDataset.now)
            let freshKeys = try ledger.sql { db in
                try db.query("SELECT deadline_id FROM deadlines WHERE request_id = ?", [Stored.text(fresh.requestID)]) {
                    try $0["deadline_id"] as String
                }
            }
            #expect(
                !freshKeys.isEmpty && freshKeys.allSatisfy { $0.hasPrefix("acknowledge/") || $0.hasPrefix("freeze/") })
            #expect(try ledger.metricsSnapshot(now: QueryDataset.now).counts == MetricsOracle.counts(ledger))
            let late = Timestamp(QueryDataset.now.date.addingTimeInterval(30 * 24 * 3600))
            while try !driver.fireDue(at: late).isEmpty {}
            let after = try Self.timers(on: ledger)
            let freshTimers = after.filter { $0.key.hasPrefix(Stored.text(fresh.requestID) + "/") }
            for key in freshKeys { #expect(freshTimers[Stored.text(fresh.requestID) + "/" + key] == "fired", "\(key)") }
            #expect(!freshTimers.values.contains("open"), "\(freshTimers)")
            #expect(after[odd] == "fired", "the timer kept whole is reached by its id too")
            #expect(try ledger.write { tx in try tx.dueDeadlines(at: late, limit: 10) }.isEmpty)
            #expect(try ledger.metricsSnapshot(now: late).counts == MetricsOracle.counts(ledger))
        }
    }
}
