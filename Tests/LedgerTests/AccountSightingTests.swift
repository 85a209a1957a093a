import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// Which cases named an account, as the ledger reads it: for the relay's links (newest first),
/// for one case's links (`freeze-relay case`), and for mule accounts (`freeze-relay accounts`).
@Suite struct AccountSightingTests {
    static let mule = Fixture.iban("601", "777")
    static let other = Fixture.iban("601", "5")

    /// Case A names the mule at t=10 and t=20, case B at t=30, case C another account at t=40,
    /// case D the mule at t=50.
    static func fill(_ ledger: Ledger) throws {
        let driver = LedgerRelayDriver(ledger: ledger)
        let plan: [(Int, String, IBAN, Int64)] = [
            (1, "CASE-A", mule, 10), (2, "CASE-A", mule, 20), (3, "CASE-B", mule, 30), (4, "CASE-C", other, 40),
            (5, "CASE-D", mule, 50),
        ]
        for (n, caseID, iban, at) in plan {
            try driver.receive(
                Fixture.request(n, caseID: caseID, iban: iban, amount: "1000", at: Fixture.time(at)),
                at: Fixture.time(at))
        }
    }

    @Test func sightingsAreTheAccountsRequestsNewestFirst() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.fill(ledger)
            let sightings = try ledger.write { tx in try tx.accountSightings(iban: Self.mule) }
            #expect(sightings.map(\.requestID) == [5, 3, 2, 1].map(Fixture.uuid))
            #expect(sightings.map(\.caseID) == ["CASE-D", "CASE-B", "CASE-A", "CASE-A"])
            #expect(sightings.allSatisfy { $0.state == .routed })
            #expect(sightings.first?.receivedAt == Fixture.time(50))
            #expect(try ledger.write { tx in try tx.accountSightings(iban: Fixture.iban("601", "9")) }.isEmpty)
        }
    }

    @Test func aCasesLinksNameEachOtherCaseOnceWithItsNewestRequest() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.fill(ledger)
            let links = try ledger.reader.accountLinks(ofCase: "CASE-A")
            // Both of case A's requests name the mule; each lists B and D, newest first.
            #expect(links.map(\.requestID) == [1, 1, 2, 2].map(Fixture.uuid))
            #expect(links.map(\.linked.caseID) == ["CASE-D", "CASE-B", "CASE-D", "CASE-B"])
            #expect(links.first?.linked.requestID == Fixture.uuid(5))
            #expect(try ledger.reader.accountLinks(ofCase: "CASE-C").isEmpty)
            let fromB = try ledger.reader.accountLinks(ofCase: "CASE-B")
            #expect(
                fromB.map(\.linked) == [
                    LinkedCase(caseID: "CASE-D", requestID: Fixture.uuid(5)),
                    LinkedCase(caseID: "CASE-A", requestID: Fixture.uuid(2)),
                ])
        }
    }

    @Test func accountsSeenInSeveralCasesAreListedMostCasesFirst() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.fill(ledger)
            let seen = try ledger.reader.accountsSeenInCases(minimumCases: 2)
            #expect(seen.count == 1)
            let mule = try #require(seen.first)
            #expect(mule.iban == Self.mule && mule.caseCount == 3 && mule.requestCount == 4 && mule.openRequests == 4)
            #expect(mule.cases == ["CASE-D", "CASE-B", "CASE-A"])
            #expect(mule.firstSeen == Fixture.time(10) && mule.lastSeen == Fixture.time(50))
            #expect(try ledger.reader.accountsSeenInCases(minimumCases: 4).isEmpty)
            let all = try ledger.reader.accountsSeenInCases(minimumCases: 1)
            #expect(all.map(\.iban) == [Self.mule, Self.other])
            #expect(try ledger.reader.accountsSeenInCases(minimumCases: 1, limit: 1).count == 1)
        }
    }
}
