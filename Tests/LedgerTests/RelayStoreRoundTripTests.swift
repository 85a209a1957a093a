import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

@Suite struct RelayStoreRoundTripTests {
    @Test func everyRecordTheEngineWroteReadsBackEqual() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let scenario = try ChainScenario.run(driver)
            #expect(driver.written.count == 3)
            try ledger.write { tx in
                for (id, written) in driver.written {
                    #expect(try tx.request(id) == written)
                }
                let context = try tx.caseContext(ChainScenario.caseID)
                #expect(Set(context.requests) == Set(driver.written.values))
                #expect(context.edges.count == driver.edges.count)
                #expect(Set(context.edges) == Set(driver.edges))
                #expect(Set(context.edges.map(\.outcome.name)) == ChainScenario.allOutcomes)
                #expect(try tx.request(Fixture.uuid(999)) == nil)
                #expect(try tx.caseContext("no-such-case") == CaseContext(caseID: "no-such-case"))
            }
            let root = try #require(driver.written[scenario.root])
            #expect(root.state == .partiallyFrozen)
            #expect(root.frozenAmount == (try Money(value: "100", currency: "USD")))
            #expect(root.holdUntil == scenario.rootHold)
            #expect(root.reason == "balance was lower")
            #expect(root.acknowledgedAt == Fixture.time(60, ms: 250))
            #expect(root.answeredAt == Fixture.time(600, ms: 500))
            #expect(root.frozenAt == Fixture.time(600, ms: 500))
            #expect(root.closedAt == nil)
            let kaspi = try #require(driver.written[scenario.kaspiChild])
            #expect(kaspi.state == .fundsMoved && kaspi.closedAt == Fixture.time(900) && kaspi.hop == 1)
            #expect(kaspi.parentRequestID == scenario.root)
        }
    }

    @Test func columnsTheRecordTakesFromItsJSONAreStoredToo() async throws {
        try await withRelayLedger { ledger, _ in
            let scenario = try ChainScenario.run(LedgerRelayDriver(ledger: ledger))
            let row = try #require(
                try ledger.sql { db in
                    try db.queryFirst("SELECT * FROM requests WHERE request_id = ?", [Stored.text(scenario.jusanChild)])
                })
            #expect(try row.string("case_id") == ChainScenario.caseID)
            #expect(try row.string("bank_id") == "jusan")
            #expect(try row.string("priority") == "urgent")
            #expect(try row.int("hop") == 1)
            #expect(try row.string("parent_request_id") == Stored.text(scenario.root))
            #expect(try row.string("iban") == ChainScenario.jusanIBAN.electronicFormat)
            #expect(try row.string("amount") == "30000.00")
            #expect(try row.string("currency") == "KZT")
            #expect(try row.string("frozen_amount") == "30000.00")
            #expect(try row.string("frozen_currency") == "KZT")
            #expect(try row.int("routed_at") == Stored.millis(Fixture.time(600, ms: 500)))
            #expect(try row.int("acknowledge_by") == Stored.millis(Fixture.time(900, ms: 500)))
            #expect(try row.int("freeze_by") == Stored.millis(Fixture.time(2400, ms: 500)))
            #expect(try row.int("hold_until") == Stored.millis(scenario.jusanHold))
            #expect(try row.int("updated_at") == Stored.millis(Fixture.time(1200)))
            let edge = try #require(
                try ledger.sql { db in
                    try db.queryFirst("SELECT * FROM chain_edges WHERE transfer_reference = 'U1'")
                })
            #expect(try edge.string("outcome") == "join")
            #expect(try edge.string("target_request_id") == Stored.text(scenario.root))
            #expect(try edge.string("reported_by") == "kaspi")
            #expect(try edge.string("amount") == "50000.00")
        }
    }

    /// Version 2 read `frozen_amount` back in the request's currency: 100 USD came back as 100 KZT.
    @Test func aFrozenAmountKeepsItsOwnCurrency() async throws {
        try await withRelayLedger { ledger, _ in
            let scenario = try ChainScenario.run(LedgerRelayDriver(ledger: ledger))
            let root = try #require(try ledger.write { tx in try tx.request(scenario.root) })
            #expect(root.request.amount.currency == "KZT")
            #expect(root.frozenAmount?.currency == "USD")
            // A row written before version 3 has no frozen currency and reads as the request's.
            try ledger.sql { db in
                try db.execute(
                    "UPDATE requests SET frozen_currency = NULL WHERE request_id = ?", [Stored.text(scenario.root)])
            }
            #expect(try ledger.write { tx in try tx.request(scenario.root) }?.frozenAmount == Fixture.kzt("100"))
        }
    }

    @Test func bankAnswersAreRememberedByBankAndResponseID() async throws {
        try await withRelayLedger { ledger, _ in
            let scenario = try ChainScenario.run(LedgerRelayDriver(ledger: ledger))
            try ledger.write { tx in
                let seen = try #require(try tx.response(bank: Fixture.halyk, responseID: "resp-2"))
                #expect(seen.requestID == scenario.root && seen.bankID == Fixture.halyk && seen.responseID == "resp-2")
                #expect(!seen.fingerprint.digest.isEmpty)
                #expect(try tx.response(bank: Fixture.kaspi, responseID: "resp-2") == nil)
                #expect(try tx.response(bank: Fixture.kaspi, responseID: "resp-3")?.requestID == scenario.kaspiChild)
            }
        }
    }

    @Test func aResentAnswerIsRecognisedFromTheLedger() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let scenario = try ChainScenario.run(driver)
            let again = try driver.answer(
                Fixture.response(
                    4, to: scenario.jusanChild, .frozen, at: Fixture.time(1200),
                    frozen: Fixture.kzt("30000"), holdUntil: scenario.jusanHold),
                from: Fixture.jusan, at: Fixture.time(1300))
            #expect(again.outcome == .duplicate)
            let resent = try driver.receive(
                Fixture.request(
                    1, caseID: ChainScenario.caseID, iban: ChainScenario.rootIBAN,
                    amount: "500000", at: Fixture.time(0)), at: Fixture.time(1400))
            #expect(resent.outcome == .duplicate)
        }
    }

    /// The ledger keeps a 32-byte digest per request and per answer; ledgers written before that kept
    /// the canonical content itself, and a re-send must still be recognised against those rows.
    @Test func fingerprintsAreDigestsAndOlderStoredContentStillMatches() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let scenario = try ChainScenario.run(driver)
            let lengths: [Int] = try ledger.sql { db in
                try db.query(
                    "SELECT length(fingerprint) AS n FROM requests UNION ALL SELECT length(fingerprint) FROM responses"
                ) {
                    try $0["n"] as Int
                }
            }
            #expect(!lengths.isEmpty && lengths.allSatisfy { $0 == 32 }, "\(lengths)")
            let request = Fixture.request(
                1, caseID: ChainScenario.caseID, iban: ChainScenario.rootIBAN, amount: "500000", at: Fixture.time(0))
            let answer = Fixture.response(
                4, to: scenario.jusanChild, .frozen, at: Fixture.time(1200), frozen: Fixture.kzt("30000"),
                holdUntil: scenario.jusanHold)
            // As an older ledger stored them: the canonical content.
            try ledger.sql { db in
                try db.execute(
                    "UPDATE requests SET fingerprint = ? WHERE request_id = ?",
                    [Data(ContentFingerprint.canonicalContent(of: request.asEvent)), Stored.text(request.requestID)])
                try db.execute(
                    "UPDATE responses SET fingerprint = ? WHERE bank_id = ? AND response_id = ?",
                    [Data(ContentFingerprint.canonicalContent(of: answer.asEvent)), "jusan", answer.responseID])
                #expect(db.changes == 1)
            }
            let reopened = LedgerRelayDriver(ledger: ledger)
            #expect(try reopened.answer(answer, from: Fixture.jusan, at: Fixture.time(1300)).outcome == .duplicate)
            #expect(try reopened.receive(request, at: Fixture.time(1400)).outcome == .duplicate)
            var changed = request
            changed.amount = Fixture.kzt("1")
            #expect(try reopened.receive(changed, at: Fixture.time(1500)).outcome != .duplicate)
        }
    }

    /// New rows keep the request in phrase form; rows of older versions keep the JSON itself, and
    /// both read the same; a damaged row is refused with the column named.
    @Test func requestsAreStoredInPhraseFormAndOlderRowsReadTheSame() async throws {
        try await withRelayLedger { ledger, _ in
            _ = try ChainScenario.run(LedgerRelayDriver(ledger: ledger))
            let firstBytes: [String] = try ledger.sql { db in
                try db.query("SELECT hex(substr(request_json, 1, 1)) AS first FROM requests") { try $0["first"] }
            }
            #expect(firstBytes.count >= 3 && firstBytes.allSatisfy { $0 == "1F" }, "\(firstBytes)")
            let detail = try #require(try ledger.caseDetail(ChainScenario.caseID))
            // As older versions stored them: the JSON itself.
            try ledger.sql { db in
                for record in detail.requests {
                    try db.execute(
                        "UPDATE requests SET request_json = ? WHERE request_id = ?",
                        [Data(try EventEncoder.encode(record.request)), Stored.text(record.requestID)])
                }
            }
            #expect(try ledger.caseDetail(ChainScenario.caseID) == detail)
            let damaged = try #require(detail.requests.first)
            try ledger.sql { db in
                try db.execute(
                    "UPDATE requests SET request_json = ? WHERE request_id = ?",
                    [Data([StoredRequestJSON.phraseForm, 0x02, 0x1D]), Stored.text(damaged.requestID)])
            }
            #expect(throws: LedgerError.corruptValue(column: "requests.request_json", value: "unknown phrase byte 29"))
            {
                try ledger.caseDetail(ChainScenario.caseID)
            }
        }
    }

    @Test func unroutableRequestsAreListedUntilRouted() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            try driver.receive(
                Fixture.request(2, caseID: "C-U", iban: Fixture.iban("111", "1"), amount: "1000", at: Fixture.time(10)),
                at: Fixture.time(10))
            try driver.receive(
                Fixture.request(3, caseID: "C-U", iban: Fixture.iban("555", "1"), amount: "1000", at: Fixture.time(5)),
                at: Fixture.time(5))
            try driver.receive(
                Fixture.request(4, caseID: "C-U", iban: Fixture.iban("601", "1"), amount: "1000", at: Fixture.time(1)),
                at: Fixture.time(1))
            let unroutable = try ledger.write { tx in try tx.unroutableRequests() }
            #expect(unroutable.map(\.requestID) == [Fixture.uuid(3), Fixture.uuid(2)])
            #expect(unroutable.allSatisfy { $0.bankID == nil && $0.state == .unroutable && $0.reason != nil })
            // The routing table learns bank code 111: retry routes it and resolves its escalation.
            let fixed = RelayEngine(
                policy: RelayPolicy(
                    routing: try RoutingTable(
                        banks: Array(Fixture.routing.banks.values) + [
                            BankProfile(id: try BankID("newbank"), name: "New", ibanBankCodes: ["KZ111"])
                        ]),
                    chain: Fixture.policy.chain, topics: Fixture.policy.topics))
            try ledger.write { tx in
                let record = try tx.request(Fixture.uuid(2))
                let effects = fixed.retryUnroutable(
                    RelayEngine.RequestContext(
                        record: record, openEscalations: try tx.openEscalations(of: Fixture.uuid(2))),
                    case: try tx.caseContext("C-U"), cause: .command("retry-unroutable", nonce: "1"),
                    now: Fixture.time(20))
                #expect(effects.outcome == .routed && effects.resolved.count == 1)
                try tx.apply(effects, outbox: try Fixture.outbox(effects), at: Fixture.time(20))
            }
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                #expect(try tx.unroutableRequests().map(\.requestID) == [Fixture.uuid(3)])
                #expect(try tx.openEscalations(of: Fixture.uuid(2)).isEmpty)
                #expect(try tx.request(Fixture.uuid(2))?.bankID == (try BankID("newbank")))
            }
        }
    }

    @Test func consumerPositionsOnlyMoveForward() async throws {
        try await withRelayLedger { ledger, _ in
            try ledger.write { tx in
                #expect(try tx.partitionPosition(topic: "freeze.requests", partition: 0)?.nextOffset == nil)
                try tx.recordPosition(topic: "freeze.requests", partition: 0, nextOffset: 10, at: Fixture.time(1))
                try tx.recordPosition(topic: "freeze.requests", partition: 0, nextOffset: 7, at: Fixture.time(2))
                try tx.recordPosition(topic: "freeze.requests", partition: 1, nextOffset: 3, at: Fixture.time(2))
                #expect(try tx.partitionPosition(topic: "freeze.requests", partition: 0)?.nextOffset == 10)
                try tx.recordPosition(topic: "freeze.requests", partition: 0, nextOffset: 11, at: Fixture.time(3))
            }
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                #expect(try tx.partitionPosition(topic: "freeze.requests", partition: 0)?.nextOffset == 11)
                #expect(try tx.partitionPosition(topic: "freeze.requests", partition: 1)?.nextOffset == 3)
                #expect(try tx.partitionPosition(topic: "freeze.status", partition: 0)?.nextOffset == nil)
            }
        }
    }
}
