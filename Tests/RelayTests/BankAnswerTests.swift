import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// What each accepted answer records on the request and tells police and operators.
@Suite("Bank answers")
struct BankAnswerTests {
    let t0 = Fixture.t0
    let request = Fixture.uuid(1)

    @Test("acknowledged: stops the acknowledgement clock only")
    func acknowledged() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let effects = world.answer(Fixture.response(.acknowledged, reason: "working on it", at: t0.plus(minutes: 2)))
        let record = try #require(world.record(request))
        #expect(record.state == .acknowledged && record.acknowledgedAt == t0.plus(minutes: 2))
        #expect(record.answeredAt == nil && record.closedAt == nil && record.frozenAt == nil)
        #expect(record.reason == "working on it")
        #expect(world.openTimers(of: request).map(\.kind) == [.freeze])
        #expect(effects.statuses.map(\.status) == [.acknowledged])
        #expect(effects.statuses.first?.frozenAmount == nil)
    }

    @Test("frozen: records amount, hold and times; the status carries them")
    func frozen() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 2)))
        let hold = t0.plus(hours: 720)
        let effects = world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: hold, at: t0.plus(minutes: 20)))
        let record = try #require(world.record(request))
        #expect(record.state == .frozen)
        #expect(record.acknowledgedAt == t0.plus(minutes: 2), "the first answer's time is kept")
        #expect(record.answeredAt == t0.plus(minutes: 20) && record.frozenAt == t0.plus(minutes: 20))
        #expect(record.frozenAmount == Fixture.kzt("1000000") && record.holdUntil == hold)
        #expect(record.closedAt == nil)
        #expect(record.answeredInTime == true)
        let status = try #require(effects.statuses.first)
        #expect(status.status == .frozen && status.frozenAmount == Fixture.kzt("1000000") && status.holdUntil == hold)
        #expect(status.bankID == Fixture.alpha)
        #expect(status.caseTotals?.frozen == Fixture.kzt("1000000"))
        #expect(effects.audit.first?.oldState == .acknowledged && effects.audit.first?.newState == .frozen)
        #expect(world.openTimers(of: request).map(\.kind) == [.holdExpiry])
    }

    @Test("a frozen update keeps the first freeze time and takes the new amount")
    func frozenUpdate() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(Fixture.response(.partiallyFrozen, frozen: Fixture.kzt("300000"), at: t0.plus(minutes: 3)))
        world.answer(Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), at: t0.plus(minutes: 50)))
        let record = try #require(world.record(request))
        #expect(record.frozenAt == t0.plus(minutes: 3) && record.answeredAt == t0.plus(minutes: 3))
        #expect(record.frozenAmount == Fixture.kzt("1000000"))
    }

    @Test("rejected: final, clocks stopped, a rejected escalation with the bank's reason")
    func rejected() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let effects = world.answer(Fixture.response(.rejected, reason: "court order missing", at: t0.plus(minutes: 4)))
        let record = try #require(world.record(request))
        #expect(
            record.state == .rejected && record.closedAt == t0.plus(minutes: 4)
                && record.reason == "court order missing")
        #expect(world.openTimers(of: request).isEmpty)
        let escalation = try #require(effects.escalationEvents.first)
        #expect(
            escalation.kind == .rejected && escalation.bankID == Fixture.alpha
                && escalation.detail.contains("court order missing"))
        #expect(escalation.escalationID == EscalationRecord.id(requestID: request, kind: .rejected))
        #expect(effects.statuses.first?.status == .rejected)
        #expect(effects.statuses.first?.detail.contains("court order missing") == true)
    }

    @Test("account_not_found: final, clocks stopped, no escalation")
    func accountNotFound() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let effects = world.answer(Fixture.response(.accountNotFound, at: t0.plus(minutes: 4)))
        #expect(world.record(request)?.state == .accountNotFound)
        #expect(world.record(request)?.closedAt == t0.plus(minutes: 4))
        #expect(world.openTimers(of: request).isEmpty)
        #expect(effects.escalations.isEmpty)
    }

    @Test("released after a freeze: final, frozen no more in the totals, the hold timer stopped")
    func released() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(
            Fixture.response(
                .frozen, frozen: Fixture.kzt("1000000"), holdUntil: t0.plus(hours: 48), at: t0.plus(minutes: 4)))
        let effects = world.answer(Fixture.response(.released, at: t0.plus(hours: 40)))
        let record = try #require(world.record(request))
        #expect(record.state == .released && record.closedAt == t0.plus(hours: 40))
        #expect(world.openTimers(of: request).isEmpty)
        #expect(effects.statuses.first?.caseTotals?.frozen == Fixture.kzt("0"))
    }

    @Test("answers on a bank's own responses topic are that bank's")
    func topicOverrideAnswer() {
        let world = RelayWorld()
        world.receive(Fixture.request(iban: Fixture.gammaAccount(1)))
        let bank = world.policy.bank(forResponsesTopic: "gamma.freeze.outbound")
        #expect(bank == Fixture.gamma)
        let effects = world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 1)), from: bank)
        #expect(effects.outcome == .answered(.acknowledged))
    }
}
