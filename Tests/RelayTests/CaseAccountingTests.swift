import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@Suite("Case accounting")
struct CaseAccountingTests {
    let t0 = Fixture.t0
    let root = Fixture.uuid(1)

    func totals(_ stolen: String, _ frozen: String, _ moving: String, _ exited: String) -> CaseTotals {
        CaseTotals(
            stolen: Fixture.kzt(stolen), frozen: Fixture.kzt(frozen), moving: Fixture.kzt(moving),
            exited: Fixture.kzt(exited))
    }

    /// Every status a decision emits carries the same totals: the case after the whole decision.
    func expectTotals(_ effects: Effects, _ expected: CaseTotals, sourceLocation: SourceLocation = #_sourceLocation) {
        let carried = effects.statuses.compactMap(\.caseTotals)
        #expect(!carried.isEmpty, "the decision reports the case totals", sourceLocation: sourceLocation)
        for (index, totals) in carried.enumerated() {
            #expect(totals == expected, "status \(index) of \(carried.count)", sourceLocation: sourceLocation)
        }
    }

    @Test("stolen, frozen, moving and exited across a small chain")
    func smallChain() throws {
        let world = RelayWorld()
        let routed = world.receive(Fixture.request())
        expectTotals(routed, totals("1000000", "0", "1000000", "0"))

        // Alpha blocks 300k; 500k went to beta, 100k to a wallet; 100k is unaccounted for at alpha.
        let partial = world.answer(
            Fixture.response(
                .partiallyFrozen, frozen: Fixture.kzt("300000"), holdUntil: t0.plus(hours: 720),
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("500000"), ref: "T-1"),
                    Fixture.toWallet(Fixture.kzt("100000"), ref: "T-2"),
                ], at: t0.plus(minutes: 10)))
        expectTotals(partial, totals("1000000", "300000", "600000", "100000"))
        #expect(world.totals() == totals("1000000", "300000", "600000", "100000"))

        // Beta: 200k on to delta, 300k withdrawn in cash.
        let b = DeterministicIDs.childRequestID(parent: root, transferReference: "T-1")
        let moved = world.answer(
            Fixture.response(
                .fundsMoved, for: b,
                transfers: [
                    Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("200000"), ref: "T-3"),
                    Fixture.toCash(Fixture.kzt("300000"), ref: "T-4"),
                ], at: t0.plus(minutes: 20)))
        expectTotals(moved, totals("1000000", "300000", "300000", "400000"))

        // Delta freezes what arrived.
        let d = DeterministicIDs.childRequestID(parent: b, transferReference: "T-3")
        let frozen = world.answer(
            Fixture.response(.frozen, for: d, frozen: Fixture.kzt("200000"), at: t0.plus(minutes: 30)))
        expectTotals(frozen, totals("1000000", "500000", "100000", "400000"))

        // Delta releases: the money is no longer frozen (and not followed any more).
        let released = world.answer(Fixture.response(.released, for: d, at: t0.plus(hours: 30)))
        expectTotals(released, totals("1000000", "300000", "100000", "400000"))
    }

    @Test("the statuses of one decision agree: a child's routed status carries the totals after the whole answer")
    func childStatusTotals() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let effects = world.answer(
            Fixture.response(
                .partiallyFrozen, frozen: Fixture.kzt("400000"),
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("300000"), ref: "C-1"),
                    Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("300000"), ref: "C-2"),
                ], at: t0.plus(minutes: 10)))
        expectTotals(effects, totals("1000000", "400000", "600000", "0"))
    }

    @Test("money joining an account still under an open request is moving too, until that bank answers")
    func joinedMoney() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(
            Fixture.response(
                .fundsMoved,
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "S-1"),
                    Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("400000"), ref: "S-2"),
                ], at: t0.plus(minutes: 10)))
        let b = DeterministicIDs.childRequestID(parent: root, transferReference: "S-1")
        let d = DeterministicIDs.childRequestID(parent: root, transferReference: "S-2")
        let collector = Fixture.epsilonAccount(9)
        world.answer(
            Fixture.response(
                .fundsMoved, for: b, transfers: [Fixture.toAccount(collector, Fixture.kzt("600000"), ref: "J-1")],
                at: t0.plus(minutes: 20)))
        let joined = world.answer(
            Fixture.response(
                .fundsMoved, for: d, transfers: [Fixture.toAccount(collector, Fixture.kzt("400000"), ref: "J-2")],
                at: t0.plus(minutes: 21)))
        #expect(joined.edges.map(\.outcome.name) == ["join"])
        // All of the million is now on the collecting account, which its bank has not answered for.
        expectTotals(joined, totals("1000000", "0", "1000000", "0"))

        // The collecting bank freezes what arrived: nothing is moving any more.
        let e = DeterministicIDs.childRequestID(parent: b, transferReference: "J-1")
        let frozen = world.answer(
            Fixture.response(.frozen, for: e, frozen: Fixture.kzt("1000000"), at: t0.plus(minutes: 40)))
        expectTotals(frozen, totals("1000000", "1000000", "0", "0"))
    }

    @Test("limits and unroutable requests count as moving; cancelled, rejected and not found count nowhere")
    func movingAndLost() throws {
        let world = RelayWorld(Fixture.engine(chain: ChainLimits(minimumAmount: Fixture.kzt("1000"))))
        world.receive(Fixture.request(Fixture.uuid(1), amount: Fixture.kzt("100000")))
        world.receive(Fixture.request(Fixture.uuid(2), iban: Fixture.unknownAccount(1), amount: Fixture.kzt("50000")))
        world.receive(Fixture.request(Fixture.uuid(3), iban: Fixture.deltaAccount(1), amount: Fixture.kzt("20000")))
        world.receive(Fixture.request(Fixture.uuid(4), iban: Fixture.epsilonAccount(1), amount: Fixture.kzt("7000")))
        #expect(world.totals() == totals("177000", "0", "177000", "0"))

        let small = world.answer(
            Fixture.response(
                .fundsMoved, for: Fixture.uuid(1),
                transfers: [
                    Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("999"), ref: "SMALL"),
                    Fixture.toAccount(Fixture.betaAccount(2), Fixture.kzt("99001"), ref: "BIG"),
                ], at: t0.plus(minutes: 5)))
        // 999 not followed (still moving), 99001 followed into beta (open).
        expectTotals(small, totals("177000", "0", "177000", "0"))

        world.answer(Fixture.response(.rejected, for: Fixture.uuid(3), at: t0.plus(minutes: 6)))
        world.answer(Fixture.response(.accountNotFound, for: Fixture.uuid(4), at: t0.plus(minutes: 6)))
        let cancelled = world.cancel(Fixture.cancel(Fixture.uuid(2), at: t0.plus(minutes: 7)))
        expectTotals(cancelled, totals("177000", "0", "100000", "0"))
    }

    @Test("the case currency is the first request's; amounts in other currencies are left out")
    func currencies() throws {
        #expect(CaseAccounting.totals(of: CaseContext(caseID: Fixture.caseID)) == nil)
        let world = RelayWorld()
        world.receive(Fixture.request(Fixture.uuid(1), amount: Fixture.kzt("1000")))
        world.receive(
            Fixture.request(
                Fixture.uuid(2), iban: Fixture.betaAccount(1), amount: try Money(value: "50", currency: "USD"),
                issuedAt: t0.plus(minutes: 1)))
        #expect(world.totals() == totals("1000", "0", "1000", "0"))
    }

    @Test("totals do not move when nothing changes")
    func stableTotals() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let before = world.totals()
        world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 1)))
        world.fireDue(at: t0.plus(hours: 3))
        #expect(world.totals() == before)
    }
}
