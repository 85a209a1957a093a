import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Answers on a bank's responses topic about requests that are not that bank's.
@Suite("Foreign responses")
struct ForeignResponseTests {
    let t0 = Fixture.t0

    func expectForeign(
        _ effects: Effects, bank: BankID, requestID: UUID, caseID: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(effects.outcome == .foreignResponse, sourceLocation: sourceLocation)
        let refusal = try #require(effects.refusal, sourceLocation: sourceLocation)
        #expect(refusal.code == .foreignResponse && refusal.path == "request_id", sourceLocation: sourceLocation)
        #expect(
            effects.requests.isEmpty && effects.responses.isEmpty && effects.schedule.isEmpty,
            sourceLocation: sourceLocation)
        #expect(
            effects.cancelDeadlines.isEmpty && effects.resolved.isEmpty && effects.edges.isEmpty,
            sourceLocation: sourceLocation)
        #expect(
            effects.statuses.isEmpty, "police are not told about someone else's answer", sourceLocation: sourceLocation)
        let audit = try #require(effects.audit.first, sourceLocation: sourceLocation)
        #expect(effects.audit.count == 1, sourceLocation: sourceLocation)
        #expect(audit.isSecurityEvent, sourceLocation: sourceLocation)
        #expect(audit.bankID == bank, "the audit names the bank that answered", sourceLocation: sourceLocation)
        #expect(audit.requestID == requestID, sourceLocation: sourceLocation)
        #expect(audit.oldState == audit.newState, sourceLocation: sourceLocation)
        let escalation = try #require(effects.escalationEvents.first, sourceLocation: sourceLocation)
        #expect(effects.events.count == 1, sourceLocation: sourceLocation)
        #expect(escalation.kind == .foreignResponse && escalation.level == 1, sourceLocation: sourceLocation)
        #expect(
            escalation.bankID == bank && escalation.requestID == requestID && escalation.caseID == caseID,
            sourceLocation: sourceLocation)
        #expect(effects.escalations.map(\.kind) == [.foreignResponse], sourceLocation: sourceLocation)
    }

    @Test(
        "an answer about a request the relay does not know is unknown_request: dead-lettered and audited, not a security event, no escalation"
    )
    func unknownRequest() throws {
        let world = RelayWorld()
        let effects = world.answer(
            Fixture.response(.frozen, for: Fixture.uuid(404), frozen: Fixture.kzt("5")), from: Fixture.alpha)
        #expect(effects.outcome == .answerUnknown)
        let refusal = try #require(effects.refusal)
        #expect(refusal.code == .unknownRequest && refusal.path == "request_id")
        let id = CanonicalUUID.string(Fixture.uuid(404))
        #expect(
            refusal.message
                == "answer resp-frozen-\(t0.secondsSinceEpoch) on alpha's responses topic is about request \(id), which the relay does not know; refused, nothing changed"
        )
        #expect(
            effects.escalations.isEmpty && effects.events.isEmpty, "no escalation, no status: there is no case to tell")
        #expect(effects.requests.isEmpty && effects.responses.isEmpty && effects.schedule.isEmpty)
        #expect(effects.cancelDeadlines.isEmpty && effects.resolved.isEmpty && effects.edges.isEmpty)
        let audit = try #require(effects.audit.first)
        #expect(effects.audit.count == 1)
        #expect(!audit.isSecurityEvent)
        #expect(audit.requestID == Fixture.uuid(404) && audit.bankID == Fixture.alpha && audit.caseID == nil)
        #expect(audit.oldState == nil && audit.newState == nil)
        #expect(world.record(Fixture.uuid(404)) == nil)
    }

    @Test("an answer on beta's topic about a request routed to alpha")
    func otherBanksRequest() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let before = world.record(Fixture.uuid(1))
        let effects = world.answer(Fixture.response(.released, at: t0.plus(minutes: 1)), from: Fixture.beta)
        try expectForeign(effects, bank: Fixture.beta, requestID: Fixture.uuid(1), caseID: Fixture.caseID)
        #expect(effects.refusal?.message.contains("routed to alpha") == true)
        #expect(world.record(Fixture.uuid(1)) == before)
        #expect(world.openTimers(of: Fixture.uuid(1)).count == 2, "alpha's clocks keep running")

        // Alpha's own answer under the same response id is still accepted: beta's never counted.
        let own = world.answer(
            Fixture.response(
                .acknowledged, id: "resp-released-\(t0.plus(minutes: 1).secondsSinceEpoch)", at: t0.plus(minutes: 2)),
            from: Fixture.alpha)
        #expect(own.outcome == .answered(.acknowledged))
    }

    @Test("an answer from a bank not in the routing table")
    func strangerBank() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let effects = world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 1)), from: Fixture.stranger)
        try expectForeign(effects, bank: Fixture.stranger, requestID: Fixture.uuid(1), caseID: Fixture.caseID)
        #expect(effects.escalationEvents.first?.contact == nil)
    }

    @Test("an answer about an unroutable request (routed to no bank)")
    func unroutableRequest() throws {
        let world = RelayWorld()
        world.receive(Fixture.request(iban: Fixture.unknownAccount(1)))
        let effects = world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 1)), from: Fixture.alpha)
        try expectForeign(effects, bank: Fixture.alpha, requestID: Fixture.uuid(1), caseID: Fixture.caseID)
        #expect(effects.refusal?.message.contains("never routed") == true)
        #expect(world.record(Fixture.uuid(1))?.state == .unroutable)
    }

    @Test(
        "a foreign answer re-sent is flagged again, as an escalation of its own: ids come from the record's position, not the sender's id"
    )
    func foreignResent() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let response = Fixture.response(.acknowledged, at: t0.plus(minutes: 1))
        let first = world.answer(response, from: Fixture.beta)
        let second = world.answer(response, from: Fixture.beta)
        #expect(first.escalations.count == 1 && second.escalations.count == 1)
        #expect(Set(first.escalations.map(\.escalationID)).isDisjoint(with: second.escalations.map(\.escalationID)))
        #expect(second.outcome == .foreignResponse)
    }

    @Test("an unknown request answered again is refused again the same way, still without an escalation")
    func unknownResent() {
        let world = RelayWorld()
        let response = Fixture.response(.acknowledged, for: Fixture.uuid(404))
        let first = world.answer(response, from: Fixture.beta)
        let second = world.answer(response, from: Fixture.beta)
        #expect([first.outcome, second.outcome] == [.answerUnknown, .answerUnknown])
        #expect(first.refusal == second.refusal)
        #expect(first.escalations.isEmpty && second.escalations.isEmpty)
    }
}
