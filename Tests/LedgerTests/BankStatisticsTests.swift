import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

@Suite struct BankStatisticsTests {
    private static func close(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) < 1e-9
    }

    @Test func perBankServiceLevels() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let stats = try ledger.bankStatistics(now: QueryDataset.now)
            #expect(stats.map(\.bankID) == [Fixture.halyk, Fixture.jusan, Fixture.kaspi])

            // Halyk: the chain's police request (answered at 600.5 s) and C-DONE's (at 200 s), both in time.
            let halyk = stats[0]
            #expect(halyk.routed == 2 && halyk.answeredInTime == 2 && halyk.answeredLate == 0)
            #expect(halyk.openOverdue == 0 && halyk.openWithinDeadline == 0)
            #expect(halyk.slaCompliance == 1)
            #expect(halyk.timeToAcknowledge?.count == 2)
            #expect(Self.close(halyk.timeToAcknowledge?.median, 80.125))  // 60.25 s and 100 s
            #expect(Self.close(halyk.timeToAcknowledge?.p95, 98.0125))
            #expect(halyk.timeToFreeze == LatencySummary(count: 1, median: 600.5, p95: 600.5))
            #expect(halyk.openEscalations == [.chainExit: 5, .chainLimit: 1])

            // Jusan: the chain child in time, C-SLOW's 40 late, 41 open past its deadline, C-LATE's 21 open within.
            let jusan = stats[1]
            #expect(jusan.routed == 4 && jusan.answeredInTime == 1 && jusan.answeredLate == 1)
            #expect(jusan.openOverdue == 1 && jusan.openWithinDeadline == 1)
            #expect(Self.close(jusan.slaCompliance, 1.0 / 3.0))
            #expect(jusan.timeToAcknowledge?.count == 3)  // 599.5 s, 2000 s, 100 s
            #expect(Self.close(jusan.timeToAcknowledge?.median, 599.5))
            #expect(Self.close(jusan.timeToAcknowledge?.p95, 1859.95))
            #expect(Self.close(jusan.timeToFreeze?.median, 1299.75))  // 599.5 s and 2000 s
            #expect(Self.close(jusan.timeToFreeze?.p95, 1929.975))
            #expect(jusan.openEscalations.isEmpty)

            // Kaspi: the chain child answered funds moved in time; C-LATE's 20 open, within its 2 h.
            let kaspi = stats[2]
            #expect(
                kaspi.routed == 2 && kaspi.answeredInTime == 1 && kaspi.openWithinDeadline == 1
                    && kaspi.openOverdue == 0)
            #expect(kaspi.timeToFreeze == nil)
            #expect(kaspi.openEscalations == [.chainLimit: 1])
        }
    }

    @Test func complianceIsUnknownUntilADeadlineComes() async throws {
        try await withRelayLedger { ledger, _ in
            #expect(try ledger.bankStatistics(now: Fixture.time(0)).isEmpty)
            let driver = LedgerRelayDriver(ledger: ledger)
            try driver.receive(
                Fixture.request(1, caseID: "C-1", iban: Fixture.iban("601", "1"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            let early = try #require(try ledger.bankStatistics(now: Fixture.time(10)).first)
            #expect(
                early.routed == 1 && early.openWithinDeadline == 1 && early.slaCompliance == nil
                    && early.timeToAcknowledge == nil)
            // Past the 30-minute freeze deadline: open and overdue, compliance 0.
            let late = try #require(try ledger.bankStatistics(now: Fixture.time(1801)).first)
            #expect(late.openOverdue == 1 && late.slaCompliance == 0)
            #expect(try ledger.bankStatistics(now: Fixture.time(1800)).first?.openOverdue == 0)
            // Cancelled unanswered: routed, but neither answered nor open.
            try driver.cancel(
                Fixture.cancel(1, requestID: Fixture.uuid(1), caseID: "C-1", at: Fixture.time(1900)),
                at: Fixture.time(1900))
            let cancelled = try #require(try ledger.bankStatistics(now: Fixture.time(2000)).first)
            #expect(
                cancelled.routed == 1 && cancelled.openOverdue == 0 && cancelled.openWithinDeadline == 0
                    && cancelled.slaCompliance == nil)
        }
    }

    @Test func percentilesInterpolateBetweenRanks() throws {
        #expect(LatencySummary(seconds: []) == nil)
        #expect(LatencySummary(seconds: [7]) == LatencySummary(count: 1, median: 7, p95: 7))
        let four = try #require(LatencySummary(seconds: [4, 1, 3, 2]))
        #expect(four.count == 4 && four.median == 2.5 && Self.close(four.p95, 3.85))
        let hundredAndOne = LatencySummary(seconds: (0...100).map(Double.init).reversed())
        #expect(hundredAndOne == LatencySummary(count: 101, median: 50, p95: 95))
    }
}
