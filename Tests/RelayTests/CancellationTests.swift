import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@Suite("Cancellation")
struct CancellationTests {
    let t0 = Fixture.t0
    let request = Fixture.uuid(1)

    @Test("a cancel in every state", arguments: RequestState.allCases)
    func cancelInEveryState(state: RequestState) throws {
        let engine = Fixture.engine()
        let record = Fixture.record(state, frozen: Fixture.kzt("1000000"), holdUntil: t0.plus(hours: 100))
        // Open escalations a request in this state could have.
        var open: [EscalationRecord] = []
        func escalation(_ kind: EscalationKind, bank: BankID? = Fixture.alpha) -> EscalationRecord {
            EscalationRecord(
                escalationID: EscalationRecord.id(requestID: request, kind: kind), kind: kind, level: 1,
                requestID: request,
                caseID: Fixture.caseID, bankID: bank, raisedAt: t0, levelRaisedAt: t0, deadline: t0, detail: "open")
        }
        switch state {
        case .unroutable: open = [escalation(.unroutable, bank: nil)]
        case .held: open = [escalation(.quotaExceeded, bank: nil)]
        case .routed: open = [escalation(.ackOverdue), escalation(.freezeOverdue)]
        case .acknowledged: open = [escalation(.freezeOverdue)]
        case .frozen, .partiallyFrozen: open = [escalation(.holdExpiring)]
        default: break
        }
        let now = t0.plus(hours: 1)
        let cancel = Fixture.cancel(at: now)
        let effects = engine.cancel(
            cancel, context: .init(record: record, openEscalations: open),
            case: CaseContext(caseID: Fixture.caseID, requests: [record]),
            cause: .record(topic: "freeze.requests", partition: 0, offset: 5, eventID: cancel.id), now: now)
        checkContracts(effects, policy: engine.policy)
        #expect(effects.refusal == nil, "a cancel of a known request is answered, not dead-lettered")

        switch state {
        case .cancelled:
            #expect(effects.outcome == .duplicate)
            #expect(effects.isEmpty)
        case .rejected, .accountNotFound, .fundsMoved, .released, .refused:
            #expect(effects.outcome == .cancelRefused)
            #expect(effects.requests.isEmpty && effects.cancelDeadlines.isEmpty && effects.resolved.isEmpty)
            #expect(effects.routedCancels.isEmpty)
            let status = try #require(effects.statuses.first)
            #expect(effects.statuses.count == 1)
            #expect(status.status == .cancelRefused)
            #expect(status.detail.contains(state.rawValue))
            if state == .fundsMoved { #expect(status.detail.contains("follow-up")) }
            #expect(effects.audit.count == 1)
        case .unroutable, .held, .routed, .acknowledged, .frozen, .partiallyFrozen:
            #expect(effects.outcome == .cancelled)
            let cancelled = try #require(effects.record(request))
            #expect(cancelled.state == .cancelled)
            #expect(cancelled.closedAt == now)
            #expect(cancelled.reason == cancel.reason)
            #expect(
                effects.cancelDeadlines == [DeadlineCancellation(requestID: request, kinds: Set(DeadlineKind.allCases))]
            )
            #expect(Set(effects.resolved.map(\.escalationID)) == Set(open.map(\.escalationID)))
            #expect(effects.resolved.allSatisfy { $0.resolution == .cancelled && $0.resolvedAt == now })
            #expect(effects.resolvedEvents.count == open.count)
            #expect(effects.resolvedEvents.allSatisfy { $0.resolution == .cancelled })
            let status = try #require(effects.statuses(.cancelled).first)
            #expect(status.detail.contains(cancel.reason))
            #expect(status.caseTotals != nil)
            #expect(effects.audit.first?.oldState == state && effects.audit.first?.newState == .cancelled)
            if state.awaitsRouting {
                #expect(effects.routedCancels.isEmpty, "never routed: no bank to tell")
                #expect(status.detail.contains("not been routed"))
            } else {
                let routed = try #require(effects.routedCancels.first)
                #expect(effects.routedCancels.count == 1)
                #expect(
                    routed.bankID == Fixture.alpha && routed.requestID == request && routed.caseID == Fixture.caseID)
                #expect(
                    routed.reason == cancel.reason && routed.issuer == cancel.issuer
                        && routed.issuedAt == cancel.issuedAt)
                #expect(status.detail.contains("release the hold") == state.holdsFunds)
            }
        }
    }

    @Test("a cancel closes the request's deadline escalations but leaves its security escalations to operators")
    func securityEscalationsOutliveACancel() throws {
        let engine = Fixture.engine()
        let record = Fixture.record(.routed)
        func escalation(_ kind: EscalationKind, bank: BankID?) -> EscalationRecord {
            EscalationRecord(
                escalationID: EscalationRecord.id(requestID: request, kind: kind), kind: kind, level: 1,
                requestID: request,
                caseID: Fixture.caseID, bankID: bank, raisedAt: t0, levelRaisedAt: t0, deadline: nil, detail: "open")
        }
        let overdue = escalation(.ackOverdue, bank: Fixture.alpha)
        let security = [
            escalation(.unauthenticatedOrder, bank: nil), escalation(.unauthenticatedAnswer, bank: Fixture.alpha),
            escalation(.foreignResponse, bank: Fixture.alpha),
        ]
        let now = t0.plus(hours: 1)
        let cancel = Fixture.cancel(at: now)
        let effects = engine.cancel(
            cancel, context: .init(record: record, openEscalations: [overdue] + security),
            case: CaseContext(caseID: Fixture.caseID, requests: [record]),
            cause: .record(topic: "freeze.requests", partition: 0, offset: 6, eventID: cancel.id), now: now)
        #expect(effects.outcome == .cancelled)
        #expect(effects.resolved.map(\.escalationID) == [overdue.escalationID])
    }

    @Test("a cancel for an unknown request is refused; with a case id police are told on that case")
    func unknownRequest() throws {
        let world = RelayWorld()
        let withCase = world.cancel(Fixture.cancel(Fixture.uuid(50), caseID: "KUI-2026-000050"))
        #expect(withCase.outcome == .cancelUnknown)
        #expect(withCase.refusal?.code == .unknownRequest)
        #expect(withCase.refusal?.path == "request_id")
        let status = try #require(withCase.statuses.first)
        #expect(
            status.status == .cancelRefused && status.caseID == "KUI-2026-000050"
                && status.requestID == Fixture.uuid(50))
        #expect(withCase.requests.isEmpty)
        #expect(withCase.audit.first?.requestID == Fixture.uuid(50))

        let withoutCase = world.cancel(Fixture.cancel(Fixture.uuid(51), caseID: nil))
        #expect(withoutCase.refusal?.code == .unknownRequest)
        #expect(withoutCase.events.isEmpty)
        #expect(withoutCase.audit.count == 1)
    }

    @Test("a second cancel is a no-op")
    func cancelTwice() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        #expect(world.cancel(Fixture.cancel(at: t0.plus(minutes: 1))).outcome == .cancelled)
        let again = world.cancel(Fixture.cancel(at: t0.plus(minutes: 2)))
        #expect(again.outcome == .duplicate && again.isEmpty)
    }

    @Test("after a cancel the clocks are stopped and the escalation ladder is closed, end to end")
    func cancelStopsLadder() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.fireDue(at: t0.plus(minutes: 20))
        #expect(world.openEscalations(of: request).count == 1)
        world.cancel(Fixture.cancel(at: t0.plus(minutes: 21)))
        #expect(world.openTimers(of: request).isEmpty)
        #expect(world.openEscalations(of: request).isEmpty)
        #expect(world.fireDue(at: t0.plus(hours: 5)).isEmpty)
    }

    @Test("after a cancel the bank's released is accepted, a late freeze is refused")
    func bankAfterCancel() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(
            Fixture.response(
                .frozen, frozen: Fixture.kzt("1000000"), holdUntil: t0.plus(hours: 72), at: t0.plus(minutes: 3)))
        let cancelled = world.cancel(Fixture.cancel(at: t0.plus(hours: 1)))
        #expect(cancelled.statuses(.cancelled).first?.caseTotals?.frozen == Fixture.kzt("0"))
        let ack = world.answer(
            Fixture.response(.acknowledged, id: "ack-after-cancel", at: t0.plus(hours: 1, minutes: 1)))
        #expect(ack.outcome == .ignored)
        let frozen = world.answer(
            Fixture.response(.frozen, id: "again", frozen: Fixture.kzt("1000000"), at: t0.plus(hours: 1, minutes: 2)))
        #expect(frozen.outcome == .invalidTransition)
        let released = world.answer(Fixture.response(.released, at: t0.plus(hours: 2)))
        #expect(released.outcome == .answered(.released))
        #expect(world.record(request)?.state == .released)
        #expect(world.record(request)?.closedAt == t0.plus(hours: 1), "closed when cancelled")
    }

    @Test("a cancel goes to the bank's own requests topic when it has one")
    func cancelTopicOverride() {
        let world = RelayWorld()
        world.receive(Fixture.request(iban: Fixture.gammaAccount(1)))
        let effects = world.cancel(Fixture.cancel(at: t0.plus(minutes: 1)))
        #expect(
            effects.events.first { if case .routedCancel = $0.event { true } else { false } }?.topic
                == "gamma.freeze.inbound")
    }
}

extension Timestamp {
    func plus(hours h: Int64, minutes m: Int64) -> Timestamp { plus(minutes: h * 60 + m) }
}
