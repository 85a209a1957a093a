import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// Schema version 7 on a ledger that version 6 wrote: the rows stay, the two indexes change, and
/// the queries that used the dropped ones still find their rows through an index.
@Suite struct LeanIndexesMigrationTests {
    private static let caseID = "C-V6"

    private static func indexColumns(_ name: String, on ledger: Ledger) throws -> [String] {
        try ledger.sql { db in
            try db.query("SELECT name FROM pragma_index_info(?) ORDER BY seqno", [name]) { row in
                try row["name"] as String
            }
        }
    }

    private static func indexNames(on ledger: Ledger) throws -> Set<String> {
        Set(
            try ledger.sql { db in
                try db.query("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'") {
                    row in try row["name"] as String
                }
            })
    }

    @Test func aVersion6LedgerKeepsItsRowsAndLosesTheTwoIndexes() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v6.sqlite")
            let request = Fixture.request(
                1, caseID: Self.caseID, iban: Fixture.iban("722", "1"), amount: "5000", at: Fixture.time(0))
            do {
                let old = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(6)))
                defer { old.close() }
                #expect(old.schemaVersion == 6)
                try LedgerRelayDriver(ledger: old).receive(request, at: Fixture.time(0))
                #expect(try Self.indexNames(on: old).contains("deadlines_open_by_request"))
                #expect(try Self.indexColumns("requests_by_bank", on: old) == ["bank_id", "case_id"])
            }
            let ledger = try Ledger.open(
                at: path, configuration: LedgerConfiguration(durability: .normal),
                migrations: Array(LedgerSchema.migrations.prefix(7)))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == 7)
            #expect(try ledger.appliedMigrations().last?.version == 7)
            #expect(!(try Self.indexNames(on: ledger).contains("deadlines_open_by_request")))
            #expect(try Self.indexColumns("requests_by_bank", on: ledger) == ["bank_id"])
            #expect(try ledger.integrityCheck().isOK)

            // The request and its open timers survived; cancelling it settles them.
            let open = "SELECT count(*) FROM deadlines WHERE request_id = ? AND status = 'open'"
            #expect(try ledger.sql { db in try db.scalar(open, [Stored.text(request.requestID)], as: Int.self) } == 2)
            #expect(
                try ledger.cases(filter: CaseFilter(bank: Fixture.kaspi, now: Fixture.time(10))).map(\.caseID) == [
                    Self.caseID
                ])
            try LedgerRelayDriver(ledger: ledger).cancel(
                Fixture.cancel(1, requestID: request.requestID, caseID: Self.caseID, at: Fixture.time(60)),
                at: Fixture.time(60))
            #expect(try ledger.sql { db in try db.scalar(open, [Stored.text(request.requestID)], as: Int.self) } == 0)
        }
    }
}
