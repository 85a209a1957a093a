import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

@Suite struct TransactionTests {
    private static let tables = [
        "requests", "deadlines", "escalations", "responses", "chain_edges", "audit", "outbox", "consumer_positions",
    ]

    @Test func theAuditTrailRefusesUpdates() async throws {
        try await withRelayLedger { ledger, _ in
            try ChainScenario.run(LedgerRelayDriver(ledger: ledger))
            do {
                try ledger.sql { db in try db.execute("UPDATE audit SET detail = 'rewritten' WHERE seq = 1") }
                Issue.record("the update went through")
            } catch let error as LedgerError {
                #expect(error.description.contains("append-only"))
            }
            #expect(try ledger.requestAudit(Fixture.uuid(1)).allSatisfy { $0.entry.detail != "rewritten" })
        }
    }

    @Test func aWriteThatThrowsLeavesNothingBehind() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let request = Fixture.request(
                1, caseID: "C-T", iban: Fixture.iban("601", "1"), amount: "1000", at: Fixture.time(0))
            #expect(throws: Boom.self) {
                try ledger.write { tx in
                    let effects = Fixture.engine.receive(
                        request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
                        case: CaseContext(caseID: "C-T"), cause: .command("test", nonce: "1"), now: Fixture.time(0))
                    try tx.apply(effects, outbox: try Fixture.outbox(effects), at: Fixture.time(0))
                    try tx.recordPosition(topic: "freeze.requests", partition: 0, nextOffset: 1, at: Fixture.time(0))
                    #expect(try tx.request(request.requestID) != nil)
                    throw Boom()
                }
            }
            for table in Self.tables { #expect(try ledger.count(table) == 0, "\(table)") }
            // The ledger is still usable afterwards.
            try driver.receive(request, at: Fixture.time(0))
            #expect(try ledger.count("requests") == 1)
        }
    }

    @Test func aReopenedLedgerSeesEverything() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("reopen.sqlite")
            let (written, edges, pending, scenario) = try {
                let ledger = try Ledger.open(at: path)
                defer { ledger.close() }
                let driver = LedgerRelayDriver(ledger: ledger)
                let scenario = try ChainScenario.run(driver)
                return (driver.written, driver.edges, try ledger.pendingOutbox(limit: 1000), scenario)
            }()
            let ledger = try Ledger.open(at: path)
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                for (id, record) in written { #expect(try tx.request(id) == record) }
                #expect(Set(try tx.caseContext(ChainScenario.caseID).edges) == Set(edges))
                #expect(try tx.partitionPosition(topic: "freeze.bank.jusan.responses", partition: 0)?.nextOffset == 6)
                #expect(try tx.response(bank: Fixture.jusan, responseID: "resp-4")?.requestID == scenario.jusanChild)
            }
            #expect(try ledger.pendingOutbox(limit: 1000) == pending)
            #expect(try ledger.nextDeadlineDue() != nil)
            let tool = try LedgerReader.open(at: path)
            defer { tool.close() }
            #expect(try tool.caseDetail(ChainScenario.caseID)?.requests.count == 3)
        }
    }

    /// A ledger written by the version-2 schema is migrated in place: its rows survive, and a
    /// frozen amount stored without a currency reads in the request's currency.
    @Test func aVersion2LedgerIsMigratedWithItsRows() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v2.sqlite")
            let version2 = Array(LedgerSchema.migrations.prefix(2))
            let id = Fixture.uuid(3)
            do {
                let old = try Ledger.open(at: path, migrations: version2)
                defer { old.close() }
                #expect(old.schemaVersion == 2)
                let request = Fixture.request(
                    3, caseID: "C-OLD", iban: Fixture.iban("722", "3"), amount: "1000", at: Fixture.time(0))
                try old.transaction { db in
                    try db.execute(
                        """
                        INSERT INTO requests (request_id, case_id, bank_id, state, priority, hop, iban, amount, currency, received_at,
                            routed_at, frozen_at, answered_at, acknowledged_at, frozen_amount, fingerprint, request_json, updated_at)
                        VALUES (?, 'C-OLD', 'kaspi', 'frozen', 'urgent', 0, ?, '1000.00', 'KZT', ?, ?, ?, ?, ?, '700.00', ?, ?, ?)
                        """,
                        [
                            Stored.text(id), request.account.iban.electronicFormat, Stored.millis(Fixture.time(0)),
                            Stored.millis(Fixture.time(0)),
                            Stored.millis(Fixture.time(60)), Stored.millis(Fixture.time(60)),
                            Stored.millis(Fixture.time(60)),
                            Data(ContentFingerprint(request).digest), Data(try EventEncoder.encode(request)),
                            Stored.millis(Fixture.time(60)),
                        ])
                }
            }
            let ledger = try Ledger.open(at: path)
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            #expect(try ledger.appliedMigrations().map(\.version) == Array(1...LedgerSchema.currentVersion))
            let record = try #require(try ledger.write { tx in try tx.request(id) })
            #expect(record.frozenAmount == Fixture.kzt("700"))
            #expect(try ledger.cases(filter: CaseFilter(now: Fixture.time(100))).map(\.caseID) == ["C-OLD"])
        }
    }
}
