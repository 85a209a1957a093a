import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Deciding again gives the same effects; a different cause gives different event ids.
/// (Every decision made through `RelayWorld` is also taken twice and compared.)
@Suite("Determinism")
struct DeterminismTests {
    let t0 = Fixture.t0

    /// A case in mid-flight: a split with children, an exit, an overdue escalation.
    func scenario() -> (RelayWorld, BankResponse) {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.fireDue(at: t0.plus(minutes: 6))
        let response = Fixture.response(
            .partiallyFrozen, frozen: Fixture.kzt("100000"), holdUntil: t0.plus(hours: 48),
            transfers: [
                Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("500000"), ref: "D-1"),
                Fixture.toAccount(Fixture.unknownAccount(1), Fixture.kzt("100000"), ref: "D-2"),
                Fixture.toWallet(Fixture.kzt("300000"), ref: "D-3"),
            ], at: t0.plus(minutes: 10))
        return (world, response)
    }

    func decide(_ world: RelayWorld, _ response: BankResponse, cause: Cause) -> Effects {
        let effects = world.engine.answer(
            response, fingerprint: ContentFingerprint(response), from: Fixture.alpha,
            context: world.context(Fixture.uuid(1)),
            previous: nil, case: world.caseContext(Fixture.caseID), cause: cause, now: response.respondedAt)
        checkContracts(effects, policy: world.policy)
        return effects
    }

    @Test("the same input on the same context twice gives identical effects")
    func sameInputSameEffects() {
        let (world, response) = scenario()
        let cause = Cause.record(topic: "freeze.bank.alpha.responses", partition: 3, offset: 99, eventID: response.id)
        let first = decide(world, response, cause: cause)
        let second = decide(world, response, cause: cause)
        #expect(first == second)
        #expect(!first.events.isEmpty)
        // Rebuilding the engine from the same policy changes nothing either.
        let fresh = RelayEngine(policy: Fixture.policy())
        let third = fresh.answer(
            response, fingerprint: ContentFingerprint(response), from: Fixture.alpha,
            context: world.context(Fixture.uuid(1)),
            previous: nil, case: world.caseContext(Fixture.caseID), cause: cause, now: response.respondedAt)
        #expect(third == first)
    }

    @Test("a different cause gives different event ids, and the same requests, edges and escalation ids")
    func differentCause() {
        let (world, response) = scenario()
        let a = decide(
            world, response,
            cause: .record(topic: "freeze.bank.alpha.responses", partition: 0, offset: 1, eventID: Fixture.uuid(501)))
        let b = decide(
            world, response,
            cause: .record(topic: "freeze.bank.alpha.responses", partition: 0, offset: 2, eventID: Fixture.uuid(502)))
        #expect(Set(a.events.map(\.event.id)).isDisjoint(with: Set(b.events.map(\.event.id))))
        #expect(a.events.map(\.event.type) == b.events.map(\.event.type))
        #expect(a.requests == b.requests)
        #expect(a.edges == b.edges)
        #expect(a.schedule == b.schedule)
        #expect(
            a.escalations.filter { $0.kind != .chainLimit }.map(\.escalationID)
                == b.escalations.filter { $0.kind != .chainLimit }.map(\.escalationID))
        #expect(a.events.allSatisfy { $0.causationID == Fixture.uuid(501) })
    }

    @Test("every kind of decision is deterministic: receive, cancel, fire, retry")
    func everyEntryPoint() throws {
        let engine = Fixture.engine()
        func twice(_ decide: () -> Effects, sourceLocation: SourceLocation = #_sourceLocation) -> Effects {
            let first = decide()
            #expect(first == decide(), sourceLocation: sourceLocation)
            #expect(!first.isEmpty, sourceLocation: sourceLocation)
            checkContracts(first, policy: engine.policy, sourceLocation: sourceLocation)
            return first
        }
        let request = Fixture.request(iban: Fixture.unknownAccount(1))
        let cause = Cause.record(topic: "freeze.requests", partition: 0, offset: 1, eventID: request.id)
        let none = RelayEngine.RequestContext(record: nil)
        let empty = CaseContext(caseID: Fixture.caseID)
        _ = twice {
            engine.receive(
                request, fingerprint: ContentFingerprint(request), context: none, case: empty, cause: cause, now: t0)
        }

        let record = Fixture.record(.routed)
        let cancel = Fixture.cancel(at: t0.plus(minutes: 3))
        _ = twice { engine.cancel(cancel, context: .init(record: record), case: empty, cause: cause, now: t0) }

        let deadline = Deadline(
            requestID: record.requestID, kind: .acknowledge, level: 1, deadline: t0.plus(minutes: 5),
            dueAt: t0.plus(minutes: 5))
        let fired = twice { engine.fire(deadline, context: .init(record: record), now: t0.plus(minutes: 6)) }
        // The cause of a firing is the timer itself, so replaying the firing gives the same event ids.
        #expect(Cause.timer(deadline) == Cause.timer(deadline))
        #expect(fired.events.allSatisfy { $0.causationID == Cause.timer(deadline).eventID })

        let command = Cause.command("retry-unroutable", nonce: "a")
        let unroutable = Fixture.record(.unroutable)
        let retried = twice { engine.retryUnroutable(.init(record: unroutable), case: empty, cause: command, now: t0) }
        #expect(retried.outcome == .routed)
        #expect(
            Cause.command("retry-unroutable", nonce: "a").eventID
                != Cause.command("retry-unroutable", nonce: "b").eventID)
    }

    @Test("timer ids are stable: same request, kind, level and deadline")
    func deadlineIDs() {
        let a = Deadline(requestID: Fixture.uuid(1), kind: .freeze, level: 2, deadline: t0, dueAt: t0.plus(minutes: 15))
        let b = Deadline(requestID: Fixture.uuid(1), kind: .freeze, level: 2, deadline: t0, dueAt: t0.plus(minutes: 15))
        #expect(a.id == b.id)
        #expect(a.id != Deadline(requestID: Fixture.uuid(1), kind: .freeze, level: 3, deadline: t0, dueAt: t0).id)
        #expect(a.id != Deadline(requestID: Fixture.uuid(1), kind: .acknowledge, level: 2, deadline: t0, dueAt: t0).id)
        #expect(a.id != Deadline(requestID: Fixture.uuid(2), kind: .freeze, level: 2, deadline: t0, dueAt: t0).id)
    }
}
