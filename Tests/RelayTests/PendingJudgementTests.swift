import Authenticity
import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// What the relay judged of a police order reaches the bank whether the request is routed at once
/// or kept unroutable and routed later: the judgement is kept (as effects for the ledger) while the
/// request waits, handed back in the retry's context, and forgotten once it is routed or cancelled.
@Suite("Pending police judgements: a request routed late says what was judged when its order was read")
struct PendingJudgementTests {
    static let order = Array(#"{"type":"freeze_request","note":"the exact bytes police signed"}"#.utf8)
    static let verified = PoliceJudgement.verified(
        OrderAuthorization(
            issuerID: "almaty", keyID: "almaty-2026",
            signature: "eyJhbGciOiJFZERTQSJ9..c2lnbmF0dXJl", order: order))
    static let judgements: [PoliceJudgement] = [verified, .unverified(.signatureMissing), .unchecked]

    /// The engine with the offline bank enabled: the routing table after the operator fixed it.
    static let fixedEngine: RelayEngine = {
        var banks = Fixture.profiles
        banks[banks.firstIndex { $0.id == Fixture.offline }!].enabled = true
        return Fixture.engine(banks: banks)
    }()

    func receive(_ request: FreezeRequest, engine: RelayEngine = Fixture.engine(), judgement: PoliceJudgement)
        -> Effects
    {
        var effects = engine.receive(
            request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
            case: CaseContext(caseID: request.caseID),
            cause: .record(topic: "freeze.requests", partition: 0, offset: 1, eventID: request.id), now: Fixture.t0)
        effects.carry(judgement, for: request.requestID)
        return effects
    }

    func retry(_ record: RequestRecord, kept: PoliceJudgement?) -> Effects {
        Self.fixedEngine.retryUnroutable(
            .init(record: record, pendingJudgement: kept), case: CaseContext(caseID: record.caseID, requests: [record]),
            cause: .command("retry-unroutable", nonce: "1"), now: Fixture.t0.plus(hours: 1))
    }

    @Test(
        "kept while unroutable, and the late routed request says exactly what routing at once would have said",
        arguments: judgements)
    func routedLateAsIfRoutedAtOnce(judgement: PoliceJudgement) throws {
        let request = Fixture.request(iban: Fixture.offlineAccount(5))
        let unroutable = receive(request, judgement: judgement)
        #expect(unroutable.outcome == .unroutable)
        #expect(unroutable.pendingJudgements == [PendingJudgement(requestID: request.requestID, judgement: judgement)])
        #expect(unroutable.settledJudgements.isEmpty)

        let late = retry(try #require(unroutable.record(request.requestID)), kept: judgement)
        checkContracts(late, policy: Self.fixedEngine.policy)
        #expect(late.outcome == .routed)
        #expect(late.pendingJudgements.isEmpty, "a routed request's judgement travels on the event, not in the ledger")
        #expect(late.settledJudgements == [request.requestID])
        let routedLate = try #require(late.routedRequests.first)

        let atOnce = receive(request, engine: Self.fixedEngine, judgement: judgement)
        #expect(atOnce.pendingJudgements.isEmpty && atOnce.settledJudgements.isEmpty)
        let routedAtOnce = try #require(atOnce.routedRequests.first)
        #expect(routedLate.verification == judgement.verification)
        #expect(
            routedLate.verification == routedAtOnce.verification
                && routedLate.verificationReason == routedAtOnce.verificationReason)
        #expect(routedLate.authorization == routedAtOnce.authorization)
        #expect(routedLate.authorization == judgement.authorization)
        if judgement == Self.verified {
            #expect(
                late.audit.first { $0.newState == .routed }?.detail.hasSuffix(
                    "; ordered by issuer almaty, key almaty-2026") == true)
        }
    }

    @Test(
        "a request kept before judgements were (or a chain request) is routed late without one, and nothing is left kept"
    )
    func routedLateWithoutAJudgement() throws {
        let request = Fixture.request(iban: Fixture.offlineAccount(5))
        let record = try #require(receive(request, judgement: .unchecked).record(request.requestID))
        let late = retry(record, kept: nil)
        let routed = try #require(late.routedRequests.first)
        #expect(routed.verification == nil && routed.authorization == nil && routed.verificationReason == nil)
        #expect(late.settledJudgements == [request.requestID])
    }

    @Test(
        "a cancel forgets the judgement of a request that waited, and keeps nothing of its own",
        arguments: [RequestState.unroutable, .routed])
    func cancelSettles(state: RequestState) {
        let record = Fixture.record(state, bank: state == .unroutable ? nil : Fixture.alpha)
        let cancel = Fixture.cancel(at: Fixture.t0.plus(minutes: 5))
        var effects = Fixture.engine().cancel(
            cancel, context: .init(record: record, pendingJudgement: state == .unroutable ? Self.verified : nil),
            case: CaseContext(caseID: Fixture.caseID, requests: [record]),
            cause: .record(topic: "freeze.requests", partition: 0, offset: 2, eventID: cancel.id),
            now: Fixture.t0.plus(minutes: 5))
        effects.carry(.unchecked, for: cancel.requestID)
        #expect(effects.outcome == .cancelled)
        #expect(effects.settledJudgements == (state == .unroutable ? [record.requestID] : []))
        #expect(effects.pendingJudgements.isEmpty)
    }

    @Test("stored parts make a judgement only in the combinations the routed request allows")
    func storedParts() {
        let authorization = Self.verified.authorization
        #expect(
            PoliceJudgement(verification: .verified, reasonCode: nil, authorization: authorization) == Self.verified)
        #expect(
            PoliceJudgement(verification: .unverified, reasonCode: "key_expired", authorization: nil)
                == .unverified(.keyExpired))
        #expect(PoliceJudgement(verification: .unchecked, reasonCode: nil, authorization: nil) == .unchecked)
        #expect(PoliceJudgement(verification: .verified, reasonCode: nil, authorization: nil) == nil)
        #expect(PoliceJudgement(verification: .unverified, reasonCode: nil, authorization: nil) == nil)
        #expect(PoliceJudgement(verification: .unverified, reasonCode: "no_such_code", authorization: nil) == nil)
        #expect(PoliceJudgement(verification: .unchecked, reasonCode: nil, authorization: authorization) == nil)
        #expect(
            PoliceJudgement(verification: .verified, reasonCode: "signature_missing", authorization: authorization)
                == nil)
    }
}
