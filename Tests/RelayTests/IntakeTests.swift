import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Police requests: first receipt, re-sends, conflicting re-sends; and bank answers re-sent
/// under the same response id.
@Suite("Intake")
struct IntakeTests {
    let t0 = Fixture.t0

    @Test("a new request is routed: record, routed_request, routed status with case totals, clocks, audit")
    func newRequest() throws {
        let world = RelayWorld()
        let request = Fixture.request()
        let effects = world.receive(request, at: t0.plus(seconds: 3))
        #expect(effects.outcome == .routed)
        let record = try #require(effects.requests.first)
        #expect(effects.requests.count == 1)
        #expect(record.request == request)
        #expect(record.fingerprint == ContentFingerprint(request))
        #expect(record.receivedAt == t0.plus(seconds: 3))
        #expect(effects.events.map(\.event.type) == [.routedRequest, .requestStatus])
        let status = try #require(effects.statuses.first)
        #expect(status.status == .routed && status.requestID == request.requestID && status.caseID == request.caseID)
        #expect(status.causedBy == request.id)
        #expect(
            status.caseTotals
                == CaseTotals(
                    stolen: Fixture.kzt("1000000"), frozen: Fixture.kzt("0"), moving: Fixture.kzt("1000000"),
                    exited: Fixture.kzt("0")))
        #expect(effects.events.allSatisfy { $0.causationID == request.id })
        #expect(effects.audit.count == 1)
        #expect(effects.audit.first?.oldState == nil && effects.audit.first?.newState == .routed)
        #expect(effects.audit.first?.cause == "freeze.requests/0@1")
        #expect(effects.refusal == nil && effects.responses.isEmpty && effects.edges.isEmpty)
    }

    @Test(
        "the same request again (same id, same content, new envelope) is a duplicate: nothing happens",
        arguments: [RequestState.routed, .unroutable, .frozen, .cancelled])
    func duplicate(state: RequestState) {
        let engine = Fixture.engine()
        let original = Fixture.request()
        var resent = original
        resent.id = Fixture.uuid(777)
        resent.createdAt = t0.plus(minutes: 5)
        #expect(ContentFingerprint(resent) == ContentFingerprint(original), "envelope id and time are not content")
        let record = Fixture.record(state, request: original)
        let effects = engine.receive(
            resent, fingerprint: ContentFingerprint(resent), context: .init(record: record),
            case: CaseContext(caseID: Fixture.caseID, requests: [record]),
            cause: .record(topic: "freeze.requests", partition: 0, offset: 9, eventID: resent.id),
            now: t0.plus(minutes: 5))
        checkContracts(effects, policy: engine.policy)
        #expect(effects.outcome == .duplicate)
        #expect(effects.isEmpty)
    }

    @Test("the same request id with different content is refused as a conflicting duplicate; the original stands")
    func conflictingDuplicate() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let before = world.record(Fixture.uuid(1))
        let changed = Fixture.request(amount: Fixture.kzt("2000000"), eventID: Fixture.uuid(778))
        let effects = world.receive(changed, at: t0.plus(minutes: 1))
        #expect(effects.outcome == .conflictingDuplicate)
        let refusal = try #require(effects.refusal)
        #expect(refusal.code == .conflictingDuplicate)
        #expect(refusal.path == "request_id")
        #expect(refusal.message.contains(CanonicalUUID.string(Fixture.uuid(1))))
        #expect(effects.statuses.map(\.status) == [.duplicateConflict])
        #expect(effects.statuses.first?.requestID == Fixture.uuid(1))
        #expect(effects.statuses.first?.caseID == Fixture.caseID)
        #expect(effects.requests.isEmpty && effects.schedule.isEmpty && effects.escalations.isEmpty)
        #expect(effects.routedRequests.isEmpty)
        #expect(effects.audit.count == 1)
        #expect(world.record(Fixture.uuid(1)) == before)
    }

    @Test("every content field counts for the fingerprint", arguments: 0..<6)
    func conflictOnAnyField(variant: Int) {
        let world = RelayWorld()
        world.receive(Fixture.request())
        var changed = Fixture.request(eventID: Fixture.uuid(800 + variant))
        switch variant {
        case 0: changed.priority = .normal
        case 1: changed.account = TargetAccount(iban: Fixture.alphaAccount(2), holderName: "Ivan Petrov")
        case 2: changed.caseID = "KUI-2026-000999"
        case 3: changed.requestedHoldHours = 24
        case 4: changed.legalBasis = "another decision"
        default: changed.issuedAt = t0.plus(seconds: 1)
        }
        #expect(world.receive(changed).outcome == .conflictingDuplicate)
    }

    @Test("an unroutable request is kept and escalated, and its re-send is a duplicate too")
    func unroutableKept() {
        let world = RelayWorld()
        let request = Fixture.request(iban: Fixture.unknownAccount(1))
        let first = world.receive(request)
        #expect(first.outcome == .unroutable)
        #expect(first.requests.map(\.state) == [.unroutable])
        #expect(first.statuses.first?.caseTotals?.moving == Fixture.kzt("1000000"))
        #expect(first.audit.first?.newState == .unroutable)
        var resent = request
        resent.id = Fixture.uuid(4)
        #expect(world.receive(resent).outcome == .duplicate)
    }

    @Test("a bank answer re-sent under the same response id: duplicate if identical, refused if not")
    func responseIDDedupe() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let frozen = Fixture.response(.frozen, id: "ALPHA-77", frozen: Fixture.kzt("1000000"), at: t0.plus(minutes: 3))
        world.answer(frozen)
        let before = world.record(Fixture.uuid(1))

        var resent = frozen
        resent.id = Fixture.uuid(901)
        resent.createdAt = t0.plus(minutes: 8)
        let duplicate = world.answer(resent, at: t0.plus(minutes: 8))
        #expect(duplicate.outcome == .duplicate)
        #expect(duplicate.isEmpty)

        let conflicting = Fixture.response(
            .frozen, id: "ALPHA-77", frozen: Fixture.kzt("500000"), at: t0.plus(minutes: 9))
        let refused = world.answer(conflicting)
        #expect(refused.outcome == .conflictingDuplicate)
        #expect(refused.refusal?.code == .conflictingDuplicate)
        #expect(refused.refusal?.path == "response_id")
        #expect(refused.refusal?.message.contains("ALPHA-77") == true)
        #expect(refused.events.isEmpty && refused.requests.isEmpty && refused.responses.isEmpty)
        #expect(refused.audit.count == 1)
        #expect(world.record(Fixture.uuid(1)) == before)
    }

    @Test("response ids are per bank: the same id from another bank's request is not a duplicate")
    func responseIDPerBank() {
        let world = RelayWorld()
        world.receive(Fixture.request(Fixture.uuid(1), iban: Fixture.alphaAccount(1)))
        world.receive(Fixture.request(Fixture.uuid(2), iban: Fixture.betaAccount(1)))
        world.answer(Fixture.response(.acknowledged, for: Fixture.uuid(1), id: "R-1"))
        let other = world.answer(Fixture.response(.acknowledged, for: Fixture.uuid(2), id: "R-1"))
        #expect(other.outcome == .answered(.acknowledged))
    }

    @Test("a contract error is dead-lettered with its code and path, nothing else")
    func refuseDecodingError() throws {
        let engine = Fixture.engine()
        do {
            _ = try EventDecoder.decodePoliceMessage(Array(#"{"type":"freeze_request"}"#.utf8))
            Issue.record("should not decode")
        } catch {
            let effects = engine.refuse(error)
            #expect(effects.outcome == .deadLettered)
            #expect(effects.refusal?.code == DeadLetterCode(error.code))
            #expect(effects.refusal?.path == error.path)
            #expect(effects.events.isEmpty && effects.requests.isEmpty)
            checkContracts(effects, policy: engine.policy)
        }
    }

    @Test("a record without a decodable event id still gets a stable cause id from its position")
    func causeFromPosition() {
        let a = Cause.record(topic: "freeze.requests", partition: 2, offset: 40, eventID: nil)
        let b = Cause.record(topic: "freeze.requests", partition: 2, offset: 40, eventID: nil)
        let c = Cause.record(topic: "freeze.requests", partition: 2, offset: 41, eventID: nil)
        #expect(a == b)
        #expect(a.eventID != c.eventID)
        #expect(a.description == "freeze.requests/2@40")
    }
}
