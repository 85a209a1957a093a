import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// Schema version 8 on a ledger that version 7 wrote: timers keep their rows and states, now in a
/// table keyed by (request, timer) without rowid, and every way of reaching a request's timers
/// goes through that key.
@Suite struct ClusteredDeadlinesMigrationTests {
    private static let caseID = "C-V7"

    private static func timers(of request: UUID, on ledger: Ledger) throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try ledger.sql { db in
                try db.query("SELECT deadline_id, status FROM deadlines WHERE request_id = ?", [Stored.text(request)]) {
                    row in
                    (try row["deadline_id"] as String, try row["status"] as String)
                }
            })
    }

    @Test func aVersion7LedgerKeepsEveryTimerAndItsState() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v7.sqlite")
            let first = Fixture.request(
                1, caseID: Self.caseID, iban: Fixture.iban("722", "1"), amount: "5000", at: Fixture.time(0))
            let second = Fixture.request(
                2, caseID: Self.caseID, iban: Fixture.iban("722", "2"), amount: "700", at: Fixture.time(0))
            var before: [UUID: [String: String]] = [:]
            do {
                let old = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(7)))
                defer { old.close() }
                let driver = LedgerRelayDriver(ledger: old)
                try driver.receive(first, at: Fixture.time(0))
                try driver.receive(second, at: Fixture.time(0))
                try driver.cancel(
                    Fixture.cancel(1, requestID: second.requestID, caseID: Self.caseID, at: Fixture.time(5)),
                    at: Fixture.time(5))
                before = [
                    first.requestID: try Self.timers(of: first.requestID, on: old),
                    second.requestID: try Self.timers(of: second.requestID, on: old),
                ]
                #expect(before[first.requestID]?.values.allSatisfy { $0 == "open" } == true)
                #expect(before[second.requestID]?.values.allSatisfy { $0 == "cancelled" } == true)
                #expect(before.values.allSatisfy { $0.count == 2 })
            }
            let ledger = try Ledger.open(
                at: path, configuration: LedgerConfiguration(durability: .normal),
                migrations: Array(LedgerSchema.migrations.prefix(8)))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == 8)
            #expect(try ledger.integrityCheck().isOK)
            let sql: String? = try ledger.sql { db in
                try db.scalar("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'deadlines'")
            }
            #expect(sql?.contains("WITHOUT ROWID") == true)
            for (request, timers) in before { #expect(try Self.timers(of: request, on: ledger) == timers) }

            // The open timers still fire, and each only once.
            let driver = LedgerRelayDriver(ledger: ledger)
            let late = Fixture.time(30 * 24 * 3600)
            let fired = try driver.fireDue(at: late)
            #expect(!fired.isEmpty)
            let originals = Set(before[first.requestID, default: [:]].keys)
            let now = try Self.timers(of: first.requestID, on: ledger)
            #expect(originals.allSatisfy { now[$0] == "fired" }, "\(now)")
            let stillDue = try ledger.write { tx in try tx.dueDeadlines(at: late, limit: 1000) }.map(\.id)
            #expect(originals.isDisjoint(with: stillDue))
        }
    }

    /// Cancelling a request's timers, firing one, re-opening one and deleting them with a purged
    /// case all reach the rows through the primary key; due timers come from their partial index.
    @Test func aRequestsTimersAreReachedThroughTheKey() async throws {
        try await withRelayLedger { ledger, _ in
            let byKey: [(String, SQLArguments)] = [
                (
                    "UPDATE deadlines SET status = 'cancelled', settled_at = ? WHERE request_id = ? AND kind = ? AND status = 'open'",
                    [1, "r", "freeze"]
                ),
                (
                    "UPDATE deadlines SET status = 'fired', settled_at = ? WHERE request_id = ? AND deadline_id = ? AND status = 'open'",
                    [1, "r", "freeze/1/0"]
                ),
                ("DELETE FROM deadlines WHERE request_id = ?", ["r"]),
            ]
            for (sql, arguments) in byKey {
                let plan = try ledger.sql { db in
                    try db.query("EXPLAIN QUERY PLAN " + sql, arguments) { row in try row["detail"] as String }
                }
                #expect(plan.contains { $0.contains("USING PRIMARY KEY (request_id=?") }, "\(sql): \(plan)")
            }
            let due = try ledger.sql { db in
                try db.query(
                    "EXPLAIN QUERY PLAN SELECT * FROM deadlines WHERE status = 'open' AND due_at <= ? ORDER BY due_at, request_id, deadline_id LIMIT ?",
                    [1, 10]
                ) { row in
                    try row["detail"] as String
                }
            }
            #expect(due.contains { $0.contains("deadlines_open_by_due") }, "\(due)")
            #expect(!due.contains { $0.contains("TEMP B-TREE") }, "\(due)")
        }
    }
}
