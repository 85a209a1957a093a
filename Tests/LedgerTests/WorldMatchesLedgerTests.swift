import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// The engine tests run in `RelayWorld`, an in-memory stand-in for the ledger. These tests run one
/// story through the world and through a real ledger side by side, and require the same decision
/// at every step and the same state after it: a world that drifts from the ledger (a timer the
/// ledger re-opens and the world does not, a context it builds differently) fails here rather than
/// letting the engine tests pass on behaviour the daemon does not have.
@Suite("The in-memory relay world behaves as the ledger does")
struct WorldMatchesLedgerTests {
    static let caseID = "C-WORLD"

    /// Both stores, fed the same inputs.
    final class SideBySide {
        let world: RelayWorld
        let driver: LedgerRelayDriver
        private(set) var requestIDs: Set<UUID> = []
        private(set) var caseIDs: Set<String> = [WorldMatchesLedgerTests.caseID]

        init(ledger: Ledger) {
            world = RelayWorld(
                Fixture.engine,
                defaults: RelayWorld.Defaults(
                    caseID: WorldMatchesLedgerTests.caseID, bank: Fixture.halyk,
                    operatorDecision: OperatorDecision(operatorID: "ops-1", reason: "checked by phone"),
                    time: Fixture.time(0), personalNames: ["A. B."]))
            driver = LedgerRelayDriver(ledger: ledger)
        }

        private func track(_ effects: Effects) {
            for record in effects.requests {
                requestIDs.insert(record.requestID)
                caseIDs.insert(record.caseID)
            }
        }

