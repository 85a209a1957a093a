import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

@Suite struct CaseQueryTests {
    private static func ids(_ ledger: Ledger, _ filter: CaseFilter) throws -> [String] {
        try ledger.cases(filter: filter).map(\.caseID)
    }

    @Test func casesAreListedNewestFirstAndFiltered() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let now = QueryDataset.now
            #expect(try Self.ids(ledger, CaseFilter(now: now)) == ["C-UNR", "C-LATE", "C-SLOW", "C-DONE", "C-CHAIN-1"])
            #expect(try Self.ids(ledger, CaseFilter(limit: 2, now: now)) == ["C-UNR", "C-LATE"])
            #expect(try Self.ids(ledger, CaseFilter(limit: 0, now: now)).isEmpty)
            #expect(try Self.ids(ledger, CaseFilter(bank: Fixture.kaspi, now: now)) == ["C-LATE", "C-CHAIN-1"])
            #expect(try Self.ids(ledger, CaseFilter(bank: Fixture.halyk, now: now)) == ["C-DONE", "C-CHAIN-1"])
            #expect(try Self.ids(ledger, CaseFilter(bank: Fixture.dormant, now: now)).isEmpty)
            #expect(try Self.ids(ledger, CaseFilter(state: .frozen, now: now)) == ["C-SLOW", "C-CHAIN-1"])
            #expect(try Self.ids(ledger, CaseFilter(state: .unroutable, now: now)) == ["C-UNR"])
            #expect(try Self.ids(ledger, CaseFilter(state: .accountNotFound, now: now)) == ["C-DONE"])
            // Since is about the case's first request: the chain case got requests at 600 s, but began at 0.
            #expect(
                try Self.ids(ledger, CaseFilter(since: Fixture.time(100), now: now)) == [
                    "C-UNR", "C-LATE", "C-SLOW", "C-DONE",
                ])
            #expect(
                try Self.ids(ledger, CaseFilter(since: Fixture.time(100, ms: 1), now: now)) == [
                    "C-UNR", "C-LATE", "C-SLOW",
                ])
            #expect(
                try Self.ids(
                    ledger, CaseFilter(bank: Fixture.jusan, state: .acknowledged, since: Fixture.time(2000), now: now))
                    == ["C-LATE"])
        }
    }

    /// Overdue: an acknowledgement or freeze timer due and still open (even before the daemon
    /// fires it), or an open escalation of those kinds.
    @Test func overdueCasesAreFoundBeforeAndAfterTheirTimersFire() async throws {
        try await withRelayLedger { ledger, _ in
            let dataset = try QueryDataset.build(ledger)
            let now = QueryDataset.now
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, now: now)) == ["C-LATE", "C-SLOW"])
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, now: Fixture.time(1299))).isEmpty)
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, now: Fixture.time(1300))) == ["C-SLOW"])
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, bank: Fixture.kaspi, now: now)) == ["C-LATE"])
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, bank: Fixture.halyk, now: now)).isEmpty)

            // Fired: the timers are spent, the escalations keep the cases overdue.
            while try !dataset.driver.fireDue(at: now).isEmpty {}
            #expect(try ledger.nextDeadlineDue().map { $0 > now } ?? true)
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, now: now)) == ["C-LATE", "C-SLOW"])
            let slow = try #require(try ledger.cases(filter: CaseFilter(now: now)).first { $0.caseID == "C-SLOW" })
            #expect(slow.isOverdue && slow.openEscalations == 2)

            // The bank answers: no longer overdue.
            try dataset.driver.answer(
                Fixture.response(41, to: Fixture.uuid(41), .frozen, at: now, frozen: Fixture.kzt("4000")),
                from: Fixture.jusan, at: now)
            #expect(try Self.ids(ledger, CaseFilter(overdueOnly: true, now: now)) == ["C-LATE"])
        }
    }

    @Test func aCaseSummaryAddsUpItsRequests() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let summaries = try ledger.cases(filter: CaseFilter(now: QueryDataset.now))
            let chain = try #require(summaries.first { $0.caseID == ChainScenario.caseID })
            #expect(chain.requestCount == 3)
            #expect(chain.maxHop == 1)
            #expect(chain.banks == [Fixture.halyk, Fixture.jusan, Fixture.kaspi])
            #expect(chain.stateCounts == [.partiallyFrozen: 1, .fundsMoved: 1, .frozen: 1])
            #expect(chain.firstReceivedAt == Fixture.time(0))
            #expect(chain.lastUpdatedAt == Fixture.time(1200))
            // Five exits and a limit under the police request, a limit under Kaspi's.
            #expect(chain.openEscalations == 7)
            #expect(!chain.isOverdue)
            #expect(chain.reportedAmounts == [Fixture.kzt("500000")])
            #expect(chain.frozenAmounts == [Fixture.kzt("30000"), try Money(value: "100", currency: "USD")])

            let done = try #require(summaries.first { $0.caseID == "C-DONE" })
            #expect(done.requestCount == 1 && done.stateCounts == [.accountNotFound: 1] && done.frozenAmounts.isEmpty)
            #expect(done.reportedAmounts == [Fixture.kzt("2000")] && done.openEscalations == 0)
            let unroutable = try #require(summaries.first { $0.caseID == "C-UNR" })
            #expect(unroutable.banks.isEmpty && unroutable.openEscalations == 1 && !unroutable.isOverdue)
        }
    }

    @Test func aCaseDetailHoldsRequestsEdgesEscalationsAndAudit() async throws {
        try await withRelayLedger { ledger, _ in
            let dataset = try QueryDataset.build(ledger)
            let detail = try #require(try ledger.caseDetail(ChainScenario.caseID))
            let chain = dataset.chain
            #expect(
                detail.requests.map(\.requestID) == [chain.root]
                    + [chain.kaspiChild, chain.jusanChild].sorted { $0.uuidString < $1.uuidString })
            #expect(detail.requests.allSatisfy { dataset.driver.written[$0.requestID] == $0 })
            #expect(
                detail.edges.count == 11
                    && Set(detail.edges) == Set(dataset.driver.edges.filter { $0.caseID == ChainScenario.caseID }))
            #expect(detail.edges.map(\.recordedAt) == detail.edges.map(\.recordedAt).sorted())
            #expect(detail.escalations.count == 7 && detail.escalations.allSatisfy(\.isOpen))
            #expect(Set(detail.escalations.map(\.record.kind)) == [.chainExit, .chainLimit])
            let expectedAudit = dataset.driver.audit.filter { $0.caseID == ChainScenario.caseID }
            #expect(detail.audit.map(\.entry) == expectedAudit)
            #expect(detail.audit.map(\.sequence) == detail.audit.map(\.sequence).sorted())

            #expect(try ledger.caseDetail("no-such-case") == nil)
            // Resolved escalations stay in the detail, with their resolution.
            let late = try #require(try ledger.caseDetail("C-LATE"))
            #expect(late.escalations.isEmpty)
            while try !dataset.driver.fireDue(at: QueryDataset.now).isEmpty {}
            try dataset.driver.answer(
                Fixture.response(20, to: Fixture.uuid(20), .acknowledged, at: QueryDataset.now), from: Fixture.kaspi,
                at: QueryDataset.now)
            let escalations = try #require(try ledger.caseDetail("C-LATE")).escalations
            #expect(escalations.map(\.record.kind) == [.ackOverdue])
            #expect(escalations.first?.resolution == .answered && escalations.first?.resolvedAt == QueryDataset.now)
        }
    }

    @Test func aRequestsAuditTrailIsItsOwnInOrder() async throws {
        try await withRelayLedger { ledger, _ in
            let dataset = try QueryDataset.build(ledger)
            let trail = try ledger.requestAudit(Fixture.uuid(30))
            #expect(trail.map(\.entry) == dataset.driver.audit.filter { $0.requestID == Fixture.uuid(30) })
            #expect(trail.map(\.entry.newState) == [.routed, .accountNotFound])
            #expect(trail.first?.entry.oldState == nil && trail.last?.entry.oldState == .routed)
            #expect(
                trail.allSatisfy {
                    $0.entry.caseID == "C-DONE" && $0.entry.bankID == Fixture.halyk && !$0.entry.isSecurityEvent
                })
            #expect(trail.first?.entry.cause == "freeze.requests/0@6")
            #expect(try ledger.requestAudit(Fixture.uuid(999)).isEmpty)
            // The same through a read-only tool.
            let tool = try LedgerReader.open(at: ledger.path)
            defer { tool.close() }
            #expect(try tool.requestAudit(Fixture.uuid(30)) == trail)
        }
    }
}