        func receive(_ request: FreezeRequest, at now: Timestamp, sourceLocation: SourceLocation = #_sourceLocation)
            throws
        {
            let inWorld = world.receive(request, at: now, sourceLocation: sourceLocation)
            let inLedger = try driver.receive(request, at: now)
            #expect(inWorld == inLedger, "receive \(request.requestID)", sourceLocation: sourceLocation)
            track(inLedger)
        }

        func answer(
            _ response: BankResponse, from bank: BankID, at now: Timestamp,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let inWorld = world.answer(response, from: bank, at: now, sourceLocation: sourceLocation)
            let inLedger = try driver.answer(response, from: bank, at: now)
            #expect(inWorld == inLedger, "answer \(response.responseID)", sourceLocation: sourceLocation)
            track(inLedger)
        }

        func cancel(_ cancel: FreezeCancel, at now: Timestamp, sourceLocation: SourceLocation = #_sourceLocation)
            throws
        {
            let inWorld = world.cancel(cancel, at: now, sourceLocation: sourceLocation)
            let inLedger = try driver.cancel(cancel, at: now)
            #expect(inWorld == inLedger, "cancel \(cancel.requestID)", sourceLocation: sourceLocation)
            track(inLedger)
        }

        /// Fires every timer due at `now` in both. The world fires one at a time and the ledger in
        /// rounds, so the firings are compared as a set: each timer's decision depends only on its
        /// own request.
        func fireDue(at now: Timestamp, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let inWorld = world.fireDue(at: now, sourceLocation: sourceLocation)
            let inLedger = try driver.fireAllDue(at: now)
            #expect(
                Set(inWorld.map(\.events)) == Set(inLedger.map(\.events)) && inWorld.count == inLedger.count,
                "timers fired at \(now.rfc3339)", sourceLocation: sourceLocation)
            inLedger.forEach(track)
        }

        /// Every request, open timer, open escalation and case the world holds is what the ledger holds.
        func expectSameState(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let ledgerState = try driver.ledger.write { tx in
                let records = try requestIDs.map { id in (id, try tx.request(id)) }
                let escalations = try requestIDs.map { id in (id, Set(try tx.openEscalations(of: id))) }
                let cases = try caseIDs.map { id in (id, try tx.caseContext(id)) }
                let timers = try tx.dueDeadlines(at: Fixture.time(365 * 86_400), limit: 10_000)
                return (records, escalations, cases, timers)
            }
            for (id, record) in ledgerState.0 {
                #expect(world.record(id) == record, "request \(id)", sourceLocation: sourceLocation)
            }
            for (id, open) in ledgerState.1 {
                #expect(
                    Set(world.openEscalations(of: id)) == open, "open escalations of \(id)",
                    sourceLocation: sourceLocation)
            }
            for (id, context) in ledgerState.2 {
                let inWorld = world.caseContext(id)
                #expect(
                    Set(inWorld.requests) == Set(context.requests) && Set(inWorld.edges) == Set(context.edges),
                    "case \(id)", sourceLocation: sourceLocation)
            }
            let worldTimers = world.timers.values.filter { $0.status == .open }.map(\.deadline)
            #expect(
                Set(worldTimers) == Set(ledgerState.3) && worldTimers.count == ledgerState.3.count, "open timers",
                sourceLocation: sourceLocation)
        }
    }

    static func request(_ n: Int, bankCode: String, amount: String = "500000", at time: Timestamp) -> FreezeRequest {
        Fixture.request(
            n, caseID: caseID, iban: Fixture.iban(bankCode, "\(n)"), amount: amount, at: time)
    }

    @Test(
        "a story of routing, answers, a followed chain, holds, cancels, a re-sent and a conflicting request, and missed deadlines"
    )
    func story() async throws {
        try await withRelayLedger { ledger, _ in
            let both = SideBySide(ledger: ledger)
            let root = Self.request(1, bankCode: "601", amount: "900000", at: Fixture.time(0))
            try both.receive(root, at: Fixture.time(0))
            try both.receive(Self.request(2, bankCode: "722", at: Fixture.time(1)), at: Fixture.time(1))
            // A bank that is disabled, and a bank code no bank has.
            try both.receive(Self.request(3, bankCode: "555", at: Fixture.time(2)), at: Fixture.time(2))
            try both.receive(Self.request(4, bankCode: "999", at: Fixture.time(3)), at: Fixture.time(3))
            try both.expectSameState()

            // A re-send changes nothing; a re-send with other content is refused.
            try both.receive(root, at: Fixture.time(5))
            var conflicting = root
            conflicting.amount = Fixture.kzt("1")
            try both.receive(conflicting, at: Fixture.time(6))

            // halyk acknowledges, then reports the money moved to kaspi and jusan: two children.
            try both.answer(
                Fixture.response(1, to: root.requestID, .acknowledged, at: Fixture.time(60, ms: 250)),
                from: Fixture.halyk, at: Fixture.time(60, ms: 250))
            let movedOn = Fixture.response(
                2, to: root.requestID, .fundsMoved, at: Fixture.time(120),
                transfers: [
                    Fixture.toIBAN(Fixture.iban("722", "51"), "400000", "T1", at: Fixture.time(30)),
                    Fixture.toIBAN(Fixture.iban("998", "52"), "300000", "T2", at: Fixture.time(30)),
                ])
            try both.answer(movedOn, from: Fixture.halyk, at: Fixture.time(120))
            // The same answer again, and an answer from a bank the request was not routed to.
            try both.answer(movedOn, from: Fixture.halyk, at: Fixture.time(125))
            try both.answer(
                Fixture.response(3, to: root.requestID, .frozen, at: Fixture.time(130), frozen: Fixture.kzt("1")),
                from: Fixture.kaspi, at: Fixture.time(130))
            try both.expectSameState()

            // kaspi freezes request 2 with a hold, moves it a day on, then back: the first hold's
            // warning timer was cancelled and is scheduled again under the same id, which the
            // ledger opens again.
            let hold = Fixture.time(3 * 86_400, ms: 500)
            let request2 = TestValues.uuid(2)
            for (n, until) in [(4, hold), (5, hold.adding(seconds: 86_400)), (6, hold)] {
                let at = Fixture.time(200 + Int64(n), ms: Int32(n))
                try both.answer(
                    Fixture.response(
                        n, to: request2, .frozen, at: at, frozen: Fixture.kzt("500000"), holdUntil: until),
                    from: Fixture.kaspi, at: at)
            }
            try both.expectSameState()

            // The police cancel the jusan child; nobody answers for the kaspi child.
            let jusanChild = DeterministicIDs.childRequestID(parent: root.requestID, transferReference: "T2")
            try both.cancel(
                Fixture.cancel(1, requestID: jusanChild, caseID: Self.caseID, at: Fixture.time(300)),
                at: Fixture.time(300))
            try both.cancel(
                Fixture.cancel(2, requestID: TestValues.uuid(77), caseID: Self.caseID, at: Fixture.time(301)),
                at: Fixture.time(301))  // an unknown request
            try both.expectSameState()

            // Deadlines are missed, escalated level by level, and the hold's warning comes due.
            for hours: Int64 in [1, 2, 6, 30, 71, 80] {
                try both.fireDue(at: Fixture.time(hours * 3600))
                try both.expectSameState()
            }
            // A late freeze resolves the kaspi child's escalations.
            let kaspiChild = DeterministicIDs.childRequestID(parent: root.requestID, transferReference: "T1")
            try both.answer(
                Fixture.response(
                    7, to: kaspiChild, .frozen, at: Fixture.time(81 * 3600), frozen: Fixture.kzt("400000")),
                from: Fixture.kaspi, at: Fixture.time(81 * 3600))
            try both.fireDue(at: Fixture.time(100 * 3600))
            try both.expectSameState()
            #expect(both.requestIDs.count >= 6)
        }
    }
}
